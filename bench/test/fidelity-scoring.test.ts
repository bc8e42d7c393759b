import { describe, expect, it } from 'vitest';
import { FactKind, type Fact } from '../fidelity/conversation.js';
import type { VmToolAccess } from '../fidelity/configs/types.js';
import { lastMessagesThatFit, slidingWindow } from '../fidelity/configs/sliding-window.js';
import { choosePage, contextComposition, faultedText, keywordTokens, scoreProbe, splitContext } from '../fidelity/scoring.js';
import { summarise } from '../fidelity/runner.js';
import { formatBreakdown, formatComposition, formatTable } from '../fidelity/table.js';

const fact: Fact = {
  id: 'fact_005',
  kind: FactKind.Correction,
  turn: 52,
  correctedAt: 96,
  question: 'What is the Fjord Falcon staging port?',
  keywords: 'Fjord Falcon staging port',
  answer: '57242',
  stale: '24487',
};

function vmSystem(context: string, available: { page_id: string; hint: string }[]): string {
  const manifest = JSON.stringify({ session_id: 's', working_set: [], available_pages: available, policies: {} });
  return `<VM:RULES>\nrules 57242\n</VM:RULES>\n\n<VM:MANIFEST_JSON>\n${manifest}\n</VM:MANIFEST_JSON>\n\n<VM:CONTEXT>\n${context}\n</VM:CONTEXT>`;
}

function fakeTools(pages: Record<string, string>, search: { page_id: string; hint: string }[]): VmToolAccess & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    call: async (name, args) => {
      calls.push(`${name}:${JSON.stringify(args)}`);
      if (name === 'search_pages') return JSON.stringify({ results: search, total_available: 9 });
      const id = String(args.page_id);
      const text = pages[id];
      if (text === undefined) return JSON.stringify({ error: 'Page not found', page_id: id });
      return JSON.stringify({ page: { page_id: id, content: { text } }, effects: {} });
    },
  };
}

describe('fidelity scoring', () => {
  it('removes rules and manifest from the evidence and lists the manifest pages', () => {
    const split = splitContext([{ role: 'system', content: vmSystem('[msg_1] A: hello', [{ page_id: 'msg_9', hint: '[user] x' }]) }]);
    expect(split.evidence).toContain('hello');
    expect(split.evidence).not.toContain('57242');
    expect(split.manifestPages).toEqual([{ pageId: 'msg_9', hint: '[user] x', source: 'manifest' }]);
    expect(splitContext([{ role: 'system', content: '<VM:MANIFEST_JSON>\nnot json\n</VM:MANIFEST_JSON>' }]).manifestPages).toEqual([]);
  });

  it('splits the tokens of a context into rules, manifest, packed pages and messages', () => {
    const c = contextComposition([{ role: 'system', content: vmSystem('[msg_1] A: hello there', []) }, { role: 'user', content: 'a question' }]);
    expect(c.rules).toBeGreaterThan(0);
    expect(c.manifest).toBeGreaterThan(c.rules);
    expect(c.packed).toBeGreaterThan(0);
    expect(c.messages).toBeGreaterThanOrEqual(2);
  });

  it('chooses the page a model would fault from hints', () => {
    expect(keywordTokens('Fjord Falcon staging port')).toEqual(['fjord', 'falcon', 'staging', 'port']);
    const pages = [
      { pageId: 'a', hint: '[user] The Fjord Falcon staging port is 24487.', source: 'manifest' as const },
      { pageId: 'b', hint: '[user] The Fjord Otter budget owner', source: 'search' as const },
      { pageId: 'c', hint: '[user] The Fjord Falcon staging port is 24487.', source: 'search' as const },
      { pageId: 'd', hint: '[user] Correction: the Fjord Falcon staging port is 57242 now.', source: 'search' as const },
      { pageId: 'e', hint: '[user] The Fjord Falcon staging port is 24487.', source: 'manifest' as const },
    ];
    expect(choosePage(fact.keywords, pages)?.pageId).toBe('d');
    expect(choosePage(fact.keywords, [pages[0]!, pages[4]!])?.pageId).toBe('a');
    expect(choosePage(fact.keywords, [{ pageId: 'z', hint: 'nothing', source: 'search' }])).toBeNull();
  });

  it('reads the text of a fault envelope', () => {
    expect(faultedText(JSON.stringify({ page: { content: { text: 'hi' } } }))).toBe('hi');
    expect(faultedText(JSON.stringify({ page: { content: { data: { n: 1 } } } }))).toBe('{"data":{"n":1}}');
    expect(faultedText('{"error":"x"}')).toBe('{"error":"x"}');
    expect(faultedText('plain')).toBe('plain');
  });

  it('scores direct recall and stale exposure from the evidence only', async () => {
    const direct = await scoreProbe(fact, [{ role: 'user', content: 'Correction: port is 57242 now, not 24487.' }]);
    expect(direct).toMatchObject({ direct: true, withinOneFault: true, staleExposed: false, fault: null });
    const stale = await scoreProbe(fact, [{ role: 'user', content: 'The Fjord Falcon staging port is 24487.' }]);
    expect(stale).toMatchObject({ direct: false, withinOneFault: false, staleExposed: true });
    expect(stale.tokens).toBeGreaterThan(5);
  });

  it('recalls within one fault through a real search and one fault call', async () => {
    const tools = fakeTools(
      { d: 'Correction: the Fjord Falcon staging port is 57242 now.', c: 'The Fjord Falcon staging port is 24487.' },
      [
        { page_id: 'c', hint: '[user] The Fjord Falcon staging port is 24487.' },
        { page_id: 'd', hint: '[user] Correction: the Fjord Falcon staging port is 57242 now.' },
      ],
    );
    const outcome = await scoreProbe(fact, [{ role: 'system', content: vmSystem('', []) }], tools);
    expect(outcome).toMatchObject({ direct: false, withinOneFault: true, fault: { pageId: 'd', source: 'search', found: true, stale: false } });
    expect(tools.calls).toEqual(['search_pages:{"query":"Fjord Falcon staging port"}', 'page_fault:{"page_id":"d"}']);
  });

  it('counts a fault that brings only the stale value as a miss', async () => {
    const tools = fakeTools({ c: 'The Fjord Falcon staging port is 24487.' }, [{ page_id: 'c', hint: '[user] The Fjord Falcon staging port' }]);
    const outcome = await scoreProbe(fact, [{ role: 'user', content: 'hello' }], tools);
    expect(outcome).toMatchObject({ withinOneFault: false, fault: { pageId: 'c', found: false, stale: true } });
    const nothing = await scoreProbe(fact, [{ role: 'user', content: 'hello' }], fakeTools({}, []));
    expect(nothing.fault).toBeNull();
  });

  it('keeps the last messages that fit the window', async () => {
    const messages = [1, 2, 3, 4].map((n) => ({ role: 'user', content: `message number ${n}` }));
    expect(lastMessagesThatFit(messages, 9).map((m) => m.content)).toEqual(['message number 3', 'message number 4']);
    const session = await slidingWindow.open({ conversation: { seed: 1, turns: [], facts: [] }, budgetTokens: 100, summariser: async () => '', summaryTokens: 1 });
    await session.play({ index: 0, role: 'tool', content: 'lookup() -> {}' });
    await session.reply('Noted.');
    expect((await session.ask('Q?')).map((m) => m.role)).toEqual(['tool', 'assistant', 'user']);
  });

  it('summarises and prints results', () => {
    const result = summarise('x', [
      { factId: 'a', kind: FactKind.Pinned, direct: true, withinOneFault: true, staleExposed: false, tokens: 10, composition: { rules: 2, manifest: 4, packed: 0, messages: 4 }, fault: null },
      { factId: 'b', kind: FactKind.Correction, direct: false, withinOneFault: false, staleExposed: true, tokens: 30, composition: { rules: 0, manifest: 0, packed: 10, messages: 20 }, fault: null },
    ], 12_345);
    expect(result).toMatchObject({ directRecall: 50, withinOneFault: 50, staleExposed: 1, avgTokens: 20, maxTokens: 30 });
    const table = formatTable([{ name: 'x', result }, { name: 'y', unavailable: 'n/a (package not available)' }]);
    expect(table).toContain('| x | 50.0% | 50.0% | 1 | 20 | 30 | 12.3 s |');
    expect(table).toContain('| y | n/a (package not available) |');
    expect(formatBreakdown(result)).toBe('x: pinned 1/1/1, correction 0/0/1 stale 1');
    expect(formatComposition(result)).toBe('x: rules 1, manifest 2, VM:CONTEXT 5, messages 12; time 12.3 s playing, 0 ms probing');
    expect(summarise('none', [], 5)).toMatchObject({ directRecall: 0, avgTokens: 0, maxTokens: 0 });
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidInput } from '@chuk/models';
import {
  ContextPacker,
  ManifestBuilder,
  PAGE_FAULT_TOOL,
  PageTable,
  SEARCH_PAGES_TOOL,
  VM_PASSIVE_PROMPT,
  VM_RELAXED_PROMPT,
  VM_TOOLS,
  buildVmDeveloperMessage,
  charRatioEstimator,
  createTiktokenEstimator,
  generateSimpleHint,
  getPromptForMode,
  getVmTools,
  getVmToolsAsJson,
  makeEntry,
  makePage,
  manifestToJSON,
  manifestToWrappedJSON,
  type MemoryPage,
} from '../src/index.js';
import { quoteText } from '../src/context-packer.js';

const text = (id: string, content: unknown, init: Partial<MemoryPage> = {}) => makePage({ pageId: id, modality: 'text', content, ...init });

describe('ContextPacker', () => {
  const packer = new ContextPacker();
  it('packs nothing to an empty block', () => {
    expect(packer.pack([])).toEqual({ content: '', tokensEst: 0, pagesIncluded: [], pagesTruncated: [], pagesOmitted: [] });
    expect(packer.packWithWrapper([]).content).toBe('<VM:CONTEXT>\n\n</VM:CONTEXT>');
    expect(packer.packWithWrapper([]).tokensEst).toBe(10);
  });
  it('prefixes from role and page type (TS default)', () => {
    const lines = packer
      .pack([
        text('u', 'hi', { metadata: { role: 'user' } }),
        text('a', 'yo', { metadata: { role: 'assistant' } }),
        text('t', 'res', { metadata: { role: 'tool' } }),
        text('art', 'x', { pageType: 'artifact' }),
        text('s', 'sum', { pageType: 'summary' }),
        text('my_summary_1', 'sum'),
        text('m', 'sum', { metadata: { type: 'summary' } }),
        text('c', 'fact', { pageType: 'claim' }),
        text('plain', 'p'),
      ])
      .content.split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['U', 'A', 'T', 'T', 'S', 'S', 'S', 'C', 'U']);
    expect(lines[0]).toBe('U (u): "hi"');
  });
  it('legacy prefixes reproduce the reference rules', () => {
    const legacy = new ContextPacker({ legacyPrefixes: true, escapeText: false });
    const lines = legacy
      .pack([
        text('x', 'a', { metadata: { user: 'assistant', role: 'user' } }),
        text('y', 'b', { metadata: { type: 'transcript' } }),
        text('summary_1', 'c'),
        text('z', 'd', { pageType: 'artifact' }),
        text('q', 'e', { metadata: { role: 'user' } }),
        text('r', 'f', { metadata: { role: 'tool' } }),
      ])
      .content.split('\n');
    expect(lines.map((l) => l[0])).toEqual(['A', 'T', 'S', 'U', 'U', 'T']);
  });
  it('escapes quotes, backslashes and newlines by default; parity flag keeps raw text', () => {
    expect(packer.formatPage(text('p', 'say "hi"\\n\nnext\ttab\r')).content).toBe('U (p): "say \\"hi\\"\\\\n\\nnext\\ttab\\r"');
    expect(new ContextPacker({ escapeText: false }).formatPage(text('p', 'say "hi"')).content).toBe('U (p): "say "hi""');
    expect(quoteText('plain')).toBe('"plain"');
  });
  it('renders without page ids, with timestamps and with max_text_length', () => {
    expect(new ContextPacker({ includePageIds: false }).formatPage(text('p', 'x')).content).toBe('U: "x"');
    const ts = new ContextPacker({ includeTimestamps: true }).formatPage(text('p', 'x', { createdAt: new Date('2026-01-01T00:00:00Z') }));
    expect(ts.content).toBe('U (p): "x" @2026-01-01T00:00:00.000Z');
    expect(new ContextPacker({ maxTextLength: 3 }).formatPage(text('p', 'abcdef')).content).toBe('U (p): "abc..."');
    expect(packer.formatPage(text('p', 'abcdefghij'), 1).content).toBe('U (p): "abcd..."');
    expect(packer.formatPage(text('p', null)).content).toBe('U (p): ""');
    expect(() => new ContextPacker({ maxTextLength: -1 })).toThrow(InvalidInput);
  });
  it('formats images, audio, video, structured and caches formatted lines', () => {
    const img = makePage({ pageId: 'i', modality: 'image', caption: 'ER diagram', dimensions: [1600, 900] });
    expect(packer.formatPage(img).content).toBe('I (i): [IMAGE: ER diagram, 1600x900]');
    expect(packer.formatPage(img)).toBe(packer.formatPage(img));
    expect(packer.formatPage(makePage({ pageId: 'i', modality: 'image', content: 'http://x' })).content).toBe('I (i): [IMAGE: http://x]');
    expect(packer.formatPage(makePage({ pageId: 'i', modality: 'image' })).content).toBe('I (i): [IMAGE:]');
    const audio = makePage({ pageId: 'a', modality: 'audio', durationSeconds: 342, transcript: 'x'.repeat(250) });
    expect(packer.formatPage(audio).content).toBe(`D (a): [AUDIO: 5:42 duration, transcript: "${'x'.repeat(200)}..."]`);
    expect(packer.formatPage(makePage({ pageId: 'a', modality: 'audio', content: 'said' })).content).toBe('D (a): [AUDIO: transcript: "said"]');
    expect(new ContextPacker({ legacyPrefixes: true }).formatPage(makePage({ pageId: 'a', modality: 'audio', content: 'said' })).content).toBe('D (a): [AUDIO:, transcript: "said"]');
    const video = makePage({ pageId: 'v', modality: 'video', durationSeconds: 750, metadata: { scene_count: 8, topic: 'admin walkthrough' } });
    expect(packer.formatPage(video).content).toBe('V (v): [VIDEO: 12:30 duration, 8 scenes, topic: "admin walkthrough"]');
    expect(packer.formatPage(makePage({ pageId: 'v', modality: 'video', caption: 'cap' })).content).toBe('V (v): [VIDEO: topic: "cap"]');
    expect(packer.formatPage(makePage({ pageId: 'v', modality: 'video', metadata: { scene_count: 2 } })).content).toBe('V (v): [VIDEO: 2 scenes]');
    const json = makePage({ pageId: 'j', modality: 'structured', content: { max_rows: 5000, region: 'eu' } });
    expect(packer.formatPage(json).content).toBe('J (j): {"max_rows":5000,"region":"eu"}');
    expect(packer.formatPage(makePage({ pageId: 'j', modality: 'structured' })).content).toBe('J (j): {}');
    expect(packer.formatPage(makePage({ pageId: 'j', modality: 'structured', content: 'raw' })).content).toBe('J (j): raw');
    expect(packer.formatPage(json, 2).content).toBe('J (j): {"max_ro...');
    expect(packer.formatPage(makePage({ pageId: 'j', modality: 'structured', content: 'ab' }), 2).content).toBe('J (j): ab');
    const weird = makePage({ pageId: 'w', modality: 'hologram' as 'text', content: { a: 1 } });
    expect(packer.formatPage(weird).content).toBe('? (w): {"a":1}');
    expect(packer.formatPage(makePage({ pageId: 'w', modality: 'hologram' as 'text' })).content).toBe('? (w): [no content]');
  });
  it('reuses lines of unchanged page objects between packs and re-renders changed ones', () => {
    const p = new ContextPacker();
    const a = text('a', 'one');
    const first = p.pack([a, text('b', 'two')]);
    expect(p.pack([a, text('b', 'two')]).content).toBe(first.content);
    expect(p.pack([{ ...a, content: 'uno' }]).content).toBe('U (a): "uno"');
  });
  it('line token estimates equal the estimator over the whole line (fast path and custom estimators)', () => {
    const lines = [text('p', 'say "hi"\n😀 x'.repeat(30)), text('q', 'plain '.repeat(50), { metadata: { role: 'assistant' } }), text('r', '')];
    for (const p of lines) {
      const f = packer.formatPage(p);
      expect(f.tokensEst).toBe(charRatioEstimator.estimateText(f.content));
      const raw = new ContextPacker({ escapeText: false, includeTimestamps: true }).formatPage(p);
      expect(raw.tokensEst).toBe(charRatioEstimator.estimateText(raw.content));
    }
    const words = new ContextPacker({}, createTiktokenEstimator((s) => s.split(' ').length));
    expect(words.formatPage(text('w', 'a b c')).tokensEst).toBe(5);
  });
  it('truncates text when more than 50 tokens remain, omits otherwise; continues after an omission', () => {
    const big = text('big', 'x'.repeat(2000));
    const small = text('small', 'y'.repeat(20));
    const r = packer.pack([small, big, text('after', 'z')], 120);
    expect(r.pagesIncluded).toEqual(['small', 'big']);
    expect(r.pagesTruncated).toEqual(['big']);
    expect(r.pagesOmitted).toEqual(['after']);
    expect(r.tokensEst).toBeLessThanOrEqual(120);
    const omitted = packer.pack([text('a', 'x'.repeat(160)), big, text('tiny', 'z')], 60);
    expect(omitted.pagesOmitted).toEqual(['big']);
    expect(omitted.pagesIncluded).toEqual(['a', 'tiny']);
    const img = makePage({ pageId: 'i', modality: 'image', caption: 'c'.repeat(400) });
    expect(packer.pack([img], 50).pagesOmitted).toEqual(['i']);
    expect(new ContextPacker({ maxTextLength: 5000 }).pack([big], 100).pagesOmitted).toEqual(['big']);
    const legacy = new ContextPacker({ legacyPrefixes: true }).pack([big], 100);
    expect(legacy.pagesTruncated).toEqual(['big']);
    const structured = makePage({ pageId: 'j', modality: 'structured', content: { k: 'v'.repeat(2000) } });
    expect(packer.pack([structured], 100).pagesTruncated).toEqual(['j']);
  });
  it('keeps groups whole under budget and can drop the oldest first', () => {
    const call = text('call', 'x'.repeat(200), { groupId: 'g1' });
    const result = text('result', 'y'.repeat(200), { groupId: 'g1' });
    const other = text('other', 'z'.repeat(40));
    const r = packer.pack([call, other, result], 80);
    expect(r.pagesOmitted).toEqual(['call', 'result']);
    expect(r.pagesIncluded).toEqual(['other']);
    const fits = packer.pack([call, other, result], 1000);
    expect(fits.pagesIncluded).toEqual(['call', 'other', 'result']);
    const newest = new ContextPacker({ dropOrder: 'oldest_first' });
    const pages = [text('old', 'o'.repeat(300)), text('mid', 'm'.repeat(300)), text('new', 'n'.repeat(300))];
    const kept = newest.pack(pages, 170);
    expect(kept.pagesIncluded).toEqual(['mid', 'new']);
    expect(kept.pagesOmitted).toEqual(['old']);
    expect(kept.content.startsWith('U (mid)')).toBe(true);
  });
});

describe('ManifestBuilder', () => {
  function table() {
    const t = new PageTable();
    t.register(makePage({ pageId: 'ws1', modality: 'text', storageTier: 'L0', sizeTokens: 12 }));
    t.register(makePage({ pageId: 'ws2', modality: 'image', storageTier: 'L0', sizeTokens: 0 }));
    t.register(makePage({ pageId: 'old', modality: 'text', storageTier: 'L2' }));
    t.register(makePage({ pageId: 'new', modality: 'text', storageTier: 'L2' }));
    t.register(makePage({ pageId: 'l1', modality: 'text', storageTier: 'L1' }));
    return t;
  }
  it('builds an empty manifest', () => {
    const m = new ManifestBuilder().build({ sessionId: 's', pageTable: new PageTable(), workingSetIds: [] });
    expect(m).toEqual({ session_id: 's', working_set: [], available_pages: [], policies: { faults_allowed: true, max_faults_per_turn: 2, upgrade_budget_tokens: 4096, prefer_levels: [2, 1, 0] } });
  });
  it('fills working set entries (overrides, fallback 100) and lists available pages (L1 first, then most recent)', () => {
    const t = table();
    const mb = new ManifestBuilder();
    const m = mb.build({
      sessionId: 's',
      pageTable: t,
      workingSetIds: ['ws1', 'ws2', 'unknown'],
      workingSetTokens: new Map([['ws1', 7]]),
      workingSetImportance: (id) => (id === 'ws2' ? 0.9 : undefined),
      hintGenerator: (e) => `hint ${e.pageId}`,
    });
    expect(m.working_set).toEqual([
      { page_id: 'ws1', modality: 'text', level: 0, tokens_est: 7, importance: 0.5 },
      { page_id: 'ws2', modality: 'image', level: 0, tokens_est: 100, importance: 0.9 },
    ]);
    expect(m.available_pages.map((a) => a.page_id)).toEqual(['l1', 'new', 'old']);
    expect(m.available_pages[0]).toEqual({ page_id: 'l1', modality: 'text', tier: 'L1', levels: [0, 1, 2, 3], hint: 'hint l1' });
    const { json } = mb.buildWithJson({ sessionId: 's', pageTable: t, workingSetIds: ['ws1'], hintGenerator: () => 'h' });
    expect(json).toBe(manifestToJSON(mb.build({ sessionId: 's', pageTable: t, workingSetIds: ['ws1'], hintGenerator: () => 'h' })));
    t.updateCompression('ws1', 2);
    t.updateLocation('old', 'L3');
    const again = mb.buildWithJson({ sessionId: 's', pageTable: t, workingSetIds: ['ws1'], hintGenerator: () => 'h' });
    expect(again.manifest.working_set[0]?.level).toBe(2);
    expect(JSON.parse(again.json)).toEqual(again.manifest);
  });
  it('registration order, cap, hint errors and custom policies', () => {
    const t = table();
    const errors: string[] = [];
    const mb = new ManifestBuilder({ availableOrder: 'registration', maxAvailablePages: 2, onHintError: (id) => errors.push(id), defaultPolicies: { max_faults_per_turn: 3 } });
    const m = mb.build({
      sessionId: 's',
      pageTable: t,
      workingSetIds: ['ws1'],
      hintGenerator: (e) => {
        if (e.pageId === 'ws2') throw new Error('boom');
        return 'ok';
      },
    });
    expect(m.available_pages.map((a) => [a.page_id, a.hint])).toEqual([
      ['ws2', ''],
      ['old', 'ok'],
    ]);
    expect(errors).toEqual(['ws2']);
    expect(m.policies.max_faults_per_turn).toBe(3);
    const policies = { faults_allowed: false, max_faults_per_turn: 1, upgrade_budget_tokens: 1, prefer_levels: [0] };
    expect(mb.build({ sessionId: 's', pageTable: t, workingSetIds: [], policies }).policies).toBe(policies);
    expect(new ManifestBuilder().build({ sessionId: 's', pageTable: t, workingSetIds: [] }).available_pages[0]?.hint).toBe('');
  });
  it('buildFromPages filters before slicing', () => {
    const mb = new ManifestBuilder({ maxAvailablePages: 2 });
    const wsPage = makePage({ pageId: 'a', modality: 'text', content: 'x'.repeat(40), importance: 0.7 });
    const m = mb.buildFromPages({
      sessionId: 's',
      workingSetPages: [wsPage],
      availableEntries: [makeEntry({ pageId: 'a', tier: 'L0' }), makeEntry({ pageId: 'b', tier: 'L2' }), makeEntry({ pageId: 'c', tier: 'L3' })],
      hintGenerator: generateSimpleHint,
    });
    expect(m.working_set).toEqual([{ page_id: 'a', modality: 'text', level: 0, tokens_est: 10, importance: 0.7 }]);
    expect(m.available_pages.map((x) => [x.page_id, x.hint])).toEqual([
      ['b', 'recent'],
      ['c', 'stored'],
    ]);
  });
  it('serialises compactly, indented and wrapped', () => {
    const m = new ManifestBuilder().build({ sessionId: 's', pageTable: new PageTable(), workingSetIds: [] });
    expect(manifestToJSON(m)).not.toContain('\n');
    expect(manifestToJSON(m, 2)).toContain('\n  "session_id"');
    expect(manifestToWrappedJSON(m)).toMatch(/^<VM:MANIFEST_JSON>\n\{.*\}\n<\/VM:MANIFEST_JSON>$/);
  });
  it('generates simple hints', () => {
    const e = (modality: 'text' | 'image' | 'video', tier: 'L0' | 'L1' | 'L2' | 'L3' | 'L4', compressionLevel: 0 | 1 | 2 | 3 = 0) => ({ modality, tier, compressionLevel });
    expect(generateSimpleHint(e('text', 'L2'))).toBe('recent');
    expect(generateSimpleHint(e('image', 'L3'))).toBe('image stored');
    expect(generateSimpleHint(e('video', 'L3', 1))).toBe('video stored excerpt');
    expect(generateSimpleHint(e('text', 'L4', 2))).toBe('archived summary');
    expect(generateSimpleHint(e('text', 'L0'))).toBe('content');
    expect(generateSimpleHint(e('text', 'L1'))).toBe('content');
  });
});

describe('prompts and tools', () => {
  it('lays out the developer message per mode', () => {
    const strict = buildVmDeveloperMessage({ mode: 'strict', manifestJson: '{}', context: 'U (a): "x"', systemPrompt: 'SYS', maxFaultsPerTurn: 3 });
    const parts = strict.split('\n\n<VM:');
    expect(strict.startsWith('SYS\n\n<VM:RULES>\n')).toBe(true);
    expect(strict).toContain('at most 3 faults per turn');
    expect(strict).toContain('<VM:MANIFEST_JSON>\n{}\n</VM:MANIFEST_JSON>');
    expect(strict.endsWith('<VM:CONTEXT>\nU (a): "x"\n</VM:CONTEXT>')).toBe(true);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(buildVmDeveloperMessage({ mode: 'strict', manifestJson: '{}', context: '' })).toContain('at most 2 faults per turn');
    const relaxed = buildVmDeveloperMessage({ mode: 'relaxed', manifestJson: '{}', context: '' });
    expect(relaxed.startsWith('<VM:RULES>\n')).toBe(true);
    expect(relaxed).toContain(VM_RELAXED_PROMPT);
    expect(relaxed.endsWith('<VM:CONTEXT>\n\n</VM:CONTEXT>')).toBe(true);
    const passive = buildVmDeveloperMessage({ mode: 'passive', manifestJson: '{}', context: 'c', systemPrompt: 'S' });
    expect(passive).toBe('S\n\n<VM:CONTEXT>\nc\n</VM:CONTEXT>');
    expect(getPromptForMode('passive')).toBe(VM_PASSIVE_PROMPT);
    expect(getPromptForMode('nonsense')).toBe(VM_PASSIVE_PROMPT);
  });
  it('defines the two tools with their parameters', () => {
    expect(getVmTools().map((t) => t.function.name)).toEqual(['page_fault', 'search_pages']);
    expect(getVmTools({ includeSearch: false })).toEqual([PAGE_FAULT_TOOL]);
    const fault = PAGE_FAULT_TOOL.function.parameters;
    expect(fault.required).toEqual(['page_id']);
    expect(fault.properties['target_level']).toMatchObject({ type: 'integer', minimum: 0, maximum: 3, default: 2 });
    const search = SEARCH_PAGES_TOOL.function.parameters;
    expect(search.required).toEqual(['query']);
    expect(search.properties['modality']?.enum).toEqual(['text', 'image', 'audio', 'video', 'structured']);
    expect(search.properties['limit']?.default).toBe(5);
    const json = getVmToolsAsJson();
    expect(JSON.stringify(json)).not.toContain('null');
    expect(json).toEqual(VM_TOOLS);
    expect(getVmToolsAsJson({ includeSearch: false })).toHaveLength(1);
  });
});

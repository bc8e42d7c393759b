import { describe, expect, it } from 'vitest';
import { DemandPagingPrePass, HintIndex, PageTable, makePage } from '../src/index.js';

const pp = new DemandPagingPrePass();

describe('recall signals', () => {
  it.each([
    'what did we decide?',
    'remember when we talked?',
    'remind me of the plan',
    'you mentioned a library',
    'You said that',
    'you suggested X',
    'you recommended Y',
    'as we discussed',
    'earlier you wrote',
    'previously on',
    'go back to the schema',
    'revisit the idea',
    'return to the topic',
    'refresh my memory',
    'that decision about caching',
    'that plan for launch',
    'that choice regarding db',
    'that approach for tests',
  ])('detects "%s"', (m) => {
    expect(pp.hasRecallSignal(m)).toBe(true);
  });
  it.each(['hello there', 'how do I write a for loop in rust?', '', 'what has weight?'])('does not fire on "%s"', (m) => {
    expect(pp.hasRecallSignal(m)).toBe(false);
  });
  it('legacy mode has no word boundaries; custom signals; empty list falls back', () => {
    expect(new DemandPagingPrePass({ legacy: true }).hasRecallSignal('what has weight?')).toBe(true);
    expect(new DemandPagingPrePass({ recallSignals: ['banana'] }).hasRecallSignal('BANANA split')).toBe(true);
    expect(new DemandPagingPrePass({ recallSignals: [/kiwi/i] }).hasRecallSignal('what did we')).toBe(false);
    expect(new DemandPagingPrePass({ recallSignals: [] }).hasRecallSignal('what did we')).toBe(true);
  });
});

describe('topics', () => {
  it('lower-cases, keeps ≥ 4 chars, splits on punctuation, drops stop words and dedupes', () => {
    expect(pp.extractTopics('Tell me about PostgreSQL-indexes, PostgreSQL!')).toEqual(['postgresql', 'indexes']);
    expect(new DemandPagingPrePass({ legacy: true }).extractTopics('Tell me about PostgreSQL, postgresql')).toEqual(['tell', 'about', 'postgresql', 'postgresql']);
    expect(pp.extractTopics('café naïve')).toEqual([]);
  });
});

describe('prefetch candidates', () => {
  function table() {
    const t = new PageTable();
    const hints = new Map<string, string>();
    const add = (id: string, pageType: 'claim' | 'summary' | 'transcript', hint?: string, tier: 'L0' | 'L2' = 'L2') => {
      t.register(makePage({ pageId: id, modality: 'text', pageType, storageTier: tier }));
      if (hint) hints.set(id, hint);
    };
    add('claim1', 'claim', 'decision: use postgres');
    add('sum1', 'summary', 'segment summary: databases');
    add('t1', 'transcript', '[user] kubernetes deployment question');
    add('t2', 'transcript', '[assistant] kubernetes answer with helm');
    add('t3', 'transcript', '[assistant] helm charts');
    add('mapped', 'claim', 'decision mapped', 'L0');
    return { t, hints };
  }
  it('claims and summaries only on recall; topic matches without recall; L0 excluded', () => {
    const { t, hints } = table();
    const ws = new Set(['mapped']);
    expect(pp.getPrefetchCandidates({ message: 'what did we decide?', pageTable: t, pageHints: hints, workingSetIds: ws })).toEqual(['claim1', 'sum1']);
    const topical = pp.getPrefetchCandidates({ message: 'kubernetes please', pageTable: t, pageHints: hints, workingSetIds: ws });
    expect(topical.sort()).toEqual(['t1', 't2']);
    expect(pp.getPrefetchCandidates({ message: '', pageTable: t, pageHints: hints, workingSetIds: ws })).toEqual([]);
  });
  it('ranks rare topic hits first and uses the hint index when given', () => {
    const { t, hints } = table();
    const index = new HintIndex();
    for (const [id, h] of hints) index.set(id, h);
    const q = { message: 'helm kubernetes', pageTable: t, pageHints: hints, workingSetIds: new Set<string>() };
    const withIndex = pp.classify({ ...q, hintIndex: index });
    expect(withIndex.topical[0]).toBe('t2');
    expect(pp.classify(q).topical[0]).toBe('t2');
    index.delete('t2');
    expect(pp.classify({ ...q, hintIndex: index }).topical).not.toContain('t2');
    index.set('t1', 'changed');
    expect(index.pagesWith('kubernetes').size).toBe(0);
    index.clear();
    expect(index.pagesWith('helm').size).toBe(0);
  });
  it('ranks equally scored pages newest first: a correction before the statement it corrects (fidelity fix 8)', () => {
    const t = new PageTable();
    const hints = new Map<string, string>();
    const index = new HintIndex();
    for (const [id, hint] of [
      ['stated', '[user] The Fjord Newt staging port is 24487.'],
      ['other', '[user] Something else entirely.'],
      ['corrected', '[user] Correction: the Fjord Newt staging port is 57242.'],
    ] as const) {
      t.register(makePage({ pageId: id, modality: 'text', content: hint }));
      hints.set(id, hint);
      index.set(id, hint);
    }
    const q = { message: 'Which staging port does Fjord Newt use?', pageTable: t, pageHints: hints, workingSetIds: new Set<string>() };
    expect(pp.classify({ ...q, hintIndex: index }).topical).toEqual(['corrected', 'stated']);
    expect(pp.classify(q).topical).toEqual(['corrected', 'stated']);
  });
  it('legacy order: claims, topic matches, summaries; dedupe; cap', () => {
    const { t, hints } = table();
    const legacy = new DemandPagingPrePass({ legacy: true, maxPrefetchPages: 3 });
    const out = legacy.getPrefetchCandidates({ message: 'as we said about kubernetes', pageTable: t, pageHints: hints, workingSetIds: new Set() });
    expect(out).toEqual(['claim1', 'mapped', 't1']);
    const all = new DemandPagingPrePass({ legacy: true, maxPrefetchPages: 10 }).getPrefetchCandidates({
      message: 'as we said about kubernetes decision',
      pageTable: t,
      pageHints: hints,
      workingSetIds: new Set(['mapped']),
    });
    expect(all).toEqual(['claim1', 't1', 't2', 'sum1']);
    expect(new DemandPagingPrePass({ legacy: true }).getPrefetchCandidates({ message: 'helm', pageTable: t, pageHints: hints, workingSetIds: new Set() })).toEqual(['t2', 't3']);
  });
  it('caps at 5 by default and at a custom number', () => {
    const t = new PageTable();
    for (let i = 0; i < 8; i++) t.register(makePage({ pageId: `c${i}`, modality: 'text', pageType: 'claim', storageTier: 'L2' }));
    const q = { message: 'remind me', pageTable: t, pageHints: new Map<string, string>(), workingSetIds: new Set<string>() };
    expect(pp.getPrefetchCandidates(q)).toHaveLength(5);
    expect(new DemandPagingPrePass({ maxPrefetchPages: 2 }).getPrefetchCandidates(q)).toHaveLength(2);
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidInput } from '@chuk/models';
import { DemandPagingPrePass, HintIndex, PageTable, REFERENCE_MAX_TOPICS, makePage } from '../src/index.js';

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

describe('referenced pages (no recall signal)', () => {
  /** Hints by id, registered in this order (oldest first), with their hint index. */
  function query(entries: readonly (readonly [string, string])[], message: string, mapped: readonly string[] = []) {
    const pageTable = new PageTable();
    const pageHints = new Map<string, string>();
    const hintIndex = new HintIndex();
    for (const [id, hint] of entries) {
      pageTable.register(makePage({ pageId: id, modality: 'text', content: hint }));
      pageHints.set(id, hint);
      hintIndex.set(id, hint);
    }
    return { message, pageTable, pageHints, hintIndex, workingSetIds: new Set(mapped) };
  }
  const facts = [
    ['acct', '[user] My Amber Falcon account number is 7731.'],
    ['contact', '[user] The Amber Heron contact person is Dana.'],
    ['other', '[user] My Saffron Condor account number is 1200.'],
    ['fix', '[user] Correction: my Amber Falcon account number is now 9050.'],
  ] as const;

  it('names the pages holding the most of the message topics, newest first; mapped pages left out', () => {
    const q = query(facts, 'What is my Amber Falcon account number?');
    expect(pp.referencedPages(q)).toEqual(['fix', 'acct']);
    expect(pp.referencedPages({ ...q, hintIndex: undefined })).toEqual(['fix', 'acct']);
    expect(pp.referencedPages(query(facts, 'What is my Amber Falcon account number?', ['fix']))).toEqual(['acct']);
    // The message's own page, mapped, holds every topic: it does not hide the page it asks about.
    const own = query([...facts, ['ask', '[user] What is my Amber Falcon account number?']], 'What is my Amber Falcon account number?', ['ask']);
    expect(pp.referencedPages(own)).toEqual(['fix', 'acct']);
    expect(pp.referencedPages(query(facts, 'Who is the Amber Heron contact person?'))).toEqual(['contact']);
  });
  it('needs at least two topics and half of them in one page', () => {
    expect(pp.referencedPages(query(facts, 'Falcon?'))).toEqual([]);
    // Five topics found in hints, at most two of them in one page: under half.
    expect(pp.referencedPages(query(facts, 'saffron condor heron dana falcon'))).toEqual([]);
    expect(new DemandPagingPrePass({ referenceMinShare: 0.25 }).referencedPages(query(facts, 'saffron condor heron dana falcon'))).toEqual(['contact', 'other']);
    // Words no hint holds do not count against the share.
    expect(pp.referencedPages(query(facts, 'amber falcon kiwi mango papaya guava lychee'))).toEqual(['fix', 'acct']);
    expect(new DemandPagingPrePass({ referenceMinTopics: 5 }).referencedPages(query(facts, 'What is my Amber Falcon account number?'))).toEqual([]);
  });
  it('names nothing when more pages tie than it may prefetch, when off, or in legacy mode', () => {
    const many = Array.from({ length: 6 }, (_, i) => [`p${i}`, `[user] account number ${i}`] as const);
    expect(pp.referencedPages(query(many, 'which account number?'))).toEqual([]);
    expect(new DemandPagingPrePass({ maxPrefetchPages: 6 }).referencedPages(query(many, 'which account number?'))).toHaveLength(6);
    // Mapped pages count too: words shared with many pages name none of them, even when only two are evicted.
    expect(pp.referencedPages(query(many, 'which account number?', ['p0', 'p1', 'p2', 'p3']))).toEqual([]);
    expect(new DemandPagingPrePass({ referenceMinTopics: 0 }).referencedPages(query(facts, 'What is my Amber Falcon account number?'))).toEqual([]);
    expect(new DemandPagingPrePass({ legacy: true }).referencedPages(query(facts, 'What is my Amber Falcon account number?'))).toEqual([]);
    const pasted = `What is my Amber Falcon account number? ${Array.from({ length: REFERENCE_MAX_TOPICS }, (_, i) => `word${i}`).join(' ')}`;
    expect(pp.referencedPages(query([...facts, ['words', pasted]], pasted))).toEqual([]);
  });
  it('ignores topics held by more than maxTopicPages pages, in the reference test and in the ranking', () => {
    const narrow = new DemandPagingPrePass({ maxTopicPages: 1 });
    // "amber", "falcon", "account" and "number" are each in two or more pages: no topic is counted.
    expect(narrow.referencedPages(query(facts, 'What is my Amber Falcon account number?'))).toEqual([]);
    expect(narrow.classify(query(facts, 'amber heron dana')).topical).toEqual(['contact']);
    expect(pp.classify(query(facts, 'amber heron dana')).topical[0]).toBe('contact');
    expect(pp.classify(query(facts, 'amber heron dana')).topical).toContain('acct');
  });
  it('common topics are not walked but count towards the share a page must hold', () => {
    const narrow = new DemandPagingPrePass({ maxTopicPages: 1 });
    const pages = [
      ['a', 'alpha beta shared common'],
      ['b', 'shared common other'],
      ['c', 'shared common third'],
    ] as const;
    expect(narrow.referencedPages(query(pages, 'alpha beta shared common'))).toEqual(['a']);
    // Six known topics: a page must hold three, and "a" holds two of the walked ones.
    expect(narrow.referencedPages(query(pages, 'alpha beta shared common other third'))).toEqual([]);
  });
  it('rejects bad counts and shares with InvalidInput naming the option', () => {
    expect(() => new DemandPagingPrePass({ maxTopicPages: -1 })).toThrow(/demandPaging\.maxTopicPages/);
    expect(() => new DemandPagingPrePass({ referenceMinTopics: 1.5 })).toThrow(/demandPaging\.referenceMinTopics/);
    expect(() => new DemandPagingPrePass({ referenceMinShare: 2 })).toThrow(/demandPaging\.referenceMinShare/);
    expect(() => new DemandPagingPrePass({ referenceMinShare: Number.NaN })).toThrow(InvalidInput);
  });
});

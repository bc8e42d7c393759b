import { describe, expect, it } from 'vitest';
import {
  ImportanceWeightedLRU,
  LRUEvictionPolicy,
  MemoryManager,
  ModalityAwareLRU,
  PageTable,
  PageTypeAwarePolicy,
  makePage,
  type EvictionCandidate,
  type EvictionContext,
  type EvictionPolicy,
  type MemoryPage,
} from '../src/index.js';
import { coverNeed } from '../src/eviction.js';

/** Spec §8.5: the eviction policies honour the `tokensNeeded` hint. */

const T0 = new Date('2026-01-01T00:00:00Z');

const page = (id: string, tokens: number, init: Partial<Parameters<typeof makePage>[0]> = {}): MemoryPage =>
  makePage({ pageId: id, modality: 'text', sizeTokens: tokens, ...init }, T0);

/** L0 oldest first: a (10 tokens), b (10), c (100), d (10). */
function l0Context(pages: MemoryPage[] = [page('a', 10), page('b', 10), page('c', 100), page('d', 10)]): EvictionContext {
  const byId = new Map(pages.map((p) => [p.pageId, p]));
  return {
    currentTurn: 0,
    l0PageIds: pages.map((p) => p.pageId),
    l1Pages: new Map(),
    pinnedPageIds: new Set(),
    importanceOverrides: new Map(),
    now: T0,
    getPage: (id) => byId.get(id),
  };
}

const ids = (cs: readonly EvictionCandidate[]): string[] => cs.map((c) => c.pageId);
const ascending = (cs: readonly EvictionCandidate[]): boolean => cs.every((c, i) => i === 0 || (cs[i - 1] as EvictionCandidate).score <= c.score);
const cand = (pageId: string, score: number): EvictionCandidate => ({ pageId, score });

describe('coverNeed', () => {
  const sizes = new Map([
    ['a', 10],
    ['b', 10],
    ['c', 100],
    ['d', 300],
  ]);
  const tokensOf = (id: string): number => sizes.get(id) ?? 0;
  const sorted = [cand('a', 0.1), cand('b', 0.2), cand('c', 0.3), cand('d', 0.35)];

  it('leaves the list as it is without a need, or when no prefix covers it', () => {
    expect(coverNeed(sorted, undefined, tokensOf)).toBe(sorted);
    expect(coverNeed(sorted, 0, tokensOf)).toBe(sorted);
    expect(coverNeed(sorted, Number.NaN, tokensOf)).toBe(sorted);
    expect(coverNeed(sorted, 1000, tokensOf)).toBe(sorted);
    expect(coverNeed([cand('c', 0.1)], 50, tokensOf)).toEqual([cand('c', 0.1)]);
    // The cheapest pages already cover the need exactly: nothing to reorder.
    expect(coverNeed(sorted, 20, tokensOf)).toBe(sorted);
  });

  it('spares the members of the covering prefix it does not need', () => {
    // a + b + c cover 50; c alone does, and a and b are spared.
    expect(ids(coverNeed(sorted, 50, tokensOf))).toEqual(['c', 'a', 'b', 'd']);
  });

  it('takes one page that covers the need alone when it loses less than the set', () => {
    const cheapBig = [cand('a', 0.1), cand('b', 0.2), cand('c', 0.25), cand('x', 0.3), cand('d', 0.35)];
    const size = (id: string): number => (id === 'd' ? 300 : 100);
    // a + b + c (300 tokens, score 0.55) cover 250; d alone covers it at 0.35.
    expect(ids(coverNeed(cheapBig, 250, size))).toEqual(['d', 'a', 'b', 'c', 'x']);
    // Negative sizes count as 0.
    expect(ids(coverNeed([cand('n', 0), cand('c', 0.1), cand('d', 0.2)], 60, (id) => (id === 'n' ? -50 : tokensOf(id))))).toEqual(['c', 'n', 'd']);
  });
});

describe('each built-in policy honours tokensNeeded', () => {
  const policies: [string, EvictionPolicy][] = [
    ['ImportanceWeightedLRU', new ImportanceWeightedLRU()],
    ['LRUEvictionPolicy', new LRUEvictionPolicy()],
    ['ModalityAwareLRU', new ModalityAwareLRU()],
    ['PageTypeAwarePolicy', new PageTypeAwarePolicy()],
  ];
  for (const [name, policy] of policies) {
    it(`${name}: one 100-token page instead of the small ones before it; unchanged without a need`, () => {
      const ctx = l0Context();
      const plain = policy.scoreCandidates(ctx, 'L0');
      expect(ids(plain)).toEqual(['a', 'b', 'c', 'd']);
      expect(ascending(plain)).toBe(true);
      expect(policy.scoreCandidates(ctx, 'L0', 0)).toEqual(plain);
      const needy = policy.scoreCandidates(ctx, 'L0', 50);
      expect(ids(needy)).toEqual(['c', 'a', 'b', 'd']);
      expect(ascending(needy.slice(1))).toBe(true);
      // A need no candidates cover keeps the plain order.
      expect(policy.scoreCandidates(ctx, 'L0', 1000)).toEqual(plain);
    });
  }

  it('ModalityAwareLRU covers the need after its own weighting (an image goes first)', () => {
    const pages = [page('a', 10), page('b', 10), page('c', 100), page('img', 100, { modality: 'image' })];
    const table = new PageTable();
    for (const p of pages) table.register(p);
    const ctx: EvictionContext = { ...l0Context(pages), pageTable: table };
    const policy = new ModalityAwareLRU();
    expect(ids(policy.scoreCandidates(ctx, 'L0'))[0]).toBe('a');
    expect(ids(policy.scoreCandidates(ctx, 'L0', 50))[0]).toBe('img');
  });

  it('L1 candidates are sized from the L1 pages; unknown sizes keep the order', () => {
    const l1 = new Map([
      ['old', page('old', 10, { lastAccessed: new Date(T0.getTime() - 7_200_000) })],
      ['mid', page('mid', 100, { lastAccessed: new Date(T0.getTime() - 3_600_000) })],
    ]);
    const ctx: EvictionContext = { ...l0Context(), l1Pages: l1 };
    const lru = new LRUEvictionPolicy();
    expect(ids(lru.scoreCandidates(ctx, 'L1'))).toEqual(['old', 'mid']);
    expect(ids(lru.scoreCandidates(ctx, 'L1', 50))).toEqual(['mid', 'old']);
    const unsized: EvictionContext = { ...l0Context(), getPage: () => undefined };
    expect(ids(new ImportanceWeightedLRU().scoreCandidates(unsized, 'L0', 50))).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('through the manager', () => {
  it('mapping a page evicts the one older page that makes room, not every small page before it', async () => {
    const m = new MemoryManager({
      sessionId: 's',
      clock: () => T0,
      autoPin: false,
      compressorRegistry: null,
      config: { maxL0Tokens: 300, reservedTokens: 0, targetUtilization: 1, evictionThreshold: 1 },
    });
    for (const [id, chars] of [['s1', 40], ['s2', 40], ['big', 600], ['s3', 40], ['s4', 40]] as const) {
      await m.addToWorkingSet(await m.createPage('x'.repeat(chars), { pageId: id }));
    }
    // 190 of 300 tokens used; a 150-token page (the need) does not fit: 'big' (150) covers it alone, so the small
    // pages before it (s1, s2: 10 each) stay. Oldest first would have evicted s1, s2 and big.
    expect(await m.addToWorkingSet(await m.createPage('y'.repeat(600), { pageId: 'new' }))).toBe(true);
    expect((await m.getL0Pages()).map((p) => p.pageId)).toEqual(['s1', 's2', 's3', 's4', 'new']);
  });
});

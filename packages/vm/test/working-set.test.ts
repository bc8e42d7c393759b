import { describe, expect, it } from 'vitest';
import { InvalidInput } from '@chuk/models';
import {
  AntiThrashPolicy,
  ImportanceWeightedLRU,
  LRUEvictionPolicy,
  ModalityAwareLRU,
  PageTable,
  PageTypeAwarePolicy,
  PinnedSet,
  WorkingSetManager,
  makePage,
  type EvictionContext,
  type EvictionPolicy,
  type MemoryPage,
} from '../src/index.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const clock = () => T0;
const page = (id: string, tokens = 100, init: Partial<Parameters<typeof makePage>[0]> = {}) =>
  makePage({ pageId: id, modality: 'text', sizeTokens: tokens, ...init }, T0);

describe('PinnedSet', () => {
  it('pins, auto-pins, unpins both and counts without duplicates', () => {
    const s = new PinnedSet();
    s.pin('a');
    s.autoPin('a');
    s.autoPin('b');
    expect(s.count()).toBe(2);
    expect(s.isPinned('b')).toBe(true);
    expect(s.isExplicitlyPinned('b')).toBe(false);
    expect([...s.getAllPinned()].sort()).toEqual(['a', 'b']);
    s.clearAutoPins();
    expect(s.isPinned('a')).toBe(true);
    expect(s.isPinned('b')).toBe(false);
    s.autoPin('a');
    s.unpin('a');
    expect(s.isPinned('a')).toBe(false);
    expect(s.autoPinned.size).toBe(0);
    expect(s.pinned.size).toBe(0);
    s.pin('x');
    s.autoPin('y');
    const back = PinnedSet.fromJSON(s.toJSON());
    expect([...back.all].sort()).toEqual(['x', 'y']);
    expect(() => new PinnedSet({ autoPinLastNTurns: -1 })).toThrow(InvalidInput);
  });
});

describe('AntiThrashPolicy', () => {
  it('blocks at the exact window boundaries', () => {
    const p = new AntiThrashPolicy();
    p.recordFault('f', 5);
    expect([5, 6, 7].map((t) => p.canEvict('f', t))).toEqual([false, false, true]);
    p.recordEviction('e', 1);
    expect([1, 2, 3, 4].map((t) => p.canEvict('e', t))).toEqual([false, false, false, true]);
  });
  it('computes penalties (0 without history, capped at 1) and 0 for every evictable page', () => {
    const p = new AntiThrashPolicy();
    expect(p.getEvictionPenalty('x', 3)).toBe(0);
    p.recordFault('a', 5);
    p.recordEviction('a', 5);
    expect(p.getEvictionPenalty('a', 5)).toBe(1);
    expect(p.getEvictionPenalty('a', 6)).toBeCloseTo(0.5 + 0.5 * (1 - 1 / 3));
    for (let t = 5; t < 12; t++) if (p.canEvict('a', t)) expect(p.getEvictionPenalty('a', t)).toBe(0);
    expect(p.getEvictionPenalty('a', 2)).toBe(1);
  });
  it('zero-length windows never block nor divide by zero', () => {
    const p = new AntiThrashPolicy({ evictionCooldownTurns: 0, faultProtectionTurns: 0 });
    p.recordFault('a', 5);
    p.recordEviction('a', 5);
    expect(p.canEvict('a', 5)).toBe(true);
    expect(p.getEvictionPenalty('a', 4)).toBe(0);
  });
  it('cleans history older than max age (20 kept, 21 dropped) and serialises', () => {
    const p = new AntiThrashPolicy();
    p.recordFault('old', 0);
    p.recordEviction('edge', 1);
    p.cleanupOldHistory(21);
    expect(p.faultHistory.has('old')).toBe(false);
    expect(p.evictionHistory.has('edge')).toBe(true);
    p.forget('edge');
    expect(p.evictionHistory.size).toBe(0);
    p.recordFault('x', 3);
    expect(AntiThrashPolicy.fromJSON(p.toJSON()).faultHistory.get('x')).toBe(3);
    expect(() => new AntiThrashPolicy({ bogus: 1 } as never)).toThrow(InvalidInput);
  });
});

describe('WorkingSetManager', () => {
  const ws = (config = {}) => new WorkingSetManager({ config: { maxL0Tokens: 1000, reservedTokens: 0, ...config }, clock });

  it('derives the budget from the config (custom reserved honoured) and rejects unknown keys', () => {
    const w = new WorkingSetManager({ config: { reservedTokens: 1000 } });
    expect(w.budget.totalLimit).toBe(32000);
    expect(w.budget.reserved).toBe(1000);
    expect(() => new WorkingSetManager({ config: { max_tokens: 5000 } as never })).toThrow(InvalidInput);
    expect(() => new WorkingSetManager({ config: { evictionThreshold: 2 } })).toThrow(InvalidInput);
  });
  it('adds to L0 (tier, budget, order) and rejects over budget', () => {
    const w = ws();
    const a = page('a', 600);
    expect(w.addToL0(a)).toBe(true);
    expect(a.storageTier).toBe('L0');
    expect(a.accessCount).toBe(1);
    expect(w.tokensUsed).toBe(600);
    expect(w.addToL0(page('b', 500))).toBe(false);
    expect(w.addToL0(page('c', 400))).toBe(true);
    expect(w.l0Pages).toEqual(['a', 'c']);
    expect(w.tokensAvailable).toBe(0);
    expect(w.utilization).toBe(1);
    expect(w.needsEviction()).toBe(true);
  });
  it('does not double-charge a page added twice (charges the delta)', () => {
    const w = ws();
    const a = page('a', 300);
    w.addToL0(a);
    w.addToL0(a);
    expect(w.tokensUsed).toBe(300);
    a.sizeTokens = 200;
    expect(w.addToL0(a)).toBe(true);
    expect(w.tokensUsed).toBe(200);
    a.sizeTokens = 2000;
    expect(w.addToL0(a)).toBe(false);
    expect(w.tokensUsed).toBe(200);
    expect(w.l0Count).toBe(1);
  });
  it('respects max_l1_pages and demotes from L0 releasing tokens', () => {
    const w = ws({ maxL1Pages: 1 });
    const a = page('a', 300);
    w.addToL0(a);
    expect(w.addToL1(a)).toBe(true);
    expect(a.storageTier).toBe('L1');
    expect(w.tokensUsed).toBe(0);
    expect(w.addToL1(page('b'))).toBe(false);
    expect(w.addToL1(a)).toBe(true);
    expect(w.getPage('a')).toBe(a);
    expect(w.getL1Pages()).toEqual([a]);
    expect(w.isInL1('a')).toBe(true);
    expect(w.isInWorkingSet('a')).toBe(true);
  });
  it('promote/demote preconditions', () => {
    const w = ws();
    const a = page('a');
    expect(w.promoteToL0(a)).toBe(false);
    expect(w.demoteToL1(a)).toBe(false);
    w.addToL1(a);
    expect(w.promoteToL0(a)).toBe(true);
    expect(w.isInL0('a')).toBe(true);
    expect(w.demoteToL1(a)).toBe(true);
    expect(w.isInL1('a')).toBe(true);
  });
  it('remove releases the charged budget', () => {
    const w = ws();
    const a = page('a', 300);
    w.addToL0(a);
    a.sizeTokens = 1;
    expect(w.remove('a')).toBeUndefined();
    expect(w.tokensUsed).toBe(0);
    w.addToL1(a);
    expect(w.remove('a')).toBe(a);
    expect(w.removeFromL0('a')).toBe(false);
    w.addToL0(a);
    expect(w.removeFromL0('a', a)).toBe(true);
    expect(w.size).toBe(0);
  });
  it('updates page tokens only for L0 pages', () => {
    const w = ws();
    w.updatePageTokens('x', 10, 5);
    expect(w.tokensUsed).toBe(0);
    w.addToL0(page('a', 100));
    w.updatePageTokens('a', 100, 40);
    expect(w.tokensUsed).toBe(40);
    expect(w.chargedTokens('a')).toBe(40);
  });
  it('excludes pinned (set and page.pinned for L1) and protected pages from candidates', () => {
    const w = ws();
    for (const id of ['a', 'b', 'c', 'd']) w.addToL0(page(id, 10));
    w.pinPage('a');
    w.recordFault('b');
    expect(w.getEvictionCandidates().map((c) => c.pageId)).toEqual(['c', 'd']);
    w.unpinPage('a');
    expect(w.isPinned('a')).toBe(false);
    w.addToL1(page('p', 10, { pinned: true }));
    w.addToL1(page('q', 10));
    expect(w.getEvictionCandidates({ fromTier: 'L1' }).map((c) => c.pageId)).toEqual(['q']);
  });
  it('runs history cleanup every 10th turn', () => {
    const w = ws();
    w.recordEviction('x');
    for (let i = 0; i < 9; i++) w.newTurn();
    w.antiThrash.recordFault('old', -100);
    expect(w.antiThrash.faultHistory.has('old')).toBe(true);
    w.newTurn();
    expect(w.currentTurn).toBe(10);
    expect(w.antiThrash.faultHistory.has('old')).toBe(false);
  });
  it('computes the eviction target (worked example) and clamps importance', () => {
    const w = ws();
    w.addToL0(page('a', 900));
    expect(w.calculateEvictionTarget(200)).toBe(400);
    expect(w.calculateEvictionTarget()).toBe(200);
    w.setImportance('a', 7);
    expect(w.importanceOverrides.get('a')).toBe(1);
    w.setImportance('a', -1);
    expect(w.importanceOverrides.get('a')).toBe(0);
    w.clearImportance('a');
    expect(w.importanceOverrides.size).toBe(0);
  });
  it('delegates to a custom policy and reports stats', () => {
    const seen: EvictionContext[] = [];
    const policy: EvictionPolicy = {
      scoreCandidates(ctx) {
        seen.push(ctx);
        return [{ pageId: 'zz', score: 0 }];
      },
    };
    const w = new WorkingSetManager({ evictionPolicy: policy, clock });
    w.addToL0(page('a'));
    expect(w.getEvictionCandidates({ pages: () => undefined, pageTable: new PageTable() })).toEqual([{ pageId: 'zz', score: 0 }]);
    expect(seen[0]?.l0PageIds).toEqual(['a']);
    expect(seen[0]?.now).toBe(T0);
    w.setEvictionPolicy(null);
    expect(w.evictionPolicy).toBeInstanceOf(ImportanceWeightedLRU);
    const stats = w.getStats();
    expect(stats).toMatchObject({ l0Pages: 1, l1Pages: 0, totalPages: 1, tokensUsed: 100, needsEviction: false });
    expect(stats.tokensByModality.text).toBe(100);
  });
  it('a snapshot keeps the L0 order; an L0 id it lists without a charge is restored charged nothing', () => {
    const w = ws();
    w.addToL0(page('b', 30));
    w.addToL0(page('a', 20));
    const snap = w.toJSON();
    const back = WorkingSetManager.fromJSON({ ...snap, l0PageIds: [...snap.l0PageIds, 'c'] });
    expect(back.l0Pages).toEqual(['b', 'a', 'c']);
    expect(back.tokensUsed).toBe(50);
    expect(back.chargedTokens('c')).toBe(0);
    expect(back.isInL0('c')).toBe(true);
  });
  it('clear keeps pins and anti-thrash; snapshots round-trip', () => {
    const w = ws();
    const a = page('a', 100);
    w.addToL0(a);
    w.addToL1(page('l1', 5));
    w.pinPage('a');
    w.recordFault('a');
    w.setImportance('a', 0.9);
    w.newTurn();
    const snap = w.toJSON();
    const back = WorkingSetManager.fromJSON(JSON.parse(JSON.stringify(snap)) as typeof snap, { pages: (id) => (id === 'l1' ? page('l1', 5) : undefined) });
    expect(back.l0Pages).toEqual(['a']);
    expect(back.tokensUsed).toBe(100);
    expect(back.isPinned('a')).toBe(true);
    expect(back.currentTurn).toBe(1);
    expect(back.importanceOverrides.get('a')).toBe(0.9);
    expect(back.isInL1('l1')).toBe(true);
    w.clear();
    expect(w.l0Count + w.l1Count).toBe(0);
    expect(w.tokensUsed).toBe(0);
    expect(w.isPinned('a')).toBe(true);
    expect(w.antiThrash.faultHistory.has('a')).toBe(true);
    expect([...w.l0Ids()]).toEqual([]);
    expect(w.getL0PageIds()).toEqual([]);
  });
});

describe('eviction policies', () => {
  const ctx = (over: Partial<EvictionContext> = {}): EvictionContext => ({
    currentTurn: 0,
    l0PageIds: ['a', 'b', 'c', 'd'],
    l1Pages: new Map(),
    pinnedPageIds: new Set(),
    importanceOverrides: new Map(),
    now: T0,
    ...over,
  });
  const parity = new ImportanceWeightedLRU({ l0ImportanceSource: 'override_only', pageTypeWeighting: false });

  it('skips the penalty lookup only for the built-in anti-thrash policy; a subclass penalty still counts', () => {
    const builtIn = new AntiThrashPolicy({ faultProtectionTurns: 2, evictionCooldownTurns: 3 });
    expect(builtIn.penaltyZeroWhenEvictable).toBe(true);
    builtIn.recordEviction('b', 0);
    builtIn.recordFault('c', 0);
    const turn = 5; // past both windows: b and c are evictable and carry no penalty
    expect(builtIn.canEvict('b', turn) && builtIn.canEvict('c', turn)).toBe(true);
    expect(builtIn.getEvictionPenalty('b', turn) + builtIn.getEvictionPenalty('c', turn)).toBe(0);
    const plain = parity.scoreCandidates(ctx({ currentTurn: turn }), 'L0').map((c) => c.score);
    expect(parity.scoreCandidates(ctx({ currentTurn: turn, antiThrash: builtIn }), 'L0').map((c) => c.score)).toEqual(plain);
    expect(parity.scoreCandidates(ctx({ currentTurn: 1, antiThrash: builtIn }), 'L0').map((c) => c.pageId)).toEqual(['a', 'd']);
    class Sticky extends AntiThrashPolicy {
      override getEvictionPenalty(id: string): number {
        return id === 'a' ? 1 : 0;
      }
    }
    const sticky = new Sticky();
    expect(sticky.penaltyZeroWhenEvictable).toBe(false);
    const scored = parity.scoreCandidates(ctx({ antiThrash: sticky }), 'L0');
    const base = parity.scoreCandidates(ctx(), 'L0');
    expect(scored.find((c) => c.pageId === 'a')!.score).toBeGreaterThan(base.find((c) => c.pageId === 'a')!.score);
    expect(scored.find((c) => c.pageId === 'b')!.score).toBe(base.find((c) => c.pageId === 'b')!.score);
  });

  it('scores L0 by position (0.2, 0.3, 0.4, 0.5) in parity mode', () => {
    expect(parity.scoreCandidates(ctx(), 'L0').map((c) => c.score)).toEqual([0.2, 0.30000000000000004, 0.4, 0.5]);
    const n = parity.scoreCandidates(ctx({ l0PageIds: [] }), 'L0');
    expect(n).toEqual([]);
  });
  it('uses page importance at L0 by default and ignores it with override_only', () => {
    const pages = new Map<string, MemoryPage>([
      ['a', page('a', 10, { importance: 0.9 })],
      ['b', page('b', 10, { importance: 0.1 })],
    ]);
    const c = ctx({ l0PageIds: ['a', 'b'], getPage: (id) => pages.get(id) });
    expect(new ImportanceWeightedLRU({ pageTypeWeighting: false }).scoreCandidates(c, 'L0')[0]?.pageId).toBe('b');
    expect(parity.scoreCandidates(c, 'L0')[0]?.pageId).toBe('a');
    expect(parity.scoreCandidates({ ...c, importanceOverrides: new Map([['a', 0]]) }, 'L0')[0]?.pageId).toBe('a');
  });
  it('weighs page type by default (claims outlive transcripts)', () => {
    const table = new PageTable();
    table.register(page('claim', 10, { pageType: 'claim' }));
    table.register(page('t', 10));
    const c = ctx({ l0PageIds: ['claim', 't'], pageTable: table });
    expect(new ImportanceWeightedLRU().scoreCandidates(c, 'L0').map((x) => x.pageId)).toEqual(['t', 'claim']);
    const c2 = ctx({ l0PageIds: ['claim', 't'], getPage: (id) => table.lookup(id) && page(id, 10, { pageType: id === 'claim' ? 'claim' : 'transcript' }) });
    expect(new ImportanceWeightedLRU().scoreCandidates(c2, 'L0').map((x) => x.pageId)).toEqual(['t', 'claim']);
    expect(new PageTypeAwarePolicy().scoreCandidates(c, 'L0').map((x) => x.pageId)).toEqual(['t', 'claim']);
  });
  it('scores L1 pages with the recency/frequency/importance formula', () => {
    const twoHoursAgo = new Date(T0.getTime() - 2 * 3600 * 1000);
    const p = page('p', 10, { lastAccessed: twoHoursAgo, accessCount: 5, importance: 0.7 });
    const [c] = parity.scoreCandidates(ctx({ l1Pages: new Map([['p', p]]) }), 'L1');
    const expected = (1 / 3) * 0.3 + Math.min(1, Math.log(6) / 10) * 0.2 + 0.7 * 0.3;
    expect(c?.score).toBeCloseTo(expected);
    const withOverride = parity.scoreCandidates(ctx({ l1Pages: new Map([['p', p]]), importanceOverrides: new Map([['p', 0]]) }), 'L1');
    expect(withOverride[0]?.score).toBeLessThan(expected);
    expect(new ImportanceWeightedLRU().scoreCandidates(ctx({ l1Pages: new Map([['p', p]]) }), 'L1')[0]?.score).toBeCloseTo(expected * 0.3);
  });
  it('excludes pinned and protected pages; anti-thrash penalty enters the score', () => {
    const thrash = { canEvict: (id: string) => id !== 'b', getEvictionPenalty: (id: string) => (id === 'c' ? 1 : 0) };
    const out = parity.scoreCandidates(ctx({ pinnedPageIds: new Set(['a']), antiThrash: thrash }), 'L0');
    expect(out.map((c) => c.pageId)).toEqual(['d', 'c']);
    const l1 = parity.scoreCandidates(ctx({ l1Pages: new Map([['a', page('a')], ['z', page('z', 1, { pinned: true })]]), pinnedPageIds: new Set(['a']) }), 'L1');
    expect(l1).toEqual([]);
  });
  it('validates weight sums', () => {
    expect(() => new ImportanceWeightedLRU({ l0PositionWeight: 0.9 })).toThrow(InvalidInput);
    expect(() => new ImportanceWeightedLRU({ l1RecencyWeight: 0.9 })).toThrow(InvalidInput);
    expect(() => new ImportanceWeightedLRU({ l0PositionWeight: 0.5, l0ImportanceWeight: 0.3 })).not.toThrow();
  });
  it('LRU orders by position at L0 and by recency at L1', () => {
    const lru = new LRUEvictionPolicy();
    expect(lru.scoreCandidates(ctx({ pinnedPageIds: new Set(['b']) }), 'L0').map((c) => c.pageId)).toEqual(['a', 'c', 'd']);
    const old = page('old', 1, { lastAccessed: new Date(T0.getTime() - 3600_000) });
    const fresh = page('fresh', 1);
    expect(lru.scoreCandidates(ctx({ l1Pages: new Map([['fresh', fresh], ['old', old]]) }), 'L1').map((c) => c.pageId)).toEqual(['old', 'fresh']);
  });
  it('modality weights put media before text (video before audio); page-table fallback and unknown = 1', () => {
    const table = new PageTable();
    table.register(page('img', 1, { modality: 'image' }));
    table.register(page('vid', 1, { modality: 'video' }));
    table.register(page('aud', 1, { modality: 'audio' }));
    const flat: EvictionPolicy = { scoreCandidates: (c) => c.l0PageIds.map((id) => ({ pageId: id, score: 1 })) };
    const policy = new ModalityAwareLRU(flat);
    const order = policy.scoreCandidates(ctx({ l0PageIds: ['txt', 'img', 'aud', 'vid', 'unknown'], pageTable: table }), 'L0').map((c) => c.pageId);
    expect(order).toEqual(['vid', 'aud', 'img', 'txt', 'unknown']);
    const l1 = new ModalityAwareLRU(new LRUEvictionPolicy(), { modalityWeights: { text: 1, image: 0.1 } });
    const out = l1.scoreCandidates(ctx({ l1Pages: new Map([['t', page('t')], ['i', page('i', 1, { modality: 'image' })]]) }), 'L1');
    expect(out[0]?.pageId).toBe('i');
    expect(new ModalityAwareLRU().modalityWeights.video).toBe(0.3);
    expect(() => new ModalityAwareLRU(undefined, { modalityWeights: { text: -1 } })).toThrow(InvalidInput);
  });
  it('is deterministic with an injected clock', () => {
    const p = page('p', 10, { lastAccessed: new Date(T0.getTime() - 1000) });
    const c = ctx({ l1Pages: new Map([['p', p]]) });
    expect(parity.scoreCandidates(c, 'L1')).toEqual(parity.scoreCandidates(c, 'L1'));
  });
});

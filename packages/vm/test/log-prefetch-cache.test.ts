import { describe, expect, it } from 'vitest';
import { InvalidInput } from '@chuk/models';
import { ContextPackCache, MutationLogLite, PageTable, SimplePrefetcher, makePage, mutationToJSON, type CachedPackedContext } from '../src/index.js';

const T0 = new Date('2026-01-01T00:00:00Z');

describe('MutationLogLite', () => {
  function log() {
    const l = new MutationLogLite({ sessionId: 's', clock: () => T0 });
    l.recordMutation({ pageId: 'a', mutationType: 'create', tierAfter: 'L1', cause: 'create_page' });
    l.recordMutation({ pageId: 'a', mutationType: 'update', tierBefore: 'L1', tierAfter: 'L0', turn: 0 });
    l.recordMutation({ pageId: 'b', mutationType: 'create', tierAfter: 'L1', turn: 1 });
    l.recordMutation({ pageId: 'a', mutationType: 'evict', tierBefore: 'L0', tierAfter: 'L2', turn: 1 });
    l.recordMutation({ pageId: 'a', mutationType: 'fault_in', tierBefore: 'L2', tierAfter: 'L0', actor: 'model', cause: 'page_fault', turn: 2 });
    l.recordMutation({ pageId: 'b', mutationType: 'pin', tierAfter: 'L0', turn: 2 });
    l.recordMutation({ pageId: 'b', mutationType: 'unpin', tierAfter: 'L0', turn: 2 });
    l.recordMutation({ pageId: 'b', mutationType: 'compress', tierAfter: 'L1', turn: 2 });
    return l;
  }
  it('records and queries by page, actor, type and turn', () => {
    const l = log();
    expect(l.mutationCount()).toBe(8);
    expect(l.pageCount()).toBe(2);
    expect(l.getHistory('a').map((m) => m.mutationType)).toEqual(['create', 'update', 'evict', 'fault_in']);
    expect(l.getHistory('zz')).toEqual([]);
    expect(l.getMutationsByActor('model')).toHaveLength(1);
    expect(l.getMutationsByType('create')).toHaveLength(2);
    expect(l.getMutationsInTurn(2)).toHaveLength(4);
    expect(l.getMutationsInTurn(9)).toEqual([]);
    expect(l.getPagesCreatedInTurn(1)).toEqual(['b']);
    expect(l.getPagesFaultedInTurn(2)).toEqual(['a']);
    expect(l.getPagesEvictedInTurn(1)).toEqual(['a']);
    expect(l.getAllMutations()[0]?.mutationId).toBe('m_1');
    expect(l.getAllMutations()[0]?.actor).toBe('system');
    expect(l.getSummary()).toEqual({ totalMutations: 8, uniquePages: 2, contextSnapshots: 0, creates: 2, faults: 1, evictions: 1, compressions: 1, pins: 1, unpins: 1 });
  });
  it('snapshots L0 per turn (overwrite), replays and diffs', () => {
    const l = log();
    l.recordContextAtTurn(1, ['a']);
    l.recordContextAtTurn(1, ['a', 'b']);
    l.recordContextAtTurn(2, ['b', 'c']);
    expect(l.getContextAtTurn(1)).toEqual(['a', 'b']);
    expect(l.getContextAtTurn(7)).toEqual([]);
    expect(l.getContextDiff(1, 2)).toEqual({ added: ['c'], removed: ['a'] });
    expect(l.replayWorkingSet(0)).toEqual(['a']);
    expect(l.replayWorkingSet(1)).toEqual([]);
    expect(l.replayWorkingSet(2)).toEqual(['a']);
  });
  it('uses an id generator when given; clear empties everything', () => {
    const l = new MutationLogLite({ idGenerator: () => 'fixed' });
    expect(l.recordMutation({ pageId: 'x', mutationType: 'delete', tierAfter: 'L2' }).mutationId).toBe('fixed');
    l.recordContextAtTurn(0, ['x']);
    l.clear();
    expect(l.mutationCount()).toBe(0);
    expect(l.getSummary().contextSnapshots).toBe(0);
    expect(l.sessionId).toBe('');
  });
  it('round-trips JSON and tolerates unknown mutation types', () => {
    const l = log();
    l.recordContextAtTurn(2, ['a']);
    const json = JSON.parse(JSON.stringify(l.toJSON())) as ReturnType<MutationLogLite['toJSON']>;
    json.mutations.push({ ...mutationToJSON(l.getAllMutations()[0]!), mutation_type: 'teleport' });
    const back = MutationLogLite.fromJSON(json);
    expect(back.mutationCount()).toBe(8);
    expect(back.getContextAtTurn(2)).toEqual(['a']);
    expect(back.recordMutation({ pageId: 'z', mutationType: 'create', tierAfter: 'L1' }).mutationId).toBe('m_9');
    expect(() => MutationLogLite.fromJSON({ nope: 1 })).toThrow(InvalidInput);
    const noSeq = MutationLogLite.fromJSON({ ...json, next_sequence: undefined });
    expect(noSeq.recordMutation({ pageId: 'z', mutationType: 'create', tierAfter: 'L1' }).mutationId).toBe('m_9');
  });
});

describe('SimplePrefetcher', () => {
  it('counts accesses and tracks tools (last turn, count) with top-3 prereqs', () => {
    const p = new SimplePrefetcher();
    p.recordPageAccess('a');
    p.recordPageAccess('a');
    p.recordPageAccess('b');
    p.recordToolCall('search', 1, ['x', 'y', 'x', 'z', 'w', 'x', 'y']);
    p.recordToolCall('search', 3);
    p.recordToolCall('calc', 3);
    p.recordToolCall('old', 0);
    p.recordToolCall('older', 0);
    expect(p.getLikelyTools()).toEqual(['search', 'calc', 'old']);
    expect(p.getToolPrereqPages('search')).toEqual(['x', 'y', 'z']);
    expect(p.getToolPrereqPages('nope')).toEqual([]);
    expect(p.getStats()).toEqual({ toolsTracked: 4, pagesTracked: 2, totalAccesses: 3 });
  });
  it('a first access counts one, like recordPageAccess of an unseen page', () => {
    const p = new SimplePrefetcher();
    p.recordFirstAccess('c');
    p.recordPageAccess('c');
    p.recordFirstAccess('d');
    expect(p.getStats()).toEqual({ toolsTracked: 0, pagesTracked: 2, totalAccesses: 3 });
    expect(p.getTopClaims(undefined, 1)).toEqual(['c']);
  });
  it('top claims with and without a page table, and the turn-start order', async () => {
    const t = new PageTable();
    t.register(makePage({ pageId: 'c1', modality: 'text', pageType: 'claim' }));
    t.register(makePage({ pageId: 'c2', modality: 'text', pageType: 'claim' }));
    const p = new SimplePrefetcher({ maxClaimsToPrefetch: 1 });
    for (const id of ['t', 't', 't', 'c1', 'c1', 'c2']) p.recordPageAccess(id);
    expect(p.getTopClaims()).toEqual(['t']);
    expect(p.getTopClaims(t)).toEqual(['c1']);
    expect(p.getTopClaims(t, 5)).toEqual(['c1', 'c2']);
    p.setLastSegmentSummary('s1');
    p.recordToolCall('tool', 1, ['c1', 'pre']);
    expect(p.lastSegmentSummary).toBe('s1');
    expect(await p.prefetchOnTurnStart('sess', t)).toEqual(['s1', 'c1', 'pre']);
    const back = SimplePrefetcher.fromJSON(JSON.parse(JSON.stringify(p.toJSON())) as ReturnType<SimplePrefetcher['toJSON']>);
    expect(back.getStats()).toEqual(p.getStats());
    p.forget('s1');
    p.forget('t');
    expect(p.lastSegmentSummary).toBeNull();
    expect(p.getStats().totalAccesses).toBe(3);
    p.clear();
    expect(p.getStats()).toEqual({ toolsTracked: 0, pagesTracked: 0, totalAccesses: 0 });
    expect(await p.prefetchOnTurnStart('s')).toEqual([]);
  });
});

describe('ContextPackCache', () => {
  const packed = (session: string): CachedPackedContext => ({
    vmContext: 'ctx',
    vmManifestJson: '{}',
    pageIds: [],
    tokensUsed: 0,
    createdAt: T0,
    sessionId: session,
    modelId: '',
    tokenBudget: 0,
    workingSetHash: '',
  });
  it('puts, gets, misses and computes a hit rate', () => {
    const c = new ContextPackCache({ clock: () => T0 });
    expect(c.get('s', 'm', 0, 'h')).toBeUndefined();
    c.put('s', 'm', 0, 'h', packed('s'));
    const hit = c.get('s', 'm', 0, 'h');
    expect(hit?.accessCount).toBe(1);
    expect(hit?.lastAccessed).toBe(T0);
    c.get('s', 'm', 0, 'h');
    expect(c.hitRate).toBeCloseTo(2 / 3);
    expect(new ContextPackCache().hitRate).toBe(0);
  });
  it('evicts LRU at capacity, replaces an existing key in place, invalidates per session', () => {
    const c = new ContextPackCache({ maxEntries: 2 });
    c.put('s1', 'm', 0, 'a', packed('s1'));
    c.put('s1', 'm', 0, 'b', packed('s1'));
    c.get('s1', 'm', 0, 'a');
    c.put('s2', 'm', 0, 'c', packed('s2'));
    expect(c.get('s1', 'm', 0, 'b')).toBeUndefined();
    expect(c.getStats().evictions).toBe(1);
    c.put('s2', 'm', 0, 'c', packed('s2'));
    expect(c.getStats().evictions).toBe(1);
    expect(c.size).toBe(2);
    expect(c.invalidateSession('s1')).toBe(1);
    c.invalidateAll();
    expect(c.getStats()).toMatchObject({ invalidations: 2, size: 0, maxSize: 2 });
    const none = new ContextPackCache({ maxEntries: 0 });
    none.put('s', 'm', 0, 'h', packed('s'));
    expect(none.size).toBe(0);
  });
  it('hashes the working set order-insensitively; versions change the hash', () => {
    const h1 = ContextPackCache.computeWorkingSetHash(['a', 'b']);
    expect(h1).toHaveLength(16);
    expect(ContextPackCache.computeWorkingSetHash(['b', 'a'])).toBe(h1);
    const v1 = ContextPackCache.computeWorkingSetHash(['a'], new Map([['a', 1]]));
    const v2 = ContextPackCache.computeWorkingSetHash(['a'], new Map([['a', 2]]));
    expect(v1).not.toBe(v2);
    expect(ContextPackCache.computeWorkingSetHash(['a'], new Map())).toBe(ContextPackCache.computeWorkingSetHash(['a'], new Map([['a', 0]])));
  });
});

import { describe, expect, it } from 'vitest';
import { PageTLB, PageTable, StorageTier, TLBWithPageTable, makeEntry, makePage } from '../src/index.js';
import { IntrusiveList } from '../src/util/intrusive-list.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const page = (id: string, init: Partial<Parameters<typeof makePage>[0]> = {}) => makePage({ pageId: id, modality: 'text', content: 'x'.repeat(40), ...init }, T0);

interface N { id: string; prev: N | null; next: N | null }
const node = (id: string): N => ({ id, prev: null, next: null });
const ids = (it: Iterable<N>) => [...it].map((n) => n.id);

describe('IntrusiveList', () => {
  it('keeps order, moves nodes to the end, removes and iterates both ways', () => {
    const l = new IntrusiveList<N>();
    const [a, b, c] = [node('a'), node('b'), node('c')];
    [a, b, c].forEach((n) => l.append(n));
    l.moveToEnd(a);
    l.moveToEnd(a);
    expect(ids(l.values())).toEqual(['b', 'c', 'a']);
    expect(ids(l.reversed())).toEqual(['a', 'c', 'b']);
    l.remove(c);
    expect(c.prev).toBeNull();
    l.remove(b);
    expect(ids(l.values())).toEqual(['a']);
    expect(l.size).toBe(1);
    l.remove(a);
    expect(ids(l.reversed())).toEqual([]);
    l.append(b);
    l.clear();
    expect(l.size).toBe(0);
    expect(ids(l.values())).toEqual([]);
  });
});

describe('PageTable', () => {
  it('registers from a page (size estimated when absent) and indexes it', () => {
    const t = new PageTable();
    const e = t.register(page('a'));
    expect(e.sizeTokens).toBe(10);
    expect(e.tier).toBe('L1');
    expect(t.getByTier('L1').map((x) => x.pageId)).toEqual(['a']);
    expect(t.getByModality('text')).toHaveLength(1);
    expect(t.getByType('transcript')).toHaveLength(1);
    expect(t.has('a')).toBe(true);
    expect(t.size).toBe(1);
  });
  it('re-registering moves tier/modality/dirty indexes and keeps position', () => {
    const t = new PageTable();
    t.register(page('a'));
    t.register(page('b'));
    t.register(page('a', { storageTier: 'L2', modality: 'image', dirty: true, pageType: 'claim' }));
    expect([...t.entries.keys()]).toEqual(['a', 'b']);
    expect(t.getByTier('L1').map((e) => e.pageId)).toEqual(['b']);
    expect(t.getByTier('L2').map((e) => e.pageId)).toEqual(['a']);
    expect(t.getByModality('image').map((e) => e.pageId)).toEqual(['a']);
    expect(t.getByModality('text').map((e) => e.pageId)).toEqual(['b']);
    expect(t.getStats().pagesByModality).toMatchObject({ text: 1, image: 1, audio: 0 });
    t.clear();
    expect(t.getStats().pagesByModality.image).toBe(0);
    expect(t.getByModality('image')).toEqual([]);
  });
  it('lists one modality in registration order', () => {
    const t = new PageTable();
    for (const id of ['x', 'y', 'z']) t.register(page(id, id === 'y' ? { modality: 'audio' } : {}));
    expect(t.getByModality('text').map((e) => e.pageId)).toEqual(['x', 'z']);
    expect(t.getByModality('video')).toEqual([]);
  });
  it('keeps the dirty and type indexes when re-registering', () => {
    const t = new PageTable();
    t.register(page('b'));
    t.register(page('a', { storageTier: 'L2', modality: 'image', dirty: true, pageType: 'claim' }));
    expect(t.getDirtyPages().map((e) => e.pageId)).toEqual(['a']);
    expect(t.getByType('claim')).toHaveLength(1);
  });
  it('removes entries from every index; unknown ids return false', () => {
    const t = new PageTable();
    t.register(page('a', { dirty: true }));
    expect(t.remove('a')?.pageId).toBe('a');
    expect(t.remove('a')).toBeUndefined();
    expect(t.getDirtyPages()).toEqual([]);
    expect(t.getStats().totalPages).toBe(0);
    expect(t.getStats().pagesByModality.text).toBe(0);
    expect(t.getByModality('text')).toEqual([]);
    for (const ok of [t.updateLocation('x', 'L2'), t.updateCompression('x', 1), t.markAccessed('x'), t.markDirty('x'), t.markClean('x'), t.setPinned('x', true), t.updateSize('x', 3), t.setVersion('x', 2)]) {
      expect(ok).toBe(false);
    }
  });
  it('updates location; artifact/level only when given; null clears the artifact', () => {
    const t = new PageTable();
    t.register(page('a'));
    t.updateLocation('a', 'L3', { artifactId: 'L3:k', compressionLevel: 2 });
    expect(t.lookup('a')).toMatchObject({ tier: 'L3', artifactId: 'L3:k', compressionLevel: 2 });
    t.updateLocation('a', 'L2');
    expect(t.lookup('a')).toMatchObject({ tier: 'L2', artifactId: 'L3:k', compressionLevel: 2 });
    t.updateLocation('a', 'L2', { artifactId: null });
    expect(t.lookup('a')?.artifactId).toBeNull();
    t.updateCompression('a', 3);
    expect(t.lookup('a')?.compressionLevel).toBe(3);
  });
  it('marks clean with last_flushed, dirty, pinned, size and version', () => {
    const t = new PageTable(undefined, () => at(5));
    t.register(page('a'));
    t.markDirty('a');
    expect(t.getStats().dirtyPages).toBe(1);
    t.markClean('a');
    expect(t.lookup('a')?.lastFlushed).toEqual(at(5));
    expect(t.getStats().dirtyPages).toBe(0);
    t.setPinned('a', true);
    t.setVersion('a', 4);
    t.updateSize('a', 99);
    expect(t.lookup('a')).toMatchObject({ pinned: true, version: 4, sizeTokens: 99 });
    t.markAccessed('a');
    expect(t.lookup('a')).toMatchObject({ accessCount: 1, lastAccessed: at(5) });
  });
  it('lists the working set (L0 then L1), LRU candidates and zero-filled stats', () => {
    const t = new PageTable();
    t.register(page('l1a', { lastAccessed: at(30) }));
    t.register(page('l0', { storageTier: 'L0' }));
    t.register(page('l1b', { lastAccessed: at(10) }));
    t.register(page('l1c', { lastAccessed: at(20) }));
    expect(t.getWorkingSet().map((e) => e.pageId)).toEqual(['l0', 'l1a', 'l1b', 'l1c']);
    expect(t.getEvictionCandidates().map((e) => e.pageId)).toEqual(['l1b', 'l1c', 'l1a']);
    expect(t.getEvictionCandidates(StorageTier.L1, 1).map((e) => e.pageId)).toEqual(['l1b']);
    const stats = t.getStats();
    expect(stats.pagesByTier).toEqual({ L0: 1, L1: 3, L2: 0, L3: 0, L4: 0 });
    expect(stats.pagesByModality).toEqual({ text: 4, image: 0, audio: 0, video: 0, structured: 0 });
    expect(stats.workingSetSize).toBe(4);
  });
  it('sums tokens with and without a tier filter ([] means all)', () => {
    const t = new PageTable();
    t.register(page('a', { sizeTokens: 10 }));
    t.register(page('b', { sizeTokens: 5, storageTier: 'L2' }));
    expect(t.getTotalTokens()).toBe(15);
    expect(t.getTotalTokens([])).toBe(15);
    expect(t.getTotalTokens(['L2'])).toBe(5);
    t.updateLocation('a', 'L2');
    expect(t.getTotalTokens(['L2'])).toBe(15);
    t.updateSize('a', 1);
    expect(t.getTotalTokens(['L1'])).toBe(0);
    expect(t.getTotalTokens(['L2'])).toBe(6);
  });
  it('lists a tier most recent first and clears', () => {
    const t = new PageTable();
    t.register(page('a', { storageTier: 'L2' }));
    t.register(page('b', { storageTier: 'L2' }));
    t.markAccessed('a');
    expect([...t.recentInTier('L2')]).toEqual(['a', 'b']);
    expect(t.countInTier('L2')).toBe(2);
    t.clear();
    expect(t.size).toBe(0);
    expect(t.getTotalTokens()).toBe(0);
  });
});

describe('PageTLB', () => {
  const entry = (id: string, tier: StorageTier = 'L0') => makeEntry({ pageId: id, tier });
  it('counts hits and misses in lookup only', () => {
    const tlb = new PageTLB({ maxEntries: 2 });
    tlb.insert(entry('a'));
    expect(tlb.has('a')).toBe(true);
    expect(tlb.has('z')).toBe(false);
    expect(tlb.hits + tlb.misses).toBe(0);
    expect(tlb.lookup('a')?.pageId).toBe('a');
    expect(tlb.lookup('z')).toBeUndefined();
    expect(tlb.hitRate).toBe(0.5);
    tlb.resetStats();
    expect(tlb.hitRate).toBe(0);
  });
  it('evicts LRU; a lookup refreshes recency; replacing keeps size', () => {
    const tlb = new PageTLB({ maxEntries: 2 });
    tlb.insert(entry('a'));
    tlb.insert(entry('b'));
    tlb.lookup('a');
    tlb.insert(entry('c'));
    expect(tlb.getAll().map((e) => e.pageId)).toEqual(['a', 'c']);
    tlb.insert(entry('a', 'L2'));
    expect(tlb.size).toBe(2);
    expect(tlb.getAll().map((e) => e.pageId)).toEqual(['c', 'a']);
  });
  it('invalidates by id and tier, flushes and reports stats', () => {
    const tlb = new PageTLB();
    expect(tlb.maxEntries).toBe(512);
    tlb.insert(entry('a', 'L0'));
    tlb.insert(entry('b', 'L2'));
    tlb.insert(entry('c', 'L2'));
    expect(tlb.invalidate('a')).toBe(true);
    expect(tlb.invalidate('a')).toBe(false);
    expect(tlb.invalidateTier('L2')).toBe(2);
    tlb.insert(entry('d'));
    expect(tlb.getStats()).toMatchObject({ size: 1, maxSize: 512, utilization: 1 / 512 });
    expect(tlb.flush()).toBe(1);
    const none = new PageTLB({ maxEntries: 0 });
    none.insert(entry('x'));
    expect(none.size).toBe(0);
    expect(none.getStats().utilization).toBe(0);
  });
});

describe('TLBWithPageTable', () => {
  it('populates on miss, invalidates on change and removes from both', () => {
    const table = new PageTable();
    const combined = new TLBWithPageTable(table);
    expect(combined.tlb.maxEntries).toBe(512);
    table.register(page('a'));
    expect(combined.lookup('a')?.pageId).toBe('a');
    expect(combined.tlb.has('a')).toBe(true);
    expect(combined.lookup('a')?.pageId).toBe('a');
    expect(combined.tlb.hits).toBe(1);
    expect(combined.updateLocation('a', 'L2')).toBe(true);
    expect(combined.tlb.has('a')).toBe(false);
    combined.lookup('a');
    expect(combined.markDirty('a')).toBe(true);
    expect(combined.tlb.has('a')).toBe(false);
    combined.register(page('b'));
    expect(combined.tlb.has('b')).toBe(true);
    expect(combined.remove('b')?.pageId).toBe('b');
    expect(table.has('b')).toBe(false);
    expect(combined.lookup('missing')).toBeUndefined();
    expect(combined.updateLocation('missing', 'L2')).toBe(false);
    expect(combined.markDirty('missing')).toBe(false);
    expect(combined.getStats().pageTable.totalPages).toBe(1);
    const small = new PageTLB({ maxEntries: 3 });
    expect(new TLBWithPageTable(table, small).tlb).toBe(small);
  });
});

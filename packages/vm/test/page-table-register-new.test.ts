import { describe, expect, it } from 'vitest';
import { PageTable, StorageTier, makePage } from '../src/index.js';

// One fixed time: pages built a millisecond apart would differ in their timestamps.
const T0 = new Date('2026-01-01T00:00:00Z');
const page = (pageId: string, storageTier: StorageTier, sizeTokens: number, pageType: 'transcript' | 'claim' = 'transcript') =>
  makePage({ pageId, modality: 'text', content: 'x', storageTier, sizeTokens, pageType }, T0);

describe('PageTable.registerNew', () => {
  it('registers a new page like register (entry, indexes, tier tokens)', () => {
    const a = new PageTable();
    const b = new PageTable();
    for (const t of [a, b]) t.register(page('p0', StorageTier.L0, 5));
    const viaRegister = a.register(page('p1', StorageTier.L1, 7, 'claim'));
    const viaNew = b.registerNew(page('p1', StorageTier.L1, 7, 'claim'));
    expect(viaNew).toEqual(viaRegister);
    expect(b.getStats()).toEqual(a.getStats());
    expect(b.getTotalTokens([StorageTier.L1])).toBe(7);
    expect(b.getByType('claim').map((e) => e.pageId)).toEqual(['p1']);
    expect([...b.entries.keys()]).toEqual(['p0', 'p1']);
  });

  it('replaces an id that is registered after all, as register does (no stale index entries)', () => {
    const t = new PageTable();
    t.register(page('p0', StorageTier.L0, 5));
    t.register(page('p1', StorageTier.L0, 3));
    const entry = t.registerNew(page('p0', StorageTier.L2, 9, 'claim'));
    expect(t.lookup('p0')).toBe(entry);
    expect(t.size).toBe(2);
    expect(t.getByTier(StorageTier.L0).map((e) => e.pageId)).toEqual(['p1']);
    expect(t.getByTier(StorageTier.L2).map((e) => e.pageId)).toEqual(['p0']);
    expect(t.getTotalTokens([StorageTier.L0])).toBe(3);
    expect(t.getTotalTokens([StorageTier.L2])).toBe(9);
    expect(t.getByType('transcript').map((e) => e.pageId)).toEqual(['p1']);
    expect([...t.entries.keys()]).toEqual(['p0', 'p1']);
    expect(t.updateLocation('p0', StorageTier.L1)).toBe(true);
    expect(t.getByTier(StorageTier.L2)).toEqual([]);
  });
});

describe('PageTable.updateVersion', () => {
  it('sets size (tier tokens follow), level and version with one call; false for an unknown id', () => {
    const t = new PageTable();
    t.register(page('p0', StorageTier.L0, 5));
    expect(t.updateVersion('p0', 2, 1, 4)).toBe(true);
    expect(t.lookup('p0')).toMatchObject({ sizeTokens: 2, compressionLevel: 1, version: 4 });
    expect(t.getTotalTokens([StorageTier.L0])).toBe(2);
    expect(t.updateVersion('missing', 2, 1, 4)).toBe(false);
  });
});

describe('PageTable.moveAccessed', () => {
  it('moves the entry to a tier (tokens follow) and marks it accessed, returning the tier before', () => {
    const t = new PageTable();
    t.register(page('p0', StorageTier.L1, 5));
    t.register(page('p1', StorageTier.L0, 3));
    const now = new Date(5000);
    expect(t.moveAccessed('p0', StorageTier.L0, now)).toBe(StorageTier.L1);
    expect(t.lookup('p0')).toMatchObject({ tier: StorageTier.L0, lastAccessed: now, accessCount: 1 });
    expect(t.getByTier(StorageTier.L0).map((e) => e.pageId)).toEqual(['p1', 'p0']);
    expect(t.getTotalTokens([StorageTier.L0])).toBe(8);
    expect(t.getTotalTokens([StorageTier.L1])).toBe(0);
    // Same tier: moved to the end (most recent), counted again.
    expect(t.moveAccessed('p1', StorageTier.L0, now)).toBe(StorageTier.L0);
    expect(t.getByTier(StorageTier.L0).map((e) => e.pageId)).toEqual(['p0', 'p1']);
    expect(t.lookup('p1')?.accessCount).toBe(1);
    expect(t.moveAccessed('missing', StorageTier.L0, now)).toBeNull();
  });
});

describe('PageTable.moveTo', () => {
  it('is updateLocation returning the tier before', () => {
    const t = new PageTable();
    t.register(page('p0', StorageTier.L0, 5));
    expect(t.moveTo('p0', StorageTier.L2, { artifactId: 'a1' })).toBe(StorageTier.L0);
    expect(t.lookup('p0')).toMatchObject({ tier: StorageTier.L2, artifactId: 'a1' });
    expect(t.getTotalTokens([StorageTier.L2])).toBe(5);
    expect(t.moveTo('p0', StorageTier.L2)).toBe(StorageTier.L2);
    expect(t.moveTo('missing', StorageTier.L2)).toBeNull();
    expect(t.updateLocation('missing', StorageTier.L2)).toBe(false);
  });
});

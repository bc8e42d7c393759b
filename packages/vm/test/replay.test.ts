import { describe, expect, it } from 'vitest';
import { MemoryManager, MutationLogLite, makePage } from '../src/index.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

function log(): MutationLogLite {
  let s = 0;
  return new MutationLogLite({ sessionId: 's', clock: () => at(s++) });
}

describe('MutationLogLite.replayTo (time travel, spec/vm.md §21.5)', () => {
  it('folds the mutations up to a time into existence, tier and pin state', () => {
    const l = log();
    l.recordMutation({ pageId: 'p', mutationType: 'create', tierAfter: 'L1', timestamp: at(10) });
    l.recordMutation({ pageId: 'p', mutationType: 'update', tierBefore: 'L1', tierAfter: 'L0', timestamp: at(11) });
    l.recordMutation({ pageId: 'p', mutationType: 'pin', tierAfter: 'L0', timestamp: at(12) });
    l.recordMutation({ pageId: 'q', mutationType: 'create', tierAfter: 'L1', timestamp: at(12) });
    l.recordMutation({ pageId: 'p', mutationType: 'unpin', tierAfter: 'L0', timestamp: at(13) });
    l.recordMutation({ pageId: 'p', mutationType: 'evict', tierBefore: 'L0', tierAfter: 'L2', timestamp: at(14) });
    l.recordMutation({ pageId: 'p', mutationType: 'delete', tierBefore: 'L2', tierAfter: 'L2', timestamp: at(15) });
    expect(l.replayTo('p', at(9))).toBeNull();
    expect(l.replayTo('p', at(10))).toMatchObject({ exists: true, tier: 'L1', pinned: false, version: null });
    expect(l.replayTo('p', at(12))).toMatchObject({ tier: 'L0', pinned: true });
    const evicted = l.replayTo('p', at(14));
    expect(evicted).toMatchObject({ exists: true, tier: 'L2', pinned: false });
    expect(evicted?.mutations.map((m) => m.mutationType)).toEqual(['create', 'update', 'pin', 'unpin', 'evict']);
    expect(l.replayTo('p', at(20))).toMatchObject({ exists: false, tier: 'L2' });
    expect(l.replayTo('q', at(20))?.mutations).toHaveLength(1);
    expect(l.replayTo('missing', at(20))).toBeNull();
  });

  it('returns the content of the latest version recorded by then, unaffected by later changes', () => {
    const l = log();
    const page = makePage({ pageId: 'p', modality: 'text', content: 'first draft' });
    l.recordMutation({ pageId: 'p', mutationType: 'create', tierAfter: 'L1', timestamp: at(1) });
    const v1 = l.recordVersion(page, at(1));
    page.content = 'second draft';
    page.version = 2;
    l.recordVersion(page, at(5));
    page.content = 'changed after the last record';
    expect(v1.page.content).toBe('first draft');
    expect(l.replayTo('p', at(3))?.version).toMatchObject({ version: 1, page: { content: 'first draft' } });
    const later = l.replayTo('p', at(9));
    expect(later?.version?.version).toBe(2);
    expect(later?.version?.page.content).toBe('second draft');
    // The replayed copy is the caller's: changing it does not rewrite history.
    if (later?.version) later.version.page.content = 'edited';
    expect(l.replayTo('p', at(9))?.version?.page.content).toBe('second draft');
    expect(l.getVersions('p').map((v) => v.version)).toEqual([1, 2]);
    expect(l.getVersions('none')).toEqual([]);
  });

  it('a version alone (no mutation logged) still replays; clear() forgets versions', () => {
    const l = log();
    l.recordVersion(makePage({ pageId: 'v', modality: 'text', content: 'x' }));
    const r = l.replayTo('v', at(100));
    expect(r).toMatchObject({ exists: true, tier: null, pinned: false, mutations: [] });
    l.clear();
    expect(l.replayTo('v', at(100))).toBeNull();
    expect(l.getVersions('v')).toEqual([]);
  });
});

describe('MemoryManager recordVersions (replayTo through the manager)', () => {
  it('records a version on create, compression and update, so replayTo returns the earlier content', async () => {
    let s = 0;
    const m = new MemoryManager({ sessionId: 's', clock: () => at(s++), recordVersions: true });
    const original = `Heading line\n${'A long body sentence that the reference level drops. '.repeat(10)}`;
    await m.createPage(original, { pageId: 'p' });
    await m.compressPage('p', 3);
    await m.updatePage('p', { content: 'rewritten entirely' });
    const [v1, v2, v3] = m.mutationLog.getVersions('p');
    const atCreate = m.mutationLog.replayTo('p', v1!.timestamp);
    expect(atCreate?.version?.page.content).toBe(original);
    expect(atCreate?.mutations.map((x) => x.mutationType)).toEqual(['create']);
    const atCompress = m.mutationLog.replayTo('p', v2!.timestamp);
    expect(atCompress?.version?.page.compressionLevel).toBe(3);
    expect(atCompress?.version?.page.content).toBe('[transcript] Heading line');
    expect(v3!.timestamp.getTime()).toBeGreaterThan(v2!.timestamp.getTime());
    const now = m.mutationLog.replayTo('p', at(1000));
    expect(now?.version?.page.content).toBe('rewritten entirely');
    expect(m.mutationLog.getVersions('p').map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('records no versions unless asked (each one is a deep copy kept in memory)', async () => {
    const m = new MemoryManager({ sessionId: 's' });
    await m.createPage('text', { pageId: 'p' });
    await m.updatePage('p', { content: 'other' });
    expect(m.mutationLog.getVersions('p')).toEqual([]);
    expect(m.mutationLog.replayTo('p', new Date(Date.now() + 1000))?.version).toBeNull();
  });
});

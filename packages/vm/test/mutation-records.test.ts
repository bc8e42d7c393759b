import { describe, expect, it } from 'vitest';
import { InvalidInput } from '@chuk/models';
import { MutationLogLite, MutationType, StorageTier, type PageMutation } from '../src/index.js';
import { MutationRecords } from '../src/mutation-records.js';

const T = new Date('2026-03-01T10:00:00Z');

describe('compact mutation records', () => {
  it('builds the public record when read: m_<n> ids, Date timestamps, all fields', () => {
    const l = new MutationLogLite({ clock: () => T });
    const i = l.record('p', MutationType.Evict, StorageTier.L0, StorageTier.L2, 'system', 'eviction_pressure', 3);
    expect(i).toBe(0);
    l.record('p', MutationType.FaultIn, StorageTier.L2, StorageTier.L0, 'model', null, 4, T.getTime() + 5);
    const [a, b] = l.getAllMutations();
    expect(a).toEqual({ mutationId: 'm_1', pageId: 'p', timestamp: T, turn: 3, mutationType: 'evict', tierBefore: 'L0', tierAfter: 'L2', actor: 'system', cause: 'eviction_pressure' });
    expect(b?.timestamp.getTime()).toBe(T.getTime() + 5);
    expect(b?.mutationId).toBe('m_2');
    // Readers get their own objects: editing one does not rewrite the log.
    if (a) a.pageId = 'edited';
    expect(l.getHistory('p')).toHaveLength(2);
    expect(l.getMutationsByActor('model').map((m) => m.mutationType)).toEqual(['fault_in']);
  });

  it('keeps appended records with their own ids and timestamps', () => {
    const l = new MutationLogLite();
    const m: PageMutation = { mutationId: 'custom-1', pageId: 'x', timestamp: T, turn: 1, mutationType: 'pin', tierBefore: null, tierAfter: 'L0', actor: 'user', cause: null };
    l.append(m);
    expect(l.getAllMutations()).toEqual([m]);
    expect(l.recordMutation({ pageId: 'x', mutationType: 'unpin', tierAfter: 'L0' }).mutationId).toBe('m_1');
    expect(l.getMutationsInTurn(1).map((r) => r.mutationId)).toEqual(['custom-1']);
  });

  it('uses the system clock by default and the id generator for every record', () => {
    let n = 0;
    const l = new MutationLogLite({ idGenerator: () => `id${++n}` });
    const before = Date.now();
    const m = l.recordMutation({ pageId: 'a', mutationType: 'create', tierAfter: 'L1' });
    expect(m.mutationId).toBe('id1');
    expect(m.timestamp.getTime()).toBeGreaterThanOrEqual(before);
    l.record('a', MutationType.Delete, StorageTier.L1, StorageTier.L1, 'system', null, 0);
    expect(l.getHistory('a').map((r) => r.mutationId)).toEqual(['id1', 'id2']);
  });

  it('tolerates values outside the enums from untyped callers and refuses non-strings', () => {
    const r = new MutationRecords();
    r.push('p', 'teleport' as MutationType, null, 'L9' as StorageTier, 'robot' as 'system', null, 0, 0, 1);
    expect(r.get(0)).toMatchObject({ mutationType: 'teleport', tierAfter: 'L9', actor: 'robot', tierBefore: null });
    expect(() => r.push('p', 5 as unknown as MutationType, null, 'L1', 'system', null, 0, 0, 2)).toThrow(InvalidInput);
    r.clear();
    expect(r.length).toBe(0);
    expect(r.list()).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  InMemoryBlobStore, InMemorySessionStore, InvalidInput, MemoryEncoding, Session, SessionAlreadyExists, SessionEvent,
  SessionNotFound, SessionVersionConflict, StorageError, appendWithRetry, isBlobStore, isSessionStore,
  updateHeaderWithRetry,
} from '@chuk/models';
import type { MemorySessionEntry } from '@chuk/models';

describe('InMemorySessionStore', () => {
  for (const encoding of [MemoryEncoding.Object, MemoryEncoding.Json]) {
    it(`round trip, snapshots, idempotent append (${encoding})`, async () => {
      const store = new InMemorySessionStore({ encoding });
      expect(isSessionStore(store)).toBe(true);
      const s = new Session({ id: 's1', properties: { user_id: 'u' } });
      expect(await store.create(s)).toBe(1);
      await expect(store.create(s)).rejects.toBeInstanceOf(SessionAlreadyExists);
      s.metadata.properties.user_id = 'changed';
      const got = (await store.get('s1'))!;
      expect(got.metadata.properties.user_id).toBe('u');
      got.metadata.properties.user_id = 'mutated';
      expect((await store.get('s1'))!.metadata.properties.user_id).toBe('u');
      const e1 = new SessionEvent({ id: 'e1', message: { a: 1 } });
      expect(await store.append('s1', [e1, e1])).toEqual({ appended: 1, eventCount: 1 });
      expect(await store.append('s1', [e1], { expectedCount: 0 })).toEqual({ appended: 0, eventCount: 1 });
      await expect(store.append('s1', [new SessionEvent({ message: 2 })], { expectedCount: 0 })).rejects.toBeInstanceOf(SessionVersionConflict);
      await expect(store.append('nope', [e1])).rejects.toBeInstanceOf(SessionNotFound);
      const back = (await store.get('s1'))!;
      expect(back.events.map((e) => e.id)).toEqual(['e1']);
      expect(back.revision).toBe(1);
      expect(await store.readEvents('s1', { from: 1 })).toEqual([]);
      expect(await store.readEvents('nope')).toBeNull();
      back.setState('k', 1);
      expect(await store.updateHeader(back.toHeader(), { expectedRevision: 1 })).toBe(2);
      await expect(store.updateHeader(back.toHeader(), { expectedRevision: 1 })).rejects.toBeInstanceOf(SessionVersionConflict);
      expect((await store.getHeader('s1'))?.state).toEqual({ k: 1 });
      expect(await store.delete('s1')).toBe(true);
      expect(await store.delete('s1')).toBe(false);
      expect(await store.get('s1')).toBeNull();
    });
  }

  it('corrupt json data → StorageError', async () => {
    const store = new InMemorySessionStore({ encoding: MemoryEncoding.Json });
    await store.create(new Session({ id: 'c' }));
    (store.data.sessions.get('c') as MemorySessionEntry).header = '{broken';
    await expect(store.get('c')).rejects.toBeInstanceOf(StorageError);
  });

  it('list with cursor and prefix', async () => {
    const store = new InMemorySessionStore();
    for (const id of ['a1', 'a2', 'a3', 'b1']) await store.create(new Session({ id }));
    const p1 = await store.list('a', { limit: 2 });
    expect(p1.ids).toEqual(['a1', 'a2']);
    const p2 = await store.list('a', { limit: 2, cursor: p1.cursor });
    expect(p2).toEqual({ ids: ['a3'], cursor: null });
    expect((await store.list()).ids).toEqual(['a1', 'a2', 'a3', 'b1']);
    await expect(store.list('', { limit: 0 })).rejects.toBeInstanceOf(InvalidInput);
  });

  it('TTL slides and expires', async () => {
    let now = 0;
    const store = new InMemorySessionStore({ ttlSeconds: 10, clock: () => new Date(now) });
    await store.create(new Session({ id: 't' }));
    now = 9000;
    await store.append('t', [new SessionEvent({ message: 1 })]);
    now = 18000;
    expect(await store.exists('t')).toBe(true);
    expect(await store.extendTtl('t', 10)).toBe(true);
    now = 28000;
    expect(await store.exists('t')).toBe(true);
    now = 30000;
    expect(await store.exists('t')).toBe(false);
    expect(await store.extendTtl('t', 10)).toBe(false);
  });

  it('retry helpers', async () => {
    const store = new InMemorySessionStore();
    const a = await Session.create({ id: 'r', store });
    const b = (await store.get('r'))!;
    await updateHeaderWithRetry(store, a, (s) => { s.setState('a', 1); return true; });
    await updateHeaderWithRetry(store, b, (s) => { s.setState('b', 2); return true; });
    expect((await store.getHeader('r'))?.state).toEqual({ a: 1, b: 2 });
    let calls = 0;
    const flaky = {
      append: async () => {
        calls++;
        if (calls < 3) throw new StorageError({ operation: 'append' });
        return { appended: 1, eventCount: 1 };
      },
    };
    expect(await appendWithRetry(flaky, 'r', [], { backoffMs: () => 0 })).toEqual({ appended: 1, eventCount: 1 });
    await expect(appendWithRetry(store, 'missing', [])).rejects.toBeInstanceOf(SessionNotFound);
  });
});

describe('InMemoryBlobStore', () => {
  it('put/get/head/list/delete and key validation', async () => {
    const store = new InMemoryBlobStore();
    expect(isBlobStore(store)).toBe(true);
    const bytes = new Uint8Array([1, 2, 3]);
    await store.put('a/b', bytes, { contentType: 'x/y', metadata: { 'k-1': 'vé' } });
    bytes[0] = 9;
    const got = (await store.get('a/b'))!;
    expect([...got]).toEqual([1, 2, 3]);
    expect((await store.head('a/b'))?.metadata).toEqual({ 'k-1': 'vé' });
    expect(await store.list('a/')).toEqual(['a/b']);
    expect(await store.delete('a/b')).toBe(true);
    expect(await store.get('a/b')).toBeNull();
    for (const bad of ['', '/a', 'a\\b', 'a//b', 'a/../b', 'a\u0000b', 'x'.repeat(1025)]) {
      await expect(store.put(bad, bytes)).rejects.toBeInstanceOf(InvalidInput);
    }
    await expect(store.put('k', bytes, { metadata: { Bad: 'x' } })).rejects.toBeInstanceOf(InvalidInput);
  });
});

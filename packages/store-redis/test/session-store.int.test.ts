import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInput, Session, SessionAlreadyExists, SessionNotFound, SessionVersionConflict, StorageError } from '@chuk/models';
import { RedisSessionStore, sessionKeys } from '../src/index.js';
import { SHARED_REDIS_URL, deleteKeys, event, header, uniquePrefix } from './helpers/fixtures.js';

const prefix = uniquePrefix('store');
const raw = new Redis(SHARED_REDIS_URL, { lazyConnect: true });
const stores: RedisSessionStore[] = [];
function makeStore(options: ConstructorParameters<typeof RedisSessionStore>[0] = {}): RedisSessionStore {
  const store = new RedisSessionStore({ url: SHARED_REDIS_URL, keyPrefix: prefix, ...options });
  stores.push(store);
  return store;
}
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  raw.disconnect();
  await deleteKeys(SHARED_REDIS_URL, prefix);
});

describe('key layout (spec §13.2)', () => {
  it('writes exactly the three keys of a session, sharing one hash tag and one TTL', async () => {
    const fixed = new Date('2030-02-28T23:59:59.500Z');
    const store = makeStore({ ttlSeconds: 3600, clock: () => fixed, sandboxId: 'sb-1' });
    await store.create(header('layout-1', { user_id: 'user-7' }));
    await store.append('layout-1', [event('hello', 'ev-1')]);
    const keys = (await raw.keys(`${prefix}session:{layout-1}*`)).sort();
    expect(keys).toEqual([`${prefix}session:{layout-1}`, `${prefix}session:{layout-1}:events`, `${prefix}session:{layout-1}:ids`]);
    const hash = await raw.hgetall(`${prefix}session:{layout-1}`);
    expect(hash).toMatchObject({
      revision: '1',
      event_count: '1',
      schema_version: '1',
      session_type: 'ai_session_manager',
      sandbox_id: 'sb-1',
      user_id: 'user-7',
      updated_at: fixed.toISOString(),
      expires_at: new Date(fixed.getTime() + 3_600_000).toISOString(),
    });
    expect(JSON.parse(hash.header ?? '{}')).toMatchObject({ schema_version: 1, id: 'layout-1', parent_id: null });
    const ttls = await Promise.all(keys.map((k) => raw.pttl(k)));
    for (const ttl of ttls) expect(ttl).toBeGreaterThan(3_500_000);
    expect(Math.max(...ttls) - Math.min(...ttls)).toBeLessThan(5_000);
    expect(await raw.smembers(`${prefix}session:{layout-1}:ids`)).toEqual(['ev-1']);
    expect(JSON.parse((await raw.lindex(`${prefix}session:{layout-1}:events`, 0)) ?? '{}')).toMatchObject({ id: 'ev-1', source: 'system' });
  });

  it('uses chuk: as the default prefix, keys exactly chuk:session:{<id>}[:events|:ids]', async () => {
    const store = new RedisSessionStore({ url: SHARED_REDIS_URL });
    const id = `default-prefix-${crypto.randomUUID()}`;
    try {
      await store.create(header(id));
      await store.append(id, [event('x')]);
      expect((await raw.keys(`chuk:session:{${id}}*`)).sort()).toEqual([`chuk:session:{${id}}`, `chuk:session:{${id}}:events`, `chuk:session:{${id}}:ids`]);
      const ttls = await Promise.all([raw.pttl(`chuk:session:{${id}}`), raw.pttl(`chuk:session:{${id}}:events`), raw.pttl(`chuk:session:{${id}}:ids`)]);
      for (const ttl of ttls) expect(ttl).toBeGreaterThan(86_000_000);
    } finally {
      await store.delete(id);
      await store.close();
    }
  });

  it('formats expires_at in Lua exactly like toISOString, across leap days and centuries', async () => {
    const instants = ['2000-02-29T12:00:00.001Z', '2100-03-01T00:00:00.000Z', '1999-12-31T23:59:59.999Z', '2024-02-29T23:59:59.999Z'];
    for (const [i, instant] of instants.entries()) {
      const store = makeStore({ ttlSeconds: 1, clock: () => new Date(instant) });
      await store.create(header(`iso-${i}`));
      expect(await store.extendTtl(`iso-${i}`, 86_400)).toBe(true);
      const pttl = await raw.pttl(`${prefix}session:{iso-${i}}`);
      const expiresAt = await raw.hget(`${prefix}session:{iso-${i}}`, 'expires_at');
      const expected = Date.parse(instant) + pttl;
      expect(Math.abs(Date.parse(expiresAt ?? '') - expected)).toBeLessThan(50);
      expect(expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
  });

  it('without a TTL nothing expires and extendTtl returns false', async () => {
    const store = makeStore({ ttlSeconds: null });
    await store.create(header('no-ttl'));
    expect(await raw.pttl(`${prefix}session:{no-ttl}`)).toBe(-1);
    expect(await store.extendTtl('no-ttl', 10)).toBe(false);
    expect(await store.extendTtl('missing', 10)).toBe(false);
  });

  it('records no user_id when the property is not a string, and removes it on update', async () => {
    const store = makeStore();
    await store.create(header('uid-1', { user_id: 'u' }));
    const h = (await store.getHeader('uid-1'))!;
    h.metadata.properties = {};
    await store.updateHeader(h, { expectedRevision: 1 });
    expect(await raw.hget(`${prefix}session:{uid-1}`, 'user_id')).toBeNull();
    await store.create(header('uid-2', { user_id: 42 }));
    expect(await raw.hget(`${prefix}session:{uid-2}`, 'user_id')).toBeNull();
  });
});

describe('operations', () => {
  it('append is one EVALSHA whatever the session length', async () => {
    const store = makeStore();
    await store.create(header('cost-1'));
    await store.append('cost-1', Array.from({ length: 10_000 }, (_, i) => event(`m${i}`, `c-${i}`)));
    const sent: string[] = [];
    const client = store.client as Redis;
    const original = client.sendCommand.bind(client);
    client.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
      sent.push(command.name);
      return (original as (...a: unknown[]) => unknown)(command, ...rest);
    });
    expect(await store.append('cost-1', [event('last', 'c-last')])).toEqual({ appended: 1, eventCount: 10_001 });
    client.sendCommand = original;
    expect(sent).toEqual(['evalsha']);
    expect(await store.readEvents('cost-1', { from: 10_000 })).toHaveLength(1);
  });

  it('maps script outcomes to the contract errors', async () => {
    const store = makeStore();
    await expect(store.append('nope', [event('x')])).rejects.toBeInstanceOf(SessionNotFound);
    await expect(store.updateHeader(header('nope'), { expectedRevision: 1 })).rejects.toBeInstanceOf(SessionNotFound);
    await store.create(header('err-1'));
    await expect(store.create(header('err-1'))).rejects.toBeInstanceOf(SessionAlreadyExists);
    const conflict = await store.append('err-1', [event('x')], { expectedCount: 3 }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(SessionVersionConflict);
    expect(conflict).toMatchObject({ kind: 'eventCount', expected: 3, actual: 0, backend: 'redis' });
    const stale = await store.updateHeader(header('err-1'), { expectedRevision: 7 }).catch((e: unknown) => e);
    expect(stale).toMatchObject({ kind: 'revision', expected: 7, actual: 1 });
  });

  it('a new create after delete starts empty; leftovers of an interrupted delete never reappear', async () => {
    const store = makeStore();
    await store.create(header('left-1'));
    await store.append('left-1', [event('a', 'l1')]);
    await raw.del(`${prefix}session:{left-1}`); // as if a delete stopped after the hash
    await store.create(header('left-1'));
    expect((await store.get('left-1'))?.events).toEqual([]);
    expect(await store.append('left-1', [event('a', 'l1')])).toEqual({ appended: 1, eventCount: 1 });
  });

  it('validates its inputs with InvalidInput', async () => {
    const store = makeStore();
    await expect(store.get('bad{id}')).rejects.toBeInstanceOf(InvalidInput);
    await expect(store.readEvents('x', { from: -1 })).rejects.toBeInstanceOf(InvalidInput);
    await expect(store.append('x', [event('a')], { expectedCount: 1.5 })).rejects.toBeInstanceOf(InvalidInput);
    await expect(store.list('', { limit: 0 })).rejects.toBeInstanceOf(InvalidInput);
    await expect(store.list('', { cursor: 'garbage' })).rejects.toBeInstanceOf(InvalidInput);
    await expect(store.list('', { cursor: '9:0' })).rejects.toBeInstanceOf(InvalidInput);
    await expect(store.extendTtl('x', 0)).rejects.toBeInstanceOf(InvalidInput);
    await expect(store.append('x', [{ id: 'fake' } as never])).rejects.toBeInstanceOf(InvalidInput);
    expect(() => new RedisSessionStore({ keyPrefix: 'a{b}' })).toThrow(InvalidInput);
    expect(() => new RedisSessionStore({ ttlSeconds: -1 })).toThrow(InvalidInput);
  });

  it('readEvents pages and limit 0', async () => {
    const store = makeStore();
    await store.create(header('page-1'));
    await store.append('page-1', [event('a', 'p1'), event('b', 'p2'), event('c', 'p3')]);
    expect((await store.readEvents('page-1', { from: 1, limit: 1 }))?.map((e) => e.id)).toEqual(['p2']);
    expect(await store.readEvents('page-1', { limit: 0 })).toEqual([]);
    expect(await store.readEvents('page-1', { from: 5 })).toEqual([]);
    expect(await store.readEvents('missing', { limit: 0 })).toBeNull();
    expect(await store.readEvents('missing')).toBeNull();
  });

  it('get derives updatedAt from the last event', async () => {
    const store = makeStore();
    const h = header('upd-1');
    h.metadata.updatedAt = '2020-01-01T00:00:00.000Z';
    await store.create(h);
    const e = event('late');
    await store.append('upd-1', [e]);
    expect((await store.get('upd-1'))?.metadata.updatedAt).toBe(e.timestamp);
  });
});

describe('corrupt or foreign data', () => {
  it('get/getHeader/readEvents throw StorageError, never null', async () => {
    const store = makeStore();
    const keys = sessionKeys(prefix, 'bad-1');
    await raw.hset(keys.hash, { header: '{not json', revision: '1', event_count: '0' });
    for (const run of [() => store.get('bad-1'), () => store.getHeader('bad-1')]) {
      const error = await run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect(error).not.toBeInstanceOf(SessionNotFound);
    }
    await store.create(header('bad-2'));
    await raw.rpush(sessionKeys(prefix, 'bad-2').events, '{"id": 5}');
    await expect(store.get('bad-2')).rejects.toMatchObject({ name: 'StorageError', operation: 'get', backend: 'redis' });
    await expect(store.readEvents('bad-2')).rejects.toMatchObject({ name: 'StorageError', operation: 'readEvents' });
    await raw.hset(sessionKeys(prefix, 'bad-3').hash, { header: '{}', revision: 'x', event_count: '0' });
    await expect(store.getHeader('bad-3')).rejects.toBeInstanceOf(StorageError);
    await raw.hset(sessionKeys(prefix, 'bad-4').hash, { revision: '1', event_count: '0' });
    await expect(store.get('bad-4')).rejects.toBeInstanceOf(StorageError);
    await raw.set(sessionKeys(prefix, 'bad-5').hash, 'a string, not a hash');
    await expect(store.get('bad-5')).rejects.toMatchObject({ name: 'StorageError', operation: 'get' });
  });

  it('a foreign session_type reads as null', async () => {
    const store = makeStore();
    await store.create(header('foreign-1'));
    await raw.hset(sessionKeys(prefix, 'foreign-1').hash, 'session_type', 'something_else');
    expect(await store.get('foreign-1')).toBeNull();
    expect(await store.getHeader('foreign-1')).toBeNull();
  });
});

describe('listing', () => {
  it('lists ids by prefix, glob characters literal, unicode kept, :events/:ids never listed', async () => {
    const store = makeStore();
    const ids = ['ls-a*1', 'ls-a?2', 'ls-a[3]', 'ls-b\\4', 'ls-ünï-5', 'ls-a-6'];
    for (const id of ids) {
      await store.create(header(id));
      await store.append(id, [event('x')]);
    }
    const all = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: { ids: string[]; cursor: string | null } = await store.list('ls-', { cursor, limit: 2 });
      page.ids.forEach((id) => all.add(id));
      cursor = page.cursor;
    } while (cursor !== null);
    expect([...all].sort()).toEqual([...ids].sort());
    expect((await store.list('ls-a*')).ids).toEqual(['ls-a*1']);
    expect((await store.list('ls-a?')).ids).toEqual(['ls-a?2']);
    expect((await store.list('ls-a[')).ids).toEqual(['ls-a[3]']);
    expect((await store.list('ls-b\\')).ids).toEqual(['ls-b\\4']);
    expect((await store.list('ls-ü')).ids).toEqual(['ls-ünï-5']);
    expect(await store.list('ls-{')).toEqual({ ids: [], cursor: null });
  });

  it('two store instances see each other', async () => {
    const a = makeStore();
    const b = makeStore();
    await a.create(header('x-proc-1'));
    expect((await b.list('x-proc-')).ids).toEqual(['x-proc-1']);
    expect(await b.exists('x-proc-1')).toBe(true);
    await b.append('x-proc-1', [event('from b', 'xb')]);
    expect((await a.get('x-proc-1'))?.events.map((e) => e.id)).toEqual(['xb']);
  });
});

describe('TTL (real expiry on the server)', () => {
  it('expires, and append / updateHeader slide the expiry of all three keys', { timeout: 20_000 }, async () => {
    const store = makeStore({ ttlSeconds: 1 });
    await store.create(header('ttl-1'));
    await store.append('ttl-1', [event('a')]);
    await raw.pexpire(sessionKeys(prefix, 'ttl-1').hash, 300);
    await raw.pexpire(sessionKeys(prefix, 'ttl-1').events, 300);
    await store.append('ttl-1', [event('b')]);
    const ttlKeys = sessionKeys(prefix, 'ttl-1');
    for (const key of [ttlKeys.hash, ttlKeys.events, ttlKeys.ids]) expect(await raw.pttl(key)).toBeGreaterThan(500);
    await raw.pexpire(sessionKeys(prefix, 'ttl-1').hash, 300);
    await store.updateHeader((await store.getHeader('ttl-1'))!, { expectedRevision: 1 });
    expect(await raw.pttl(sessionKeys(prefix, 'ttl-1').hash)).toBeGreaterThan(500);
    await new Promise((r) => setTimeout(r, 1_300));
    expect(await store.get('ttl-1')).toBeNull();
    expect(await raw.exists(ttlKeys.hash, ttlKeys.events, ttlKeys.ids)).toBe(0);
  });
});

describe('legacy envelopes (spec §13.5)', () => {
  it('reads a reference envelope, migrates it to native keys, ignores foreign envelopes', async () => {
    const store = makeStore({ legacyRead: true });
    const id = `legacy-${crypto.randomUUID()}`;
    const sessionJson = JSON.stringify({
      id,
      metadata: { created_at: '2025-01-01T12:00:00.123456Z', updated_at: '2025-01-01T12:00:01+00:00', properties: { user_id: 'ref' } },
      parent_id: null,
      child_ids: [],
      task_ids: [],
      runs: [],
      events: [
        {
          id: 'ref-e1',
          message: 'hello',
          timestamp: '2025-01-01T12:00:00.5',
          source: 'user',
          type: 'message',
          metadata: {},
          parent_event_id: null,
          task_id: null,
          token_usage: { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3, model: 'gpt-4o-mini', estimated_cost_usd: null },
        },
      ],
      state: {},
      token_summary: { total_prompt_tokens: 3, total_completion_tokens: 0, total_tokens: 3, usage_by_model: {}, total_estimated_cost_usd: 0 },
    });
    const envelope = { session_id: id, custom_metadata: { ai_session_data: sessionJson, event_count: 1, session_type: 'ai_session_manager' } };
    await raw.set(`session:${id}`, JSON.stringify(envelope), 'EX', 60);
    const foreign = `legacy-f-${crypto.randomUUID()}`;
    await raw.set(`session:${foreign}`, JSON.stringify({ custom_metadata: { session_type: 'other', ai_session_data: '{}' } }), 'EX', 60);
    try {
      const session = await store.get(id);
      expect(session).toBeInstanceOf(Session);
      expect(session?.events.map((e) => e.id)).toEqual(['ref-e1']);
      expect(session?.totalTokens).toBe(3);
      expect(await raw.exists(sessionKeys(prefix, id).hash)).toBe(1);
      expect(await raw.exists(`session:${id}`)).toBe(1);
      expect((await store.get(id))?.events).toHaveLength(1); // second read: native, no duplicate
      expect(await store.get(foreign)).toBeNull();
      expect(await makeStore().get(id)).not.toBeNull();
      await raw.set(`session:legacy-bad-${id}`, 'not json', 'EX', 60);
      await expect(store.get(`legacy-bad-${id}`)).rejects.toBeInstanceOf(StorageError);
      expect(await makeStore({ legacyRead: false }).get(`legacy-none-${id}`)).toBeNull();
      expect(await store.get(`legacy-none-${id}`)).toBeNull();
    } finally {
      await raw.del(`session:${id}`, `session:${foreign}`, `session:legacy-bad-${id}`);
    }
  });
});

describe('lifecycle', () => {
  it('an injected client is not quit; an owned one is; a closed store refuses work', async () => {
    const client = new Redis(SHARED_REDIS_URL, { lazyConnect: true });
    const store = new RedisSessionStore({ client, keyPrefix: prefix });
    await store.create(header('life-1'));
    await store.close();
    expect(client.status).toBe('ready');
    await expect(store.get('life-1')).rejects.toBeInstanceOf(StorageError);
    client.disconnect();
    const owned = makeStore();
    await owned.exists('x');
    const ended = new Promise((resolve) => owned.client.once('end', resolve));
    await owned.close();
    await owned.close();
    await ended;
    expect(owned.client.status).toBe('end');
    const never = makeStore();
    await never.close();
    expect(never.client.status).toBe('end');
  });

  it('reports stats and capabilities', async () => {
    const store = makeStore({ sandboxId: 'sb' });
    expect(store.backend).toBe('redis');
    expect(store.capabilities).toEqual({ ttl: true, atomicAppend: true, atomicHeaderCas: true, listing: true });
    expect(await store.getStats()).toEqual({
      backend: 'redis',
      details: { keyPrefix: prefix, sandboxId: 'sb', ttlSeconds: 86_400, cluster: false },
    });
  });
});

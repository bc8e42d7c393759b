import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionVersionConflict } from '@chuk/models';
import { RedisSessionStore, sessionKeys } from '../src/index.js';
import { SHARED_REDIS_URL, deleteKeys, event, header, uniquePrefix } from './helpers/fixtures.js';
import { TestRedisServer } from './helpers/redis-server.js';

/** Larger than the script's 1000-argument chunks, so known ids fall in several chunks. */
const LARGE_BATCH = 2_500;
const SERVER_TEST_TIMEOUT_MS = 60_000;

/**
 * The append script's id handling, on a given server: known ids found in every chunk of a large
 * batch, ids repeated in the batch, the compare-and-set writing nothing on a conflict.
 */
function defineAppendCases(name: string, target: () => { url: string; prefix: string }): void {
  describe(`append script (${name})`, () => {
    let store: RedisSessionStore;
    let raw: Redis;
    beforeAll(() => {
      const { url, prefix } = target();
      store = new RedisSessionStore({ url, keyPrefix: prefix });
      raw = new Redis(url, { lazyConnect: true });
    });
    afterAll(async () => {
      await store.close();
      raw.disconnect();
    });

    it('skips ids already stored in every chunk of a large batch and keeps the order of the rest', async () => {
      await store.create(header('large'));
      const first = Array.from({ length: LARGE_BATCH }, (_, i) => event(`m${i}`, `id-${i}`)).filter((_, i) => i % 3 === 0);
      expect(await store.append('large', first)).toEqual({ appended: first.length, eventCount: first.length });
      const all = Array.from({ length: LARGE_BATCH }, (_, i) => event(`m${i}`, `id-${i}`));
      expect(await store.append('large', all)).toEqual({ appended: LARGE_BATCH - first.length, eventCount: LARGE_BATCH });
      const ids = (await store.readEvents('large'))?.map((e) => e.id);
      expect(ids?.slice(0, first.length)).toEqual(first.map((e) => e.id));
      expect(ids?.slice(first.length)).toEqual(all.filter((_, i) => i % 3 !== 0).map((e) => e.id));
      expect(await raw.scard(sessionKeys(target().prefix, 'large').ids)).toBe(LARGE_BATCH);
    });

    it('stores an id repeated in the batch once, the first occurrence', async () => {
      await store.create(header('repeat'));
      const result = await store.append('repeat', [event('one', 'r-1'), event('two', 'r-2'), event('again', 'r-1')]);
      expect(result).toEqual({ appended: 2, eventCount: 2 });
      expect((await store.readEvents('repeat'))?.map((e) => e.message)).toEqual([
        { role: 'user', content: 'one' },
        { role: 'user', content: 'two' },
      ]);
    });

    it('a conflicting expectedCount writes nothing; a batch of known ids succeeds whatever it says', async () => {
      await store.create(header('cas'));
      await store.append('cas', [event('a', 'c-1'), event('b', 'c-2')]);
      const conflict = await store.append('cas', [event('b', 'c-2'), event('c', 'c-3')], { expectedCount: 1 }).catch((e: unknown) => e);
      expect(conflict).toBeInstanceOf(SessionVersionConflict);
      expect(conflict).toMatchObject({ expected: 1, actual: 2 });
      expect((await raw.smembers(sessionKeys(target().prefix, 'cas').ids)).sort()).toEqual(['c-1', 'c-2']);
      expect(await store.append('cas', [event('a', 'c-1'), event('b', 'c-2')], { expectedCount: 0 })).toEqual({ appended: 0, eventCount: 2 });
      expect(await store.append('cas', [event('c', 'c-3')], { expectedCount: 2 })).toEqual({ appended: 1, eventCount: 3 });
    });

    it('an empty batch reports the count of an existing session', async () => {
      await store.create(header('empty'));
      await store.append('empty', [event('a')]);
      expect(await store.append('empty', [])).toEqual({ appended: 0, eventCount: 1 });
    });
  });
}

const sharedPrefix = uniquePrefix('append');
afterAll(() => deleteKeys(SHARED_REDIS_URL, sharedPrefix));
defineAppendCases('shared Redis, SMISMEMBER', () => ({ url: SHARED_REDIS_URL, prefix: sharedPrefix }));

// Redis 6.0 has no SMISMEMBER: the script then checks each id with SISMEMBER. A server with the
// command renamed away exercises that path.
let legacy: TestRedisServer | null = null;
beforeAll(async () => {
  legacy = await TestRedisServer.start(['--rename-command', 'SMISMEMBER', '']);
}, SERVER_TEST_TIMEOUT_MS);
afterAll(async () => {
  await legacy?.kill();
});
defineAppendCases('server without SMISMEMBER', () => ({ url: (legacy as TestRedisServer).url, prefix: 'legacy:' }));

describe('server without SMISMEMBER', () => {
  it('really lacks the command (so the cases above took the SISMEMBER path)', async () => {
    const raw = new Redis((legacy as TestRedisServer).url, { lazyConnect: true });
    try {
      await expect(raw.call('SMISMEMBER', 'k', 'a')).rejects.toThrow(/unknown command/i);
    } finally {
      raw.disconnect();
    }
  });
});

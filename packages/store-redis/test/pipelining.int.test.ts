import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionNotFound, StorageError } from '@chuk/models';
import { RedisBlobStore, RedisSessionStore, sessionKeys } from '../src/index.js';
import { SCRIPTS } from '../src/client/scripts.js';
import { SHARED_REDIS_URL, deleteKeys, event, header, uniquePrefix } from './helpers/fixtures.js';
import { TestRedisServer } from './helpers/redis-server.js';

const SERVER_TEST_TIMEOUT_MS = 60_000;
const CONCURRENT = 50;

const prefix = uniquePrefix('pipelining');
afterAll(() => deleteKeys(SHARED_REDIS_URL, prefix));

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The corked state of the standalone client's socket (0 when writes go out at once). */
function corked(store: RedisSessionStore): number {
  return (store.client as Redis).stream.writableCorked;
}

describe('autoPipelining on a standalone server', () => {
  it('the created client does not use ioredis auto-pipelining; a Cluster URL does', async () => {
    const standalone = new RedisSessionStore({ url: SHARED_REDIS_URL, autoPipelining: true });
    const cluster = new RedisSessionStore({ url: 'redis://127.0.0.1:1,127.0.0.1:2', autoPipelining: true });
    expect(standalone.client.options.enableAutoPipelining).toBe(false);
    expect(cluster.client.options.enableAutoPipelining).toBe(true);
    await standalone.close();
    await cluster.close();
  });

  it('the commands of one event-loop turn leave corked together, with the replies of separate commands', async () => {
    const store = new RedisSessionStore({ url: SHARED_REDIS_URL, keyPrefix: prefix, autoPipelining: true });
    try {
      // the very first command finds no socket yet (lazy connect): nothing to cork, it still works
      expect(await store.exists('nothing-yet')).toBe(false);
      const ids = Array.from({ length: CONCURRENT }, (_, i) => `p-${i}`);
      const created = ids.map((id) => store.create(header(id)));
      expect(corked(store)).toBe(1);
      await nextTurn();
      expect(corked(store)).toBe(0);
      expect(await Promise.all(created)).toEqual(ids.map(() => 1));
      const appended = await Promise.all(ids.map((id, i) => store.append(id, [event(`m${i}`, `e-${i}`)])));
      expect(appended).toEqual(ids.map(() => ({ appended: 1, eventCount: 1 })));
      const sessions = await Promise.all(ids.map((id) => store.get(id)));
      expect(sessions.map((s) => s?.events[0]?.id)).toEqual(ids.map((_, i) => `e-${i}`));
      // a failing command among them fails alone
      const mixed = await Promise.allSettled([store.append('missing', [event('x')]), store.exists('p-0')]);
      expect(mixed[0].status === 'rejected' && mixed[0].reason instanceof SessionNotFound).toBe(true);
      expect(mixed[1]).toEqual({ status: 'fulfilled', value: true });
    } finally {
      await store.close();
    }
  });

  it('a large command (a batch of events) goes out at once; small ones wait for the end of the turn', async () => {
    const store = new RedisSessionStore({ url: SHARED_REDIS_URL, keyPrefix: prefix, autoPipelining: true });
    try {
      await Promise.all([store.create(header('large-a')), store.create(header('large-b'))]);
      const stream = (store.client as Redis).stream;
      const uncork = stream.uncork.bind(stream);
      let flushes = 0;
      stream.uncork = () => {
        flushes += 1;
        uncork();
      };
      const big = (tag: string) => Array.from({ length: 100 }, (_, i) => event(`${tag} ${'x'.repeat(300)}`, `${tag}-${i}`));
      const pending = [store.exists('large-a'), store.append('large-a', big('a')), store.exists('large-b')];
      expect(flushes).toBe(1);
      pending.push(store.append('large-b', big('b')));
      expect(flushes).toBe(2);
      await nextTurn();
      expect(flushes).toBe(3);
      stream.uncork = uncork;
      expect(await Promise.all(pending)).toEqual([true, { appended: 100, eventCount: 100 }, true, { appended: 100, eventCount: 100 }]);
    } finally {
      await store.close();
    }
  });

  it('without the option, or on an injected client that auto-pipelines itself, nothing is corked', async () => {
    const plain = new RedisSessionStore({ url: SHARED_REDIS_URL, keyPrefix: prefix });
    const own = new Redis(SHARED_REDIS_URL, { lazyConnect: true, enableAutoPipelining: true });
    const injected = new RedisSessionStore({ client: own, keyPrefix: prefix, autoPipelining: true });
    try {
      await plain.exists('warm');
      await injected.exists('warm');
      const pending = [plain.exists('a'), injected.exists('a')];
      expect(corked(plain)).toBe(0);
      expect(corked(injected)).toBe(0);
      await Promise.all(pending);
    } finally {
      await plain.close();
      await injected.close();
      own.disconnect();
    }
  });

  it('the blob store coalesces too', async () => {
    const blobs = new RedisBlobStore({ url: SHARED_REDIS_URL, keyPrefix: prefix, autoPipelining: true });
    try {
      await blobs.put('b-0', new Uint8Array([1, 2, 3]));
      const keys = Array.from({ length: 10 }, (_, i) => `b-${i}`);
      await Promise.all(keys.map((k, i) => blobs.put(k, new Uint8Array([i]))));
      expect((await Promise.all(keys.map((k) => blobs.get(k)))).map((b) => b?.[0])).toEqual(keys.map((_, i) => i));
    } finally {
      await blobs.close();
    }
  });
});

describe('scripts by EVALSHA', () => {
  let server: TestRedisServer | null = null;
  beforeAll(async () => {
    server = await TestRedisServer.start();
  }, SERVER_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await server?.kill();
  });

  it('a server that does not know a script (new, or after SCRIPT FLUSH) gets it once as EVAL', async () => {
    const url = (server as TestRedisServer).url;
    const raw = new Redis(url, { lazyConnect: true });
    const store = new RedisSessionStore({ url, autoPipelining: true });
    try {
      expect(await raw.script('EXISTS', SCRIPTS.create.sha)).toEqual([0]);
      await store.create(header('s-1'));
      expect(await raw.script('EXISTS', SCRIPTS.create.sha)).toEqual([1]);
      await raw.script('FLUSH');
      expect(await Promise.all([store.append('s-1', [event('a', 'a-1')]), store.append('s-1', [event('b', 'a-2')])])).toEqual([
        { appended: 1, eventCount: 1 },
        { appended: 1, eventCount: 2 },
      ]);
      expect((await store.get('s-1'))?.events.map((e) => e.id)).toEqual(['a-1', 'a-2']);
    } finally {
      await store.close();
      raw.disconnect();
    }
  });

  it('any other script error is a StorageError, not a retry', async () => {
    const url = (server as TestRedisServer).url;
    const raw = new Redis(url, { lazyConnect: true });
    const store = new RedisSessionStore({ url });
    try {
      await raw.set(sessionKeys('chuk:', 'wrong').hash, 'a string, not a hash');
      const error = await store.get('wrong').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect(String((error as StorageError).cause)).toMatch(/WRONGTYPE/);
    } finally {
      await store.close();
      raw.disconnect();
    }
  });
});

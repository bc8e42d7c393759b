import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { defineBlobStoreSuite, defineSessionStoreSuite } from '@chuk/models/testing';
import { RedisBlobStore, RedisSessionStore, sessionKeys } from '../src/index.js';
import { SHARED_REDIS_URL, deleteKeys, uniquePrefix } from './helpers/fixtures.js';

const prefix = uniquePrefix('kit');
const raw = new Redis(SHARED_REDIS_URL, { lazyConnect: true });
afterAll(async () => {
  raw.disconnect();
  await deleteKeys(SHARED_REDIS_URL, prefix);
});

function sessionHarness(ttlSeconds: number | null) {
  return async () => {
    const open = (): RedisSessionStore => new RedisSessionStore({ url: SHARED_REDIS_URL, keyPrefix: prefix, ttlSeconds });
    const store = open();
    return {
      store,
      reopen: async () => open(),
      corrupt: async (sessionId: string) => {
        await raw.hset(sessionKeys(prefix, sessionId).hash, 'header', '{"id": ');
      },
      cleanup: () => store.close(),
    };
  };
}

defineSessionStoreSuite('redis (standalone)', sessionHarness(86_400));

// Server-side expiry: the TTL cases wait for real (1 s TTL).
defineSessionStoreSuite('redis (1 s TTL, real waits)', sessionHarness(1), {
  ttlSeconds: 1,
  advanceTime: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});

defineBlobStoreSuite('redis', async () => {
  const open = (): RedisBlobStore => new RedisBlobStore({ url: SHARED_REDIS_URL, keyPrefix: `${prefix}b:` });
  const store = open();
  return { store, reopen: async () => open(), cleanup: () => store.close() };
});

import { InMemoryBlobStore, InMemorySessionStore, MemoryEncoding } from '@chuk/models';
import type { MemorySessionEntry } from '@chuk/models';
import { defineBlobStoreSuite, defineSessionStoreSuite } from '@chuk/models/testing';

const TTL_SECONDS = 60;

for (const encoding of [MemoryEncoding.Object, MemoryEncoding.Json]) {
  defineSessionStoreSuite(
    `InMemorySessionStore (${encoding})`,
    async () => {
      let now = Date.UTC(2025, 0, 1);
      const clock = () => new Date(now);
      const store = new InMemorySessionStore({ encoding, ttlSeconds: TTL_SECONDS, clock });
      return {
        store,
        reopen: async () => new InMemorySessionStore({ data: store.data, ttlSeconds: TTL_SECONDS, clock }),
        advanceTime: async (ms: number) => {
          now += ms;
        },
        corrupt:
          encoding === MemoryEncoding.Json
            ? async (id: string) => {
                (store.data.sessions.get(id) as MemorySessionEntry).events[0] = '{"id": 5';
              }
            : undefined,
        cleanup: async () => store.clear(),
      };
    },
    { ttlSeconds: TTL_SECONDS },
  );
}

defineSessionStoreSuite('InMemorySessionStore (no TTL, no hooks, capabilities narrowed)', async () => ({ store: new InMemorySessionStore() }), {
  capabilities: { atomicAppend: false },
});

defineBlobStoreSuite('InMemoryBlobStore', async () => {
  const store = new InMemoryBlobStore();
  return { store, reopen: async () => new InMemoryBlobStore({ data: store.data }) };
});

/** Two processes, simulated by two store instances (two Redis clients), on one Redis server. */
import { EventType } from '@chuk/models';
import { RedisSessionStore } from '@chuk/store-redis';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionManager } from '../src/manager/session-manager.js';
import { wordCounter } from './helpers.js';

const url = process.env.SESSION_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const keyPrefix = `chuk-sm-test:${process.pid}:${Date.now()}:`;
const stores = [new RedisSessionStore({ url, keyPrefix, ttlSeconds: 120 }), new RedisSessionStore({ url, keyPrefix, ttlSeconds: 120 })] as const;

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

describe('two store instances on one Redis', () => {
  it('keep every event of two concurrent writers', async () => {
    const [storeA, storeB] = stores;
    const a = new SessionManager({ store: storeA, sessionId: 'shared-redis', counter: wordCounter });
    await a.ensureInitialized();
    const b = new SessionManager({ store: storeB, sessionId: 'shared-redis', counter: wordCounter });
    await Promise.all([
      (async () => {
        for (let i = 0; i < 10; i++) await a.userSays(`a${i}`);
      })(),
      (async () => {
        for (let i = 0; i < 10; i++) await b.aiResponds(`b${i}`);
      })(),
    ]);
    const stored = await storeA.get('shared-redis');
    expect(stored?.events).toHaveLength(20);
    expect(new Set(stored?.events.map((e) => e.id)).size).toBe(20);
    await b.userSays('b catches up');
    expect((await b.getStats()).totalEvents).toBe(21);
  });

  it('roll a shared segment over once', async () => {
    const [storeA, storeB] = stores;
    const opts = { sessionId: 'shared-roll', counter: wordCounter, infiniteContext: true, maxTurnsPerSegment: 2 } as const;
    const a = new SessionManager({ ...opts, store: storeA });
    await a.userSays('one');
    await a.userSays('two');
    const b = new SessionManager({ ...opts, store: storeB });
    await b.ensureInitialized();
    const [idA, idB] = await Promise.all([a.userSays('three'), b.userSays('four')]);
    const root = await storeA.get('shared-roll');
    expect(root?.events.filter((e) => e.type === EventType.Summary)).toHaveLength(1);
    expect(root?.childIds).toHaveLength(1);
    expect(idA).toBe(root?.childIds[0]);
    expect(idB).toBe(idA);
  });
});

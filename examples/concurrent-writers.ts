/**
 * Two writers on one session lose nothing: two SessionManagers, each with its own store client (as two
 * processes would have), append 20 events each, concurrently, to the same session. Through Redis when
 * it is reachable; otherwise through one shared in-memory store (said so in the output).
 */
import type { SessionStore } from '@chuk/models';
import { InMemorySessionStore } from '@chuk/models';
import { RedisSessionStore } from '@chuk/store-redis';
import { SessionManager } from '@chuk/session-manager';
import { hostPort, tcpReachable } from './lib/reachable.js';

const url = process.env.SESSION_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const { host, port } = hostPort(url, 6379);
const redis = await tcpReachable(host, port);
const keyPrefix = `chuk-example-cw:${Date.now()}:`;
const shared = new InMemorySessionStore();
const storeA: SessionStore = redis ? new RedisSessionStore({ url, keyPrefix, ttlSeconds: 300 }) : shared;
const storeB: SessionStore = redis ? new RedisSessionStore({ url, keyPrefix, ttlSeconds: 300 }) : shared;
console.log(redis ? `Two Redis clients on ${host}:${port}` : 'Redis not reachable: two managers on one in-memory store');

const sessionId = `concurrent-${Date.now()}`;
const a = new SessionManager({ store: storeA, sessionId });
await a.ensureInitialized();
const b = new SessionManager({ store: storeB, sessionId });
const PER_WRITER = 20;
await Promise.all([
  (async () => {
    for (let i = 0; i < PER_WRITER; i++) await a.userSays(`writer A message ${i}`);
  })(),
  (async () => {
    for (let i = 0; i < PER_WRITER; i++) await b.aiResponds(`writer B message ${i}`, { model: 'gpt-4o-mini' });
  })(),
]);

const stored = await storeA.get(sessionId);
const ids = new Set(stored?.events.map((e) => e.id));
console.log(`Stored events: ${stored?.events.length} (expected ${2 * PER_WRITER}), distinct ids: ${ids.size}`);
const interleaving = stored?.events.map((e) => (e.source === 'user' ? 'A' : 'B')).join('') ?? '';
console.log(`Arrival order: ${interleaving}`);
await a.userSays('A catches up');
const stats = await a.getStats();
console.log(`Writer A now sees ${stats.totalEvents} events (${stats.userMessages} from A, ${stats.aiMessages} from B)`);
if (stored?.events.length !== 2 * PER_WRITER || ids.size !== 2 * PER_WRITER) throw new Error('events were lost');
await storeA.delete(sessionId);
await storeA.close();
if (storeB !== storeA) await storeB.close();
console.log('No event lost.');

/**
 * Sessions in Redis (@chuk/store-redis): a SessionManager on a RedisSessionStore, the key layout, and
 * a second manager reopening the session. Skips with a message when Redis is not reachable
 * (SESSION_REDIS_URL, default redis://127.0.0.1:6379/0).
 */
import { RedisSessionStore } from '@chuk/store-redis';
import { SessionManager } from '@chuk/session-manager';
import { hostPort, tcpReachable } from './lib/reachable.js';

const url = process.env.SESSION_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const { host, port } = hostPort(url, 6379);
if (!(await tcpReachable(host, port))) {
  console.log(`Redis is not reachable at ${host}:${port}; skipping (set SESSION_REDIS_URL to run this example).`);
  process.exit(0);
}

const keyPrefix = `chuk-example:${Date.now()}:`;
const store = new RedisSessionStore({ url, keyPrefix, ttlSeconds: 300 });
try {
  const sm = new SessionManager({ store, systemPrompt: 'You are concise.', metadata: { user_id: 'alice' } });
  await sm.userSays('Remember that my favourite colour is teal.');
  await sm.aiResponds('Noted: teal.', { model: 'gpt-4o-mini', provider: 'openai' });
  await sm.toolUsed('remember', { key: 'colour', value: 'teal' }, { ok: true });
  console.log(`Recorded session ${sm.sessionId} in Redis (${store.backend}), TTL 300 s`);
  console.log(`  keys: ${keyPrefix}session:{${sm.sessionId}} (header hash), …:events (list), …:ids (set)`);

  const reopened = new SessionManager({ store, sessionId: sm.sessionId });
  const stats = await reopened.getStats();
  console.log(`Reopened from Redis: ${stats.totalEvents} events, ${stats.totalTokens} tokens, system prompt "${reopened.systemPrompt}"`);
  for (const turn of await reopened.getConversation()) console.log(`  ${turn.role}: ${turn.content}`);
  console.log(`Listed: ${(await store.list('')).ids.length} session(s) under the example prefix`);
  await store.delete(sm.sessionId);
} finally {
  await store.close();
}

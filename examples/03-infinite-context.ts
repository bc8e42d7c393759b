/**
 * 03 — infinite context: a regular session, then an infinite one with one message per segment
 * (3 exchanges → 6 segments, each closed with a summary), then the simple API's infinite tracking.
 */
import { SessionManager, trackConversation, trackInfiniteConversation } from '@chuk/session-manager';

console.log('(a) Regular session');
const regular = new SessionManager();
await regular.userSays('Hello!');
await regular.aiResponds('Hi there, how can I help?', { model: 'gpt-4o-mini' });
const r = await regular.getStats();
console.log(`  id ${r.sessionId.slice(0, 8)}..., ${r.userMessages} user / ${r.aiMessages} AI, ${r.sessionSegments} segment, infinite ${r.infiniteContext}, ${(await regular.getConversation()).length} turns`);

console.log('(b) Infinite session: tokenThreshold 100, maxTurnsPerSegment 1');
const infinite = new SessionManager({ infiniteContext: true, tokenThreshold: 100, maxTurnsPerSegment: 1 });
const questions = ['What is machine learning?', 'How does a neural network learn?', 'What is overfitting?'];
let current = infinite.sessionId;
for (const [i, question] of questions.entries()) {
  for (const id of [await infinite.userSays(question), await infinite.aiResponds(`Answer ${i + 1}: a short explanation.`, { model: 'gpt-4o-mini' })]) {
    if (id !== current) console.log(`  transition ${current.slice(0, 8)}... → ${id.slice(0, 8)}...`);
    current = id;
  }
}
const s = await infinite.getStats();
const chain = await infinite.getSessionChain();
console.log(`  segments ${s.sessionSegments}, chain of ${chain.length}, full conversation of ${(await infinite.getConversation()).length}, ${s.userMessages} user / ${s.aiMessages} AI`);
console.log(`  the LLM sees: ${JSON.stringify((await infinite.getMessagesForLlm())[0]?.content.slice(0, 80))}...`);
if (s.sessionSegments !== 6 || chain.length !== 6) throw new Error('expected a chain of 6 segments');

console.log('(c) Simple API');
console.log(`  trackConversation → ${await trackConversation('Hi', 'Hello!', { model: 'gpt-4o-mini' })}`);
console.log(`  trackInfiniteConversation → ${await trackInfiniteConversation('Hi', 'Hello!', { model: 'gpt-4o-mini', maxTurns: 2 })}`);
console.log('All Tests Passed!');

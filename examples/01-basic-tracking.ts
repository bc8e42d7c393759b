/** 01 — the smallest use: record one exchange with `trackConversation` (default in-memory store). */
import { getConversationHistory, trackConversation } from '@chuk/session-manager';

console.log('Tracking one conversation turn (gpt-4 / openai)...');
const sessionId = await trackConversation('What is the capital of France?', 'The capital of France is Paris.', {
  model: 'gpt-4',
  provider: 'openai',
});
console.log(`Tracked! Session ID: ${sessionId}`);
for (const turn of await getConversationHistory(sessionId)) console.log(`  ${turn.role}: ${turn.content}`);

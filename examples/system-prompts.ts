/** System prompts: set at construction, switched mid-conversation, persisted and adopted when reopening. */
import { InMemorySessionStore } from '@chuk/models';
import { SessionManager } from '@chuk/session-manager';

const store = new InMemorySessionStore();

console.log('Support assistant');
const support = new SessionManager({ store, systemPrompt: 'You are a patient support agent for Acme routers.' });
await support.userSays('My router keeps rebooting.');
await support.aiResponds('Sorry to hear that. Is the power light steady or blinking?', { model: 'gpt-4o-mini' });
await support.userSays('Blinking orange.');
await support.aiResponds('Orange blinking means a firmware update failed; let us reflash it.', { model: 'gpt-4o-mini' });
const messages = await support.getMessagesForLlm();
console.log(`  Total messages (including system): ${messages.length}`);
console.log(`  Session: ${support.sessionId}`);

console.log('Multi-language assistant (prompt switched mid-conversation)');
const lang = new SessionManager({ store, systemPrompt: 'Answer in English.' });
await lang.userSays('Say good morning.');
await lang.aiResponds('Good morning!', { model: 'gpt-4o-mini' });
await lang.updateSystemPrompt('Réponds en français.');
await lang.userSays('Dis bonjour.');
await lang.aiResponds('Bonjour !', { model: 'gpt-4o-mini' });
const langStats = await lang.getStats();
console.log(`  system now: ${(await lang.getMessagesForLlm())[0]?.content}`);
console.log(`  ${langStats.totalMessages} messages, ${langStats.totalTokens} tokens`);

console.log('Role play (prompt set before the first message, then roles switched)');
const play = new SessionManager({ store });
await play.updateSystemPrompt('You are a pirate captain.');
await play.userSays('Where is the treasure?');
await play.aiResponds('Arr, buried on Skull Island!', { model: 'gpt-4o-mini' });
await play.updateSystemPrompt('You are a navy admiral.');
const reopened = new SessionManager({ store, sessionId: play.sessionId });
await reopened.ensureInitialized();
console.log(`  reopened session adopts the stored prompt: "${reopened.systemPrompt}"`);

console.log('Features: stored in properties.system_prompt, sent first to the LLM, blank prompts omitted, kept across segments.');

/** Prompt strategies of @chuk/conversation on one recorded session, and truncation to a token limit. */
import { PromptStrategy, buildPromptFromSession, truncatePromptToTokenLimit } from '@chuk/conversation';
import { InMemorySessionStore } from '@chuk/models';
import { SessionManager } from '@chuk/session-manager';
import { banner, short } from './lib/scripted-llm.js';

const store = new InMemorySessionStore();
const sm = new SessionManager({ store });
await sm.userSays("What's the weather in Lisbon, and should I pack a jacket?");
await sm.aiResponds('Let me check the forecast.', { model: 'gpt-4o-mini' });
await sm.toolUsed('weather', { city: 'Lisbon' }, { temperature: '17°C', wind: 'strong' });
await sm.toolUsed('packing_advice', { temperature: 17 }, { status: 'error', message: 'service down' }, { error: 'service down' });
await sm.userSays('And tomorrow?');
await sm.aiResponds('Checking tomorrow as well.', { model: 'gpt-4o-mini' });
await sm.toolUsed('weather', { city: 'Lisbon', day: 'tomorrow' }, { temperature: '21°C' });
const session = await sm.getSession();

for (const strategy of Object.values(PromptStrategy)) {
  banner(`strategy: ${strategy}`);
  const prompt = await buildPromptFromSession(session, { strategy, store, includeParentContext: true });
  for (const m of prompt) console.log(`  ${m.role}${m.name ? `(${m.name})` : ''}: ${m.content === null ? '<null>' : short(m.content, 70)}`);
}

banner('truncation');
const full = await buildPromptFromSession(session, { strategy: PromptStrategy.Conversation, maxHistory: 10 });
for (const limit of [20, 40, 1000]) {
  const cut = await truncatePromptToTokenLimit(full, limit);
  console.log(`  limit ${String(limit).padStart(4)}: ${full.length} → ${cut.length} messages`);
}

/** 02 — a SessionManager: two turns and a tool call, then stats (tokens, cost) and the history. */
import { SessionManager } from '@chuk/session-manager';
import { short } from './lib/scripted-llm.js';

const sm = new SessionManager({ systemPrompt: 'You are a helpful weather assistant.' });

await sm.userSays('What is the weather like in Paris today?');
await sm.aiResponds('Let me check the current weather in Paris for you.', { model: 'gpt-4o', provider: 'openai' });
await sm.toolUsed('get_weather', { city: 'Paris' }, { temperature: '18°C', condition: 'partly cloudy' });
await sm.userSays('Should I bring an umbrella?');
await sm.aiResponds('It is 18°C and partly cloudy; no rain is expected, so you can leave the umbrella at home.', {
  model: 'gpt-4o',
  provider: 'openai',
});

const stats = await sm.getStats();
console.log(`Session ${stats.sessionId}`);
console.log(`  Messages: ${stats.userMessages} user, ${stats.aiMessages} AI`);
console.log(`  Tools used: ${stats.toolCalls}`);
console.log(`  Events: ${stats.totalEvents}`);
console.log(`  Tokens: ${stats.totalTokens} (counter: ${stats.tokenCounter}${stats.tokenCountsApproximate ? ', approximate' : ''})`);
console.log(`  Cost: $${stats.estimatedCost.toFixed(6)}`);
for (const [model, usage] of Object.entries(stats.usageByModel)) {
  console.log(`    ${model}: ${usage.promptTokens} in / ${usage.completionTokens} out = $${usage.estimatedCostUsd.toFixed(6)}`);
}

console.log('History (tool calls are not part of it):');
for (const turn of await sm.getConversation()) console.log(`  ${turn.role}: ${short(turn.content)}`);

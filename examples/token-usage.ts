/** Token usage: the counter in use, counted vs provider-reported usage, several models and their costs. */
import { DEFAULT_PRICING, GptTokenizerCounter, HeuristicTokenCounter, getDefaultTokenCounter } from '@chuk/models';
import { SessionManager } from '@chuk/session-manager';

const counter = getDefaultTokenCounter();
const sample = 'Token counting is exact when a tokenizer is installed.';
console.log(`Default counter: ${counter.name} → ${await counter.count(sample, 'gpt-4o-mini')} tokens for "${sample}"`);
console.log(`gpt-tokenizer:   ${await new GptTokenizerCounter().count(sample, 'gpt-4o-mini')} tokens`);
console.log(`chars/4 estimate: ${await new HeuristicTokenCounter().count(sample, 'gpt-4o-mini')} tokens (approximate)`);

const sm = new SessionManager({ counter: new GptTokenizerCounter() });
await sm.userSays('Summarise the plot of Hamlet in two sentences.');
await sm.aiResponds('Prince Hamlet seeks revenge for his father’s murder. Nearly everyone dies.', { model: 'gpt-4o', provider: 'openai' });
await sm.userSays('Now in one sentence, please.');
// Provider-reported usage records what the call really cost: the whole prompt, cached input, reasoning.
await sm.aiResponds('Hamlet avenges his father, at a terrible price.', {
  model: 'claude-3-5-sonnet',
  provider: 'anthropic',
  usage: { inputTokens: 1850, outputTokens: 14, cachedInputTokens: 1500 },
});
await sm.aiResponds('(a cheaper model answering too)', { model: 'gpt-4o-mini', provider: 'openai', usage: { promptTokens: 1900, completionTokens: 9 } });

const stats = await sm.getStats();
console.log(`Totals: ${stats.totalTokens} tokens (${stats.promptTokens} in, ${stats.completionTokens} out, ${stats.cachedInputTokens} cached), $${stats.estimatedCost.toFixed(6)}`);
for (const [model, u] of Object.entries(stats.usageByModel)) {
  console.log(`  ${model.padEnd(18)} ${String(u.promptTokens).padStart(5)} in ${String(u.completionTokens).padStart(4)} out  $${u.estimatedCostUsd.toFixed(6)}`);
}
console.log(`Pricing rows known: ${Object.keys(DEFAULT_PRICING).join(', ')}`);

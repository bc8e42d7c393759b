/**
 * 04 — an LLM in the loop. Offline by default (a deterministic scripted model); with OPENAI_API_KEY
 * (and optionally OPENAI_BASE_URL / OPENAI_MODEL) it calls a real OpenAI-compatible endpoint with
 * fetch and records the provider-reported usage. Shows trackLlmCall, a multi-turn conversation fed
 * from getMessagesForLlm(), and an infinite session that rolls over while the model keeps context.
 */
import { SessionManager, toAnthropicMessagesRequest, trackLlmCall } from '@chuk/session-manager';
import { banner, chooseModel, short } from './lib/scripted-llm.js';

const model = chooseModel((messages, turn) => {
  const last = messages.at(-1)?.content ?? '';
  return `(scripted reply ${turn + 1}) You asked: "${short(last, 40)}". Here is a short, helpful answer.`;
});
console.log(model.live ? `Using ${model.model} at a live endpoint` : 'No OPENAI_API_KEY: using the scripted model (offline)');

banner('trackLlmCall: one auto-tracked question');
const { response, sessionId } = await trackLlmCall(
  'In one sentence, what is a context window?',
  async (input) => (await model.complete([{ role: 'user', content: input }])).text,
  { model: model.model, provider: model.provider },
);
console.log(`  ${short(response, 90)}\n  session ${sessionId}`);

banner('A conversation: the manager builds every prompt');
const sm = new SessionManager({ systemPrompt: 'You are a concise tutor. Answer in at most two sentences.' });
for (const question of ['What is a token?', 'How many tokens is a typical English word?', 'Why do tokens matter for cost?']) {
  await sm.userSays(question);
  const reply = await model.complete(await sm.getMessagesForLlm());
  await sm.aiResponds(reply.text, { model: model.model, provider: model.provider, ...(reply.usage ? { usage: reply.usage } : {}) });
  console.log(`  Q: ${question}\n  A: ${short(reply.text, 90)}`);
}
const stats = await sm.getStats();
console.log(`  ${stats.totalMessages} messages, ${stats.totalTokens} tokens, $${stats.estimatedCost.toFixed(6)} (${model.live ? 'provider usage' : 'counted'})`);
const anthropic = toAnthropicMessagesRequest(await sm.getMessagesForLlm(), { model: 'claude-3-5-haiku', maxTokens: 300 });
console.log(`  the same context as an Anthropic request: system ${anthropic.system?.length ?? 0} chars, ${anthropic.messages.length} messages`);

banner('Infinite session: threshold 300 tokens, 2 messages per segment');
const infinite = new SessionManager({
  infiniteContext: true,
  tokenThreshold: 300,
  maxTurnsPerSegment: 2,
  summaryCallback: async (messages) => (await model.complete([{ role: 'system', content: 'Summarise in one sentence.' }, ...messages])).text,
});
let current = infinite.sessionId;
for (const question of ['Name a planet.', 'How far is it from the Sun?', 'Does it have moons?', 'What is its atmosphere like?', 'Could humans visit it?']) {
  const id = await infinite.userSays(question);
  if (id !== current) console.log(`  transition ${current.slice(0, 8)} → ${id.slice(0, 8)}`);
  current = id;
  const reply = await model.complete(await infinite.getMessagesForLlm());
  await infinite.aiResponds(reply.text, { model: model.model, provider: model.provider, ...(reply.usage ? { usage: reply.usage } : {}) });
}
const total = await infinite.getStats();
console.log(`  chain of ${(await infinite.getSessionChain()).length} segments, ${total.totalMessages} messages, ${total.totalTokens} tokens`);

/**
 * `InfiniteConversationManager` of @chuk/conversation on its own: a long simulated chat that rolls
 * over into new segments, the context built for the LLM, the chain with its summaries, and the four
 * summarisation strategies' prompts.
 */
import { EventSource, InMemorySessionStore, Session } from '@chuk/models';
import type { ChatMessage } from '@chuk/models';
import { InfiniteConversationManager, SummarizationStrategy, getSummarizationPrompt } from '@chuk/conversation';
import { banner, short } from './lib/scripted-llm.js';

const store = new InMemorySessionStore();
const manager = new InfiniteConversationManager({ store, tokenThreshold: 500, maxTurnsPerSegment: 6 });
// The simulated summariser: a real app passes an LLM call here.
const summarise = async (messages: ChatMessage[]): Promise<string> =>
  `Summary of ${messages.length - 1} messages about ${short(messages[1]?.content ?? 'nothing', 30)}`;

banner('A long chat (threshold 500 tokens / 6 messages per segment)');
const root = await Session.create({ store });
let id = root.id;
const topics = ['solar panels', 'battery storage', 'heat pumps', 'insulation', 'smart thermostats'];
for (const topic of topics) {
  for (const [source, text] of [
    [EventSource.User, `Tell me about ${topic}. What should I know before buying?`],
    [EventSource.Llm, `About ${topic}: compare prices, check the warranty, and look at the efficiency ratings carefully.`],
  ] as const) {
    const next = await manager.processMessage(id, text, source, summarise);
    console.log(`  ${next === id ? 'stay      ' : 'transition'} ${id.slice(0, 8)} → ${next.slice(0, 8)}  ${short(text, 40)}`);
    id = next;
  }
}

banner('Context for the next LLM call');
for (const m of await manager.buildContextForLlm(id, { maxMessages: 3 })) console.log(`  ${m.role}: ${short(m.content, 90)}`);

banner('Chain and history');
const chain = await manager.getSessionChain(id);
for (const segment of chain) {
  const summary = segment.events.find((e) => e.type === 'summary');
  console.log(`  ${segment.id.slice(0, 8)}: ${segment.events.length} events${summary ? `, summary "${short(String(summary.message), 50)}"` : ''}`);
}
console.log(`  full history: ${(await manager.getHistory(id)).length} messages over ${chain.length} segments`);

banner('Summarisation strategies');
for (const strategy of Object.values(SummarizationStrategy)) {
  console.log(`  ${strategy.padEnd(14)} ${short(getSummarizationPrompt(strategy), 80)}`);
}

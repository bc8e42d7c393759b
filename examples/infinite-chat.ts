/**
 * An infinite chat with `InfiniteConversationManager` (@chuk/conversation), offline: a scripted user, a
 * scripted model and a fake summariser. Each turn prints the segment that holds it and exactly what the
 * model receives; rollovers print the new segment. It also shows a long segment summarised in parts, a
 * summariser outage handled by the deterministic fallback, a pinned fact that survives every summary, and
 * the final context exported to OpenAI / Anthropic / Vercel AI SDK shapes.
 */
import type { ChatMessage } from '@chuk/models';
import { EventSource, InMemorySessionStore, Session } from '@chuk/models';
import {
  InfiniteConversationManager,
  summaryInfoOf,
  toAiSdkMessages,
  toAnthropicMessages,
  toOpenAIMessages,
} from '@chuk/conversation';

const short = (text: string, max = 70): string => {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
};

// The fake summariser: a real app calls its LLM here. It fails while `outage` is on.
let outage = false;
let summariserCalls = 0;
const summarise = async (messages: ChatMessage[]): Promise<string> => {
  summariserCalls++;
  if (outage) throw new Error('summariser unavailable (simulated outage)');
  const userLines = messages.filter((m) => m.role === 'user').map((m) => short(m.content, 40));
  return userLines.length > 0 ? `The user asked about: ${userLines.join('; ')}.` : 'Earlier parts summarised.';
};

// The scripted model: answers from the last user message it receives.
const reply = (context: ChatMessage[]): string => {
  const last = context.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  return `Noted: ${short(last, 60)} Here is what I suggest for that.`;
};

const script: { text: string; pin?: boolean; outage?: boolean; long?: boolean }[] = [
  { text: 'Hi! I am planning a week in Portugal in May. I am allergic to peanuts.', pin: true },
  { text: 'Which cities should I visit first, Lisbon or Porto?' },
  { text: 'How do I get from Lisbon to Porto by train?' },
  { text: 'Here are my notes so far, please keep them in mind.', long: true },
  { text: 'What should I eat in Porto?' },
  { text: 'Is the Douro valley worth a day trip?' },
  { text: 'Any beaches near Lisbon that are easy by public transport?' },
  { text: 'What is the weather usually like in May?', outage: true },
  { text: 'Can you remind me what food I must avoid?' },
];

const store = new InMemorySessionStore();
const manager = new InfiniteConversationManager({
  store,
  tokenThreshold: 400,
  maxTurnsPerSegment: 4,
  summaryInputBudget: 300, // the summariser's own input budget: the long segment is summarised in parts
  summaryMaxAttempts: 2,
});

const root = await Session.create({ store, properties: { user_id: 'traveller-1' } });
let sessionId = root.id;
const segments = [sessionId];
const segmentLabel = (id: string): string => `segment ${segments.indexOf(id) + 1}`;

const step = async (text: string, source: EventSource, pin = false): Promise<void> => {
  const next = await manager.processMessage(sessionId, text, source, summarise, { pin });
  if (next !== sessionId) {
    segments.push(next);
    console.log(`    ↪ ${segmentLabel(sessionId)} is full: summarised, the chat continues in ${segmentLabel(next)}`);
    sessionId = next;
  }
};

console.log('=== An infinite chat (rollover at 400 tokens or 4 messages per segment) ===');
for (const [index, turn] of script.entries()) {
  outage = turn.outage === true;
  const text = turn.long === true ? `${turn.text} ${'Day plan: museums, tiles, trams, viewpoints, pastries. '.repeat(45)}` : turn.text;
  console.log(`\nturn ${index + 1} (${segmentLabel(sessionId)}) user: ${short(text)}${turn.pin === true ? '  [pinned]' : ''}`);
  await step(text, EventSource.User, turn.pin === true);
  const context = await manager.buildContextForLlm(sessionId, { maxMessages: 4 });
  console.log(`  the model receives ${context.length} messages:`);
  for (const m of context) console.log(`    ${m.role.padEnd(9)} ${short(m.content, 100)}`);
  const answer = reply(context);
  console.log(`  assistant: ${short(answer)}`);
  await step(answer, EventSource.Llm);
}

console.log('\n=== The segments ===');
for (const segment of await manager.getSessionChain(sessionId)) {
  const summary = segment.events.find((e) => e.type === 'summary');
  const messages = segment.events.filter((e) => e.type === 'message').length;
  if (summary === undefined) {
    console.log(`${segmentLabel(segment.id)}: ${messages} messages, open`);
    continue;
  }
  const info = summaryInfoOf(summary);
  const how = info.summary_fallback ? `FALLBACK (${info.summary_outcome})` : `summarised in ${info.summary_parts} part(s)`;
  console.log(`${segmentLabel(segment.id)}: ${messages} messages, ${how}, ${info.pinned_facts.length} pinned fact(s)`);
  console.log(`  summary: ${short(String(summary.message), 110)}`);
}
const history = await manager.getHistory(sessionId);
console.log(`history: ${history.length} messages over ${segments.length} segments; summariser called ${summariserCalls} times`);

console.log('\n=== The last context in provider shapes ===');
const finalContext = await manager.buildContextForLlm(sessionId, { maxMessages: 2 });
const openai = toOpenAIMessages(finalContext);
const anthropic = toAnthropicMessages(finalContext);
const aiSdk = toAiSdkMessages(finalContext);
console.log(`OpenAI Chat Completions: ${openai.length} messages, roles ${openai.map((m) => m.role).join(', ')}`);
console.log(`Anthropic Messages: system ${anthropic.system?.length ?? 0} chars, ${anthropic.messages.length} messages`);
console.log(`Vercel AI SDK: ${aiSdk.length} ModelMessages, roles ${aiSdk.map((m) => m.role).join(', ')}`);
const pinnedKept = finalContext.some((m) => m.content.includes('I am allergic to peanuts'));
console.log(`\nthe pinned fact is still in what the model receives after ${segments.length - 1} rollovers: ${pinnedKept ? 'yes' : 'NO'}`);
if (!pinnedKept) process.exit(1);

/**
 * W4b conversation: the W4 loop (../shared/bench/workloads.md) on `InfiniteConversationManager` of
 * @chuk/conversation directly, without the facade: 2,000 messages alternating user / llm, segments at
 * 4,000 tokens or 20 messages, an async summary callback returning `Summary of N messages.`, exact
 * counts (gpt-tokenizer). Also the time of messages 0–199 vs 1800–1999 (the hot path must stay flat).
 */
import { GptTokenizerCounter, InMemorySessionStore, Session } from '@chuk/models';
import type { ChatMessage, TokenCounter } from '@chuk/models';
import { InfiniteConversationManager } from '@chuk/conversation';
import type { RunResult, Workload } from '../lib/harness.js';
import { SEED_W2_W4, TextGenerator } from '../lib/text.js';

const MESSAGES = 2000;
const WINDOW = 200;
const MODEL = 'gpt-4o-mini';
const summarise = async (messages: ChatMessage[]): Promise<string> => `Summary of ${messages.length - 1} messages.`;

let counter: TokenCounter;

const w4b: Workload = {
  id: 'W4b',
  title: 'conversation: InfiniteConversationManager.processMessage x 2,000 (4,000 tokens / 20 messages per segment)',
  async setup() {
    const c = new GptTokenizerCounter();
    await c.count('warm up the encoder', MODEL);
    counter = c;
  },
  async run(): Promise<RunResult> {
    const gen = new TextGenerator(SEED_W2_W4);
    const messages = Array.from({ length: MESSAGES }, () => gen.message());
    const store = new InMemorySessionStore();
    const manager = new InfiniteConversationManager({ store, counter, tokenThreshold: 4000, maxTurnsPerSegment: 20, defaultModel: MODEL });
    let id = (await Session.create({ store })).id;
    let segments = 1;
    const marks: number[] = [];
    const start = performance.now();
    for (let i = 0; i < MESSAGES; i++) {
      if (i === WINDOW || i === MESSAGES - WINDOW) marks.push(performance.now());
      const next = await manager.processMessage(id, messages[i] as string, i % 2 === 0 ? 'user' : 'llm', summarise);
      if (next !== id) segments++;
      id = next;
    }
    const end = performance.now();
    const contextStart = performance.now();
    await manager.buildContextForLlm(id);
    const contextMs = performance.now() - contextStart;
    const firstMs = (marks[0] as number) - start;
    const lastMs = end - (marks[1] as number);
    return {
      figures: [
        { name: 'W4b conversation', unit: 'messages/s', value: (MESSAGES / (end - start)) * 1000, description: `2,000 messages, counter ${counter.name}` },
        { name: 'W4b segments', unit: 'segments', value: segments, description: 'segments created by the run' },
        { name: 'W4b last200/first200', unit: 'ratio', value: lastMs / firstMs, description: 'time of messages 1800-1999 / 0-199 (bar <= 1.5)' },
        { name: 'W4b buildContextForLlm', unit: 'ms', value: contextMs, description: `once, after ${segments} segments (first call walks the chain)` },
      ],
    };
  },
};

export default w4b;

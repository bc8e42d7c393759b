/**
 * W2 conversation (../shared/bench/workloads.md): a `SessionManager` on the in-memory store, no VM,
 * no infinite context: 2,000 calls alternating `userSays` / `aiResponds`, exact token counts
 * (gpt-tokenizer, the fastest exact counter), then `getStats()` and `getConversation()` once each.
 */
import { GptTokenizerCounter, InMemorySessionStore } from '@chuk/models';
import type { TokenCounter } from '@chuk/models';
import { SessionManager } from '@chuk/session-manager';
import type { SessionManagerOptions } from '@chuk/session-manager';
import type { RunResult, Workload } from '../lib/harness.js';
import { timeMs } from '../lib/harness.js';
import { SEED_W2_W4, TextGenerator } from '../lib/text.js';

export const MESSAGES = 2000;
export const WINDOW = 200;
const MODEL = 'gpt-4o-mini';

export function generateMessages(count = MESSAGES): string[] {
  const gen = new TextGenerator(SEED_W2_W4);
  return Array.from({ length: count }, () => gen.message());
}

export interface LoopTimes {
  totalMs: number;
  firstMs: number;
  lastMs: number;
}

/** The W2 loop (also used by W4): even i `userSays`, odd i `aiResponds`. */
export async function conversationLoop(manager: SessionManager, messages: readonly string[]): Promise<LoopTimes> {
  const marks: number[] = [];
  const start = performance.now();
  for (let i = 0; i < messages.length; i++) {
    if (i === WINDOW || i === messages.length - WINDOW) marks.push(performance.now());
    const text = messages[i] as string;
    if (i % 2 === 0) await manager.userSays(text);
    else await manager.aiResponds(text, { model: MODEL, provider: 'openai' });
  }
  const end = performance.now();
  return { totalMs: end - start, firstMs: (marks[0] as number) - start, lastMs: end - (marks[1] as number) };
}

let counter: TokenCounter;

export async function exactCounter(): Promise<TokenCounter> {
  const c = new GptTokenizerCounter();
  await c.count('warm up the encoder', MODEL);
  return c;
}

export function managerOptions(extra: SessionManagerOptions = {}): SessionManagerOptions {
  return { store: new InMemorySessionStore(), counter, ...extra };
}

const w2: Workload = {
  id: 'W2',
  title: 'conversation: 2,000 userSays/aiResponds on the memory store (gpt-tokenizer counts)',
  async setup() {
    counter = await exactCounter();
  },
  async run(): Promise<RunResult> {
    const messages = generateMessages();
    const manager = new SessionManager(managerOptions());
    const loop = await conversationLoop(manager, messages);
    const statsMs = await timeMs(async () => {
      await manager.getStats();
    });
    const conversationMs = await timeMs(async () => {
      await manager.getConversation();
    });
    return {
      figures: [
        { name: 'W2 conversation', unit: 'messages/s', value: (MESSAGES / loop.totalMs) * 1000, description: `2,000 messages, counter ${counter.name}` },
        { name: 'W2 getStats', unit: 'ms', value: statsMs, description: 'once, after 2,000 messages' },
        { name: 'W2 getConversation', unit: 'ms', value: conversationMs, description: 'once, after 2,000 messages' },
        { name: 'W2 last200/first200', unit: 'ratio', value: loop.lastMs / loop.firstMs, description: 'time of messages 1800-1999 / 0-199 (bar <= 1.5)' },
      ],
    };
  },
};

export default w2;

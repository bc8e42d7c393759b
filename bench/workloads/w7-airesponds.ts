/**
 * W7 scale, facade part ("W7sm", ../shared/bench/workloads.md): `aiResponds` latency on sessions that
 * already hold 10, 1,000 and 10,000 events. The session is pre-filled through the store (events
 * carrying stored counts), reopened by a new manager, then 100 `aiResponds` calls are timed one by
 * one; the figure is their median. Flat means the append path does not grow with the session.
 */
import { EventSource, EventType, InMemorySessionStore, Session, SessionEvent, TokenUsage } from '@chuk/models';
import type { TokenCounter } from '@chuk/models';
import { SessionManager } from '@chuk/session-manager';
import type { RunResult, Workload } from '../lib/harness.js';
import { latencyFigures, median } from '../lib/harness.js';
import { SEED_W2_W4, TextGenerator } from '../lib/text.js';
import { exactCounter } from './w2-conversation.js';

export const LENGTHS = [10, 1000, 10_000] as const;
const SAMPLES = 100;
const BATCH = 1000;
const MODEL = 'gpt-4o-mini';

let counter: TokenCounter;

async function prefilled(store: InMemorySessionStore, id: string, length: number, text: string): Promise<void> {
  await Session.create({ id, store });
  for (let from = 0; from < length; from += BATCH) {
    const events: SessionEvent[] = [];
    for (let i = from; i < Math.min(length, from + BATCH); i++) {
      const user = i % 2 === 0;
      events.push(
        SessionEvent.create({
          id: `${id}-e${i}`,
          message: text,
          source: user ? EventSource.User : EventSource.Llm,
          type: EventType.Message,
          tokenUsage: TokenUsage.create(user ? { promptTokens: 60, model: MODEL } : { completionTokens: 60, model: MODEL }),
        }),
      );
    }
    await store.append(id, events);
  }
}

async function latencyAt(length: number, run: number, replies: readonly string[]): Promise<number> {
  const store = new InMemorySessionStore();
  const id = `w7sm-r${run}-${length}`;
  await prefilled(store, id, length, replies[0] as string);
  const manager = new SessionManager({ store, sessionId: id, counter });
  await manager.ensureInitialized();
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const start = performance.now();
    await manager.aiResponds(replies[i] as string, { model: MODEL, provider: 'openai' });
    samples.push(performance.now() - start);
  }
  return median(samples);
}

const w7sm: Workload = {
  id: 'W7sm',
  title: 'scale (facade): aiResponds latency at 10, 1,000 and 10,000 stored events',
  async setup() {
    counter = await exactCounter();
  },
  async run(run): Promise<RunResult> {
    const gen = new TextGenerator(SEED_W2_W4);
    const replies = Array.from({ length: SAMPLES }, () => gen.message());
    const byLength: number[] = [];
    for (const length of LENGTHS) byLength.push(await latencyAt(length, run, replies));
    const [small, , large] = byLength as [number, number, number];
    return {
      figures: [
        ...latencyFigures('W7sm aiResponds', LENGTHS, byLength, (length) => `median of ${SAMPLES} calls on a session of ${length} events`),
        { name: 'W7sm 10000/10', unit: 'ratio', value: large / small, description: 'aiResponds latency at 10,000 vs 10 events (bar <= 1.5)' },
      ],
    };
  },
};

export default w7sm;

/**
 * W7 scale, facade with the VM ("W7vmsm"): `userSays` latency once the session holds 10, 1,000 and 10,000
 * messages, each a VM page (played through a `SessionManager` with `enableVm`, 32K L0 window, so most pages
 * are evicted). Every `userSays` runs the demand pre-pass over the hint index before it records the message;
 * 100 calls are timed one by one (each followed by an untimed `aiResponds`), the figure is their median.
 * Flat means the pre-pass and the append do not grow with the session. The ratio compares 10,000 with 1,000
 * messages: both fill L0, so both pay for the evictions a full working set makes; at 10 nothing is evicted.
 */
import { SessionManager } from '@chuk/session-manager';
import type { TokenCounter } from '@chuk/models';
import type { RunResult, Workload } from '../lib/harness.js';
import { latencyFigures, median } from '../lib/harness.js';
import { SEED_W2_W4, TextGenerator } from '../lib/text.js';
import { exactCounter } from './w2-conversation.js';

export const VM_LENGTHS = [10, 1000, 10_000] as const;
const SAMPLES = 100;
const MODEL = { model: 'gpt-4o-mini', provider: 'openai' } as const;

let counter: TokenCounter;

async function latencyAt(length: number, messages: readonly string[], questions: readonly string[]): Promise<number> {
  const manager = new SessionManager({ counter, enableVm: true, vm: { config: { maxL0Tokens: 32_000, reservedTokens: 4_000 } } });
  for (let i = 0; i < length; i++) {
    const text = messages[i % messages.length] as string;
    if (i % 2 === 0) await manager.userSays(text);
    else await manager.aiResponds(text, MODEL);
  }
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const start = performance.now();
    await manager.userSays(questions[i] as string);
    samples.push(performance.now() - start);
    await manager.aiResponds('Noted.', MODEL);
  }
  return median(samples);
}

const w7vmsm: Workload = {
  id: 'W7vmsm',
  title: 'scale (facade + VM): userSays latency at 10, 1,000 and 10,000 messages paged by the VM',
  async setup() {
    counter = await exactCounter();
  },
  async run(): Promise<RunResult> {
    const gen = new TextGenerator(SEED_W2_W4);
    const messages = Array.from({ length: 2_000 }, () => gen.message());
    const questions = Array.from({ length: SAMPLES }, () => gen.message());
    const byLength: number[] = [];
    for (const length of VM_LENGTHS) byLength.push(await latencyAt(length, messages, questions));
    const [, full, large] = byLength as [number, number, number];
    return {
      figures: [
        ...latencyFigures('W7vmsm userSays', VM_LENGTHS, byLength, (length) => `median of ${SAMPLES} calls after ${length} messages (VM on)`),
        { name: 'W7vmsm 10000/1000', unit: 'ratio', value: large / full, description: 'userSays latency at 10,000 vs 1,000 messages, VM on, L0 full at both (bar <= 1.5)' },
      ],
    };
  },
};

export default w7vmsm;

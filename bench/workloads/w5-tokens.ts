/**
 * W5 tokens (../shared/bench/workloads.md): a 2 MiB corpus (seed 1005) in 2,048 chunks of 1 KiB, counted
 * with model gpt-4o-mini through the public async API (`countTokens`). Both exact counters are measured; their
 * totals must be identical. W5 is the faster exact counter, W5-js-tiktoken the default one (README D5).
 */
import { GptTokenizerCounter, TiktokenCounter, countTokens } from '@chuk/models';
import type { TokenCounter } from '@chuk/models';
import type { RunResult, Workload } from '../lib/harness.js';
import { SEED_W5, TextGenerator } from '../lib/text.js';

const CHUNKS = 2048;
const CHUNK_CHARS = 1024;
const MIB = 1024 * 1024;
const MS_PER_S = 1000;
const MODEL = 'gpt-4o-mini';

function chunks(): string[] {
  const corpus = new TextGenerator(SEED_W5).corpus(CHUNKS * CHUNK_CHARS);
  return Array.from({ length: CHUNKS }, (_, i) => corpus.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS));
}

async function measure(counter: TokenCounter, texts: readonly string[]): Promise<{ mibPerS: number; tokens: number }> {
  let tokens = 0;
  const start = performance.now();
  for (const t of texts) tokens += await countTokens(t, MODEL, counter);
  const ms = performance.now() - start;
  return { mibPerS: (CHUNKS * CHUNK_CHARS) / MIB / (ms / MS_PER_S), tokens };
}

const gptTokenizer = new GptTokenizerCounter({ required: true });
const tiktoken = new TiktokenCounter({ required: true });

const w5: Workload = {
  id: 'W5',
  title: 'tokens: 2 MiB in 2,048 chunks of 1 KiB, gpt-4o-mini, public async API',
  async run(): Promise<RunResult> {
    const texts = chunks();
    const fast = await measure(gptTokenizer, texts);
    const exact = await measure(tiktoken, texts);
    if (fast.tokens !== exact.tokens) {
      throw new Error(`exact counters disagree: gpt-tokenizer ${fast.tokens}, js-tiktoken ${exact.tokens}`);
    }
    return {
      figures: [
        { name: 'W5', unit: 'MiB/s', value: fast.mibPerS, description: `counter ${gptTokenizer.name} (exact, approximate=${gptTokenizer.approximate})` },
        { name: 'W5-js-tiktoken', unit: 'MiB/s', value: exact.mibPerS, description: `counter ${tiktoken.name} (exact; the default counter)` },
        { name: 'W5-tokens', unit: 'tokens', value: fast.tokens, description: 'total tokens of the corpus (identical for both counters)' },
      ],
    };
  },
};

export default w5;

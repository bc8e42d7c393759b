/**
 * W3 vm (../shared/bench/workloads.md): a MemoryManager with an L0 budget of 32,000 tokens (4,000 reserved),
 * importance-weighted LRU and the default compressor registry; 20,000 transcript pages `page_{i:05d}` with
 * page text i, each added to the working set; after every 100 pages `buildContext`, timed on its own.
 */
import { ImportanceWeightedLRU, MemoryManager } from '@chuk/vm';
import { median, type Workload } from '../lib/harness.js';
import { SEED_W3, TextGenerator } from '../lib/text.js';

const PAGES = 20_000;
const BUILD_EVERY = 100;
const SYSTEM_PROMPT = 'You are a helpful assistant.';

function texts(): string[] {
  const gen = new TextGenerator(SEED_W3);
  return Array.from({ length: PAGES }, () => gen.pageText());
}

let inputs: string[] = [];

const w3: Workload = {
  id: 'W3',
  title: 'vm: 20,000 pages through MemoryManager (32K window), buildContext every 100 pages',
  async setup() {
    inputs = texts();
  },
  async run() {
    const vm = new MemoryManager({
      sessionId: 'w3',
      config: { maxL0Tokens: 32_000, reservedTokens: 4_000 },
      evictionPolicy: new ImportanceWeightedLRU(),
    });
    const buildTimes: number[] = [];
    const start = performance.now();
    for (let i = 0; i < PAGES; i++) {
      const page = await vm.createPage(inputs[i], { pageId: `page_${String(i).padStart(5, '0')}` });
      await vm.addToWorkingSet(page);
      if ((i + 1) % BUILD_EVERY === 0) {
        const t0 = performance.now();
        await vm.buildContext({ systemPrompt: SYSTEM_PROMPT });
        buildTimes.push(performance.now() - t0);
      }
    }
    const elapsed = performance.now() - start;
    return {
      figures: [
        { name: 'W3.pages_per_s', unit: 'pages/s', value: PAGES / (elapsed / 1000), description: 'createPage + addToWorkingSet, whole loop incl. buildContext' },
        { name: 'W3.build_context_median', unit: 'ms', value: median(buildTimes), description: 'median buildContext (≈280 L0 pages)' },
      ],
    };
  },
};

export default w3;

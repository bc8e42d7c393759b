/**
 * W7 scale, VM part (id "W7vm", ../shared/bench/workloads.md): buildContext median and p99 at 100, 1,000,
 * 10,000 and 100,000 total pages with the same L0 budget (32,000 tokens, 4,000 reserved).
 *
 * Each manager holds the same working set (the 100 most recent 400-character pages in L0) and a growing
 * archive (total − 100 older pages paged out to L2, listed in the page table, hint map and manifest).
 * A timed step is one conversational turn: a new page is mapped and the oldest L0 page is paged out
 * (not timed), then `buildContext` is timed, so every build renders a changed working set (no cache hit).
 */
import { MemoryManager } from '@chuk/vm';
import { median, percentile, type Figure, type Workload } from '../lib/harness.js';
import { SEED_W3, TextGenerator } from '../lib/text.js';

const TOTALS = [100, 1_000, 10_000, 100_000] as const;
const L0_PAGES = 100;
const BUILDS_PER_RUN = 300;
const SYSTEM_PROMPT = 'You are a helpful assistant.';

interface Scenario { total: number; vm: MemoryManager; next: number; gen: TextGenerator }

async function scenario(total: number): Promise<Scenario> {
  const gen = new TextGenerator(SEED_W3);
  const vm = new MemoryManager({ sessionId: `w7-${total}`, config: { maxL0Tokens: 32_000, reservedTokens: 4_000 } });
  for (let i = 0; i < total; i++) {
    const id = `page_${String(i).padStart(6, '0')}`;
    await vm.createPage(gen.pageText(), { pageId: id, hint: `[user] archived turn ${i}` });
    if (i < total - L0_PAGES) await vm.evictPage(id);
    else await vm.addToWorkingSet(id);
  }
  return { total, vm, next: total, gen };
}

/** One turn: map a new page, page out the oldest L0 page (untimed); then time buildContext. */
async function timedBuild(s: Scenario): Promise<number> {
  const id = `page_${String(s.next++).padStart(6, '0')}`;
  await s.vm.createPage(s.gen.pageText(), { pageId: id, hint: `[user] turn ${s.next}` });
  await s.vm.addToWorkingSet(id);
  const oldest = s.vm.workingSet.l0Ids().next();
  if (!oldest.done) await s.vm.evictPage(oldest.value);
  const t0 = performance.now();
  await s.vm.buildContext({ systemPrompt: SYSTEM_PROMPT });
  return performance.now() - t0;
}

let scenarios: Scenario[] = [];

const w7vm: Workload = {
  id: 'W7vm',
  title: 'vm scale: buildContext median/p99 at 100 / 1k / 10k / 100k total pages (same 32K L0 budget)',
  async setup() {
    scenarios = [];
    for (const total of TOTALS) scenarios.push(await scenario(total));
  },
  async run() {
    const figures: Figure[] = [];
    const medians: number[] = [];
    for (const s of scenarios) {
      const times: number[] = [];
      for (let i = 0; i < BUILDS_PER_RUN; i++) times.push(await timedBuild(s));
      const m = median(times);
      medians.push(m);
      figures.push({ name: `W7vm.build_median_${s.total}`, unit: 'ms', value: m, description: `buildContext median, ${s.total} total pages, ${L0_PAGES} in L0` });
      figures.push({ name: `W7vm.build_p99_${s.total}`, unit: 'ms', value: percentile(times, 99), description: `buildContext p99, ${s.total} total pages` });
    }
    const first = medians[0] ?? 1;
    const last = medians[medians.length - 1] ?? 1;
    figures.push({ name: 'W7vm.ratio_100k_over_100', unit: 'x', value: last / first, description: 'median at 100,000 pages / median at 100 pages (bar ≤ 1.5)' });
    return { figures };
  },
  async teardown() {
    scenarios = [];
  },
};

export default w7vm;

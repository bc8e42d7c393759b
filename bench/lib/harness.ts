/**
 * Benchmark protocol of ../shared/bench/workloads.md: one warm-up, then three timed runs in the
 * same process; the figure is the median. Each workload prints one line per figure:
 * `NAME VALUE UNIT | median of 3 (runs: a, b, c) | description`.
 */
export interface Figure {
  name: string;
  unit: string;
  description: string;
  /** higher is better (ops/s) or lower is better (ms); only used for display. */
  value: number;
}

export interface RunResult {
  figures: Figure[];
}

export interface Workload {
  /** e.g. "W1" */
  id: string;
  title: string;
  /** one run; `run` is 0 for the warm-up and 1..3 for the timed runs. Returns its figures. */
  run(run: number): Promise<RunResult>;
  /** optional setup before all runs and cleanup after (not timed). */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

export const TIMED_RUNS = 3;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toString();
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(3);
}

export async function runWorkload(workload: Workload, print: (line: string) => void = console.log): Promise<Figure[]> {
  await workload.setup?.();
  try {
    await workload.run(0);
    const runs: RunResult[] = [];
    for (let r = 1; r <= TIMED_RUNS; r++) runs.push(await workload.run(r));
    const first = runs[0] as RunResult;
    const out: Figure[] = [];
    first.figures.forEach((figure, index) => {
      const values = runs.map((run) => (run.figures[index] as Figure).value);
      const value = median(values);
      out.push({ ...figure, value });
      print(`${figure.name} ${format(value)} ${figure.unit} | median of ${TIMED_RUNS} (runs: ${values.map(format).join(', ')}) | ${figure.description}`);
    });
    return out;
  } finally {
    await workload.teardown?.();
  }
}

/** One latency figure (ms) per size, named `${prefix}@${size}`: the scale workloads' per-size lines. */
export function latencyFigures(prefix: string, sizes: readonly number[], values: readonly number[], describe: (size: number) => string): Figure[] {
  return sizes.map((size, i) => ({ name: `${prefix}@${size}`, unit: 'ms', value: values[i] as number, description: describe(size) }));
}

/** Time an async function with performance.now(); returns milliseconds. */
export async function timeMs(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

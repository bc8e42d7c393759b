import type { ToolErrorCategory } from '@chuk/models';

const MAX_SAMPLES = 1000;
const P50 = 0.5;
const P95 = 0.95;

export interface ToolLatencyStats {
  calls: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface ExecutorMetrics {
  calls: number;
  errors: Partial<Record<ToolErrorCategory, number>>;
  retries: number;
  cacheHits: number;
  tools: Record<string, ToolLatencyStats>;
}

const quantile = (sorted: readonly number[], q: number): number | null =>
  sorted.length === 0 ? null : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null);

/** Counters and bounded latency samples; reading never throws. */
export class MetricsRecorder {
  private calls = 0;
  private retries = 0;
  private cacheHits = 0;
  private readonly errors = new Map<ToolErrorCategory, number>();
  private readonly tools = new Map<string, { calls: number; errors: number; samples: number[] }>();

  recordResult(tool: string, durationMs: number, category: ToolErrorCategory | null): void {
    this.calls++;
    let t = this.tools.get(tool);
    if (t === undefined) {
      t = { calls: 0, errors: 0, samples: [] };
      this.tools.set(tool, t);
    }
    t.calls++;
    t.samples.push(durationMs);
    if (t.samples.length > MAX_SAMPLES) t.samples.shift();
    if (category !== null) {
      t.errors++;
      this.errors.set(category, (this.errors.get(category) ?? 0) + 1);
    }
  }

  recordRetry(): void {
    this.retries++;
  }

  recordCacheHit(): void {
    this.cacheHits++;
  }

  snapshot(): ExecutorMetrics {
    const tools: Record<string, ToolLatencyStats> = {};
    for (const [name, t] of this.tools) {
      const sorted = [...t.samples].sort((a, b) => a - b);
      tools[name] = { calls: t.calls, errors: t.errors, p50Ms: quantile(sorted, P50), p95Ms: quantile(sorted, P95) };
    }
    return { calls: this.calls, errors: Object.fromEntries(this.errors), retries: this.retries, cacheHits: this.cacheHits, tools };
  }
}

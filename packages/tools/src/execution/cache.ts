import { z } from 'zod';
import { defaultClock } from '../common/defaults.js';
import { canonicalJson, renderValue } from '../common/json.js';
import { CacheScope, CacheScopeSchema } from '../guards/enums.js';
import {
  CachedToolResultSchema,
  formatCachedCompact,
  formatVariableCompact,
  NamedVariableSchema,
} from '../guards/models.js';
import type { CacheStats, CachedToolResult, NamedVariable } from '../guards/models.js';

export const DEFAULT_RESULT_CACHE_SIZE = 100;
export const DEFAULT_FORMAT_ITEMS = 10;

export const CacheEviction = { Fifo: 'fifo', Lru: 'lru' } as const;
export type CacheEviction = (typeof CacheEviction)[keyof typeof CacheEviction];
export const CacheEvictionSchema = z.enum(CacheEviction);

export const ToolResultCacheOptionsSchema = z
  .object({
    maxSize: z.number().int().min(1).default(DEFAULT_RESULT_CACHE_SIZE).describe('entries kept before eviction'),
    ttlMs: z.number().positive().nullable().default(null).describe('entry lifetime; null = no expiry'),
    eviction: CacheEvictionSchema.default(CacheEviction.Lru).describe('fifo: by insertion; lru: a hit refreshes'),
    scope: CacheScopeSchema.default(CacheScope.Turn).describe('recorded on entries; the manager clears turn-scoped results per prompt'),
  })
  .strict();
export type ToolResultCacheOptions = z.input<typeof ToolResultCacheOptionsSchema> & { clock?: () => Date };

export const ResultCacheSnapshotSchema = z.object({
  options: z.object({ maxSize: z.number().int(), ttlMs: z.number().nullable(), eviction: CacheEvictionSchema, scope: CacheScopeSchema }),
  entries: z.array(CachedToolResultSchema),
  variables: z.array(NamedVariableSchema),
  duplicate_count: z.number().int(),
});
export type ResultCacheSnapshot = z.infer<typeof ResultCacheSnapshotSchema>;

const signatureOf = (tool: string, args: Record<string, unknown>): string => `${tool}:${canonicalJson(args)}`;

/** Result cache keyed on tool name and canonical arguments, with LRU/FIFO eviction and an optional TTL. */
export class ToolResultCache {
  private readonly entries = new Map<string, CachedToolResult>();
  private readonly variables = new Map<string, NamedVariable>();
  private duplicates = 0;
  private readonly clock: () => Date;
  readonly maxSize: number;
  readonly ttlMs: number | null;
  readonly eviction: CacheEviction;
  readonly scope: CacheScope;

  constructor(opts: ToolResultCacheOptions = {}) {
    const { clock, ...rest } = opts;
    const parsed = ToolResultCacheOptionsSchema.parse(rest);
    this.maxSize = parsed.maxSize;
    this.ttlMs = parsed.ttlMs;
    this.eviction = parsed.eviction;
    this.scope = parsed.scope;
    this.clock = clock ?? defaultClock;
  }

  get duplicateCount(): number {
    return this.duplicates;
  }

  get size(): number {
    this.purgeExpired();
    return this.entries.size;
  }

  private expired(entry: CachedToolResult): boolean {
    return entry.expires_at !== null && Date.parse(entry.expires_at) <= this.clock().getTime();
  }

  private live(sig: string): CachedToolResult | undefined {
    const entry = this.entries.get(sig);
    if (entry === undefined) return undefined;
    if (this.expired(entry)) {
      this.entries.delete(sig);
      return undefined;
    }
    return entry;
  }

  private purgeExpired(): void {
    for (const [sig, entry] of this.entries) if (this.expired(entry)) this.entries.delete(sig);
  }

  /** A hit counts a duplicate call (and refreshes the entry under LRU). */
  get(tool: string, args: Record<string, unknown>): CachedToolResult | undefined {
    const sig = signatureOf(tool, args);
    const entry = this.live(sig);
    if (entry === undefined) return undefined;
    entry.call_count++;
    this.duplicates++;
    if (this.eviction === CacheEviction.Lru) {
      this.entries.delete(sig);
      this.entries.set(sig, entry);
    }
    return entry;
  }

  /** Read without counting or reordering. */
  peek(tool: string, args: Record<string, unknown>): CachedToolResult | undefined {
    return this.live(signatureOf(tool, args));
  }

  /** Count a duplicate call served elsewhere. */
  recordDuplicate(tool: string, args: Record<string, unknown>): void {
    const entry = this.live(signatureOf(tool, args));
    if (entry !== undefined) entry.call_count++;
    this.duplicates++;
  }

  put(tool: string, args: Record<string, unknown>, result: unknown, opts: { ttlMs?: number | null } = {}): CachedToolResult {
    const sig = signatureOf(tool, args);
    this.entries.delete(sig);
    this.purgeExpired();
    while (this.entries.size >= this.maxSize) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    const now = this.clock();
    const ttl = opts.ttlMs === undefined ? this.ttlMs : opts.ttlMs;
    const entry: CachedToolResult = {
      tool_name: tool,
      arguments: args,
      result,
      timestamp: now.toISOString(),
      call_count: 1,
      expires_at: ttl === null ? null : new Date(now.getTime() + ttl).toISOString(),
      scope: this.scope,
    };
    this.entries.set(sig, entry);
    return entry;
  }

  /** Remove one entry, or every entry of a tool; returns how many were removed. */
  invalidate(tool?: string, args?: Record<string, unknown>): number {
    if (tool === undefined) {
      const n = this.entries.size;
      this.entries.clear();
      return n;
    }
    if (args !== undefined) return this.entries.delete(signatureOf(tool, args)) ? 1 : 0;
    let n = 0;
    for (const [sig, entry] of this.entries) {
      if (entry.tool_name === tool) {
        this.entries.delete(sig);
        n++;
      }
    }
    return n;
  }

  storeVariable(
    name: string,
    value: number,
    opts: { units?: string; sourceTool?: string; sourceArgs?: Record<string, unknown> } = {},
  ): NamedVariable {
    const v: NamedVariable = {
      name,
      value,
      units: opts.units ?? null,
      source_tool: opts.sourceTool ?? null,
      source_args: opts.sourceArgs ?? null,
    };
    this.variables.set(name, v);
    return v;
  }

  getVariable(name: string): NamedVariable | undefined {
    return this.variables.get(name);
  }

  formatState(maxItems = DEFAULT_FORMAT_ITEMS): string {
    this.purgeExpired();
    const parts: string[] = [];
    if (this.variables.size > 0) {
      const lines = [...this.variables.values()].slice(0, maxItems).map((v) => `  ${formatVariableCompact(v)}`);
      parts.push(['**Stored Variables:**', ...lines].join('\n'));
    }
    if (this.entries.size > 0) {
      const lines = [...this.entries.values()].slice(-maxItems).map((c) => `  ${formatCachedCompact(c)}`);
      parts.push(['**Computed Values:**', ...lines].join('\n'));
    }
    return parts.join('\n\n');
  }

  /** Model-facing text for a duplicate call; reads with `peek` (no counters change). */
  formatDuplicateMessage(tool: string, args: Record<string, unknown>): string {
    const entry = this.peek(tool, args);
    if (entry === undefined) return `Tool ${tool} was called but no cached result available.`;
    const state = this.formatState();
    return [
      `**Cached result for ${tool}:** ${renderValue(entry.result)}`,
      'This value was already computed; use it directly instead of calling the tool again.',
      ...(state === '' ? [] : ['', state]),
    ].join('\n');
  }

  getStats(): CacheStats {
    this.purgeExpired();
    return {
      total_cached: this.entries.size,
      total_variables: this.variables.size,
      duplicate_calls: this.duplicates,
      call_order_length: this.entries.size,
    };
  }

  /** Cached results only (variables stay). */
  clearResults(): void {
    this.entries.clear();
  }

  reset(): void {
    this.entries.clear();
    this.variables.clear();
    this.duplicates = 0;
  }

  toJSON(): ResultCacheSnapshot {
    this.purgeExpired();
    return {
      options: { maxSize: this.maxSize, ttlMs: this.ttlMs, eviction: this.eviction, scope: this.scope },
      entries: [...this.entries.values()].map((e) => ({ ...e })),
      variables: [...this.variables.values()].map((v) => ({ ...v })),
      duplicate_count: this.duplicates,
    };
  }

  static fromJSON(data: unknown, opts: { clock?: () => Date } = {}): ToolResultCache {
    const snap = ResultCacheSnapshotSchema.parse(data);
    const cache = new ToolResultCache({ ...snap.options, ...(opts.clock !== undefined ? { clock: opts.clock } : {}) });
    for (const e of snap.entries) cache.entries.set(signatureOf(e.tool_name, e.arguments), e);
    for (const v of snap.variables) cache.variables.set(v.name, v);
    cache.duplicates = snap.duplicate_count;
    return cache;
  }
}

/** Reference-parity alias. */
export { ToolResultCache as ResultCache };

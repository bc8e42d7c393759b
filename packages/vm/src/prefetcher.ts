import { PageType } from './enums.js';
import type { PrefetcherStats } from './models/stats.js';
import type { PageTable } from './page-table.js';

export interface ToolUsagePattern { toolName: string; callCount: number; lastTurn: number; prereqPages: string[] }

export const DEFAULT_MAX_CLAIMS_TO_PREFETCH = 3;
export const DEFAULT_MAX_RECENT_TOOLS = 3;
const TOP_PREREQ_PAGES = 3;
const CLAIM_OVERSAMPLE = 3;

function topByCount(counts: ReadonlyMap<string, number>, n: number): string[] {
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([id]) => id);
}

/** Heuristic prefetch: the last segment summary, the most-accessed claims, prerequisites of likely tools. */
export class SimplePrefetcher {
  readonly maxClaimsToPrefetch: number;
  readonly maxRecentTools: number;
  private readonly accessCounts = new Map<string, number>();
  private readonly patterns = new Map<string, ToolUsagePattern>();
  private lastSummary: string | null = null;
  private totalAccesses = 0;

  constructor(opts: { maxClaimsToPrefetch?: number; maxRecentTools?: number } = {}) {
    this.maxClaimsToPrefetch = opts.maxClaimsToPrefetch ?? DEFAULT_MAX_CLAIMS_TO_PREFETCH;
    this.maxRecentTools = opts.maxRecentTools ?? DEFAULT_MAX_RECENT_TOOLS;
  }

  get lastSegmentSummary(): string | null {
    return this.lastSummary;
  }

  recordPageAccess(pageId: string): void {
    this.accessCounts.set(pageId, (this.accessCounts.get(pageId) ?? 0) + 1);
    this.totalAccesses += 1;
  }

  /** The first access of a page the prefetcher has not seen (or has forgotten): `recordPageAccess` without the lookup. */
  recordFirstAccess(pageId: string): void {
    this.accessCounts.set(pageId, 1);
    this.totalAccesses += 1;
  }

  recordToolCall(toolName: string, turn: number, pagesAccessedBefore: readonly string[] = []): void {
    let p = this.patterns.get(toolName);
    if (!p) {
      p = { toolName, callCount: 0, lastTurn: 0, prereqPages: [] };
      this.patterns.set(toolName, p);
    }
    p.callCount += 1;
    p.lastTurn = turn;
    p.prereqPages.push(...pagesAccessedBefore);
  }

  setLastSegmentSummary(pageId: string): void {
    this.lastSummary = pageId;
  }

  /** Tools by (last turn, call count) descending. */
  getLikelyTools(): string[] {
    return [...this.patterns.values()]
      .sort((a, b) => b.lastTurn - a.lastTurn || b.callCount - a.callCount)
      .slice(0, this.maxRecentTools)
      .map((p) => p.toolName);
  }

  /** The 3 most frequent prerequisite pages of a tool (ties: first seen). */
  getToolPrereqPages(toolName: string): string[] {
    const p = this.patterns.get(toolName);
    if (!p) return [];
    const counts = new Map<string, number>();
    for (const id of p.prereqPages) counts.set(id, (counts.get(id) ?? 0) + 1);
    return topByCount(counts, TOP_PREREQ_PAGES);
  }

  getTopClaims(pageTable?: PageTable, limit = this.maxClaimsToPrefetch): string[] {
    const top = topByCount(this.accessCounts, limit * CLAIM_OVERSAMPLE);
    if (!pageTable) return top.slice(0, limit);
    return top.filter((id) => pageTable.lookup(id)?.pageType === PageType.Claim).slice(0, limit);
  }

  /** Ordered, de-duplicated pages worth having at the start of a turn. */
  async prefetchOnTurnStart(_sessionId: string, pageTable?: PageTable): Promise<string[]> {
    const out: string[] = [];
    const add = (id: string | null): void => {
      if (id && !out.includes(id)) out.push(id);
    };
    add(this.lastSummary);
    for (const id of this.getTopClaims(pageTable)) add(id);
    for (const tool of this.getLikelyTools()) for (const id of this.getToolPrereqPages(tool)) add(id);
    return out;
  }

  forget(pageId: string): void {
    this.totalAccesses -= this.accessCounts.get(pageId) ?? 0;
    this.accessCounts.delete(pageId);
    if (this.lastSummary === pageId) this.lastSummary = null;
  }

  clear(): void {
    this.accessCounts.clear();
    this.patterns.clear();
    this.lastSummary = null;
    this.totalAccesses = 0;
  }

  getStats(): PrefetcherStats {
    return { toolsTracked: this.patterns.size, pagesTracked: this.accessCounts.size, totalAccesses: this.totalAccesses };
  }

  toJSON(): { access_counts: [string, number][]; patterns: ToolUsagePattern[]; last_summary: string | null } {
    return {
      access_counts: [...this.accessCounts],
      patterns: [...this.patterns.values()].map((p) => ({ ...p, prereqPages: [...p.prereqPages] })),
      last_summary: this.lastSummary,
    };
  }

  static fromJSON(
    s: { access_counts: [string, number][]; patterns: ToolUsagePattern[]; last_summary: string | null },
    opts: { maxClaimsToPrefetch?: number; maxRecentTools?: number } = {},
  ): SimplePrefetcher {
    const p = new SimplePrefetcher(opts);
    for (const [id, n] of s.access_counts) {
      p.accessCounts.set(id, n);
      p.totalAccesses += n;
    }
    for (const pattern of s.patterns) p.patterns.set(pattern.toolName, { ...pattern, prereqPages: [...pattern.prereqPages] });
    p.lastSummary = s.last_summary;
    return p;
  }
}

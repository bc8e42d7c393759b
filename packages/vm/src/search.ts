import { ALL_COMPRESSION_LEVELS, StorageTier, isModality } from './enums.js';
import type { SearchFn, SearchResult, SearchResultEntry } from './models/content.js';
import type { PageTable } from './page-table.js';

export const DEFAULT_SEARCH_LIMIT = 5;
export const ID_MATCH_RELEVANCE = 1;
export const HINT_MATCH_RELEVANCE = 0.8;

export const SearchMatchMode = { Substring: 'substring', AllTerms: 'all_terms', AnyTerms: 'any_terms' } as const;
export type SearchMatchMode = (typeof SearchMatchMode)[keyof typeof SearchMatchMode];

export interface PageSearchOptions {
  /** Skip pages that are already mapped into L0 (otherwise they are returned with `mapped: true`). */
  excludeMapped?: boolean;
  /** Whole-query substring (reference) or tokenised matching; term scores are matched terms / terms. */
  matchMode?: SearchMatchMode;
}

function terms(query: string): string[] {
  return query.split(/\s+/).filter((t) => t.length > 0);
}

/** `search_pages`: metadata search over the page table and the hint map. */
export class PageSearchHandler {
  private pageTable: PageTable | undefined;
  private searchFn: SearchFn | undefined;
  private readonly hints: Map<string, string>;

  /** `hints` may be shared with the owner (the manager keeps a single map). */
  constructor(hints: Map<string, string> = new Map()) {
    this.hints = hints;
  }

  configure(pageTable: PageTable, searchFn?: SearchFn): void {
    this.pageTable = pageTable;
    this.searchFn = searchFn;
  }
  setHint(pageId: string, hint: string): void {
    this.hints.set(pageId, hint);
  }
  get pageHints(): ReadonlyMap<string, string> {
    return this.hints;
  }

  async search(query: string, modality?: string | null, limit = DEFAULT_SEARCH_LIMIT, opts: PageSearchOptions = {}): Promise<SearchResult> {
    if (!this.pageTable) return { results: [], totalAvailable: 0 };
    if (this.searchFn) return this.searchFn(query, isModality(modality) ? modality : null, limit);
    if (modality !== undefined && modality !== null && !isModality(modality)) return { results: [], totalAvailable: this.pageTable.size };
    const q = query.toLowerCase();
    const qTerms = terms(q);
    const mode = opts.matchMode ?? SearchMatchMode.Substring;
    const matches: SearchResultEntry[] = [];
    for (const entry of this.pageTable.entries.values()) {
      if (modality && entry.modality !== modality) continue;
      if (opts.excludeMapped && entry.tier === StorageTier.L0) continue;
      const hint = this.hints.get(entry.pageId) ?? '';
      const relevance = this.score(q, qTerms, mode, entry.pageId.toLowerCase(), hint.toLowerCase());
      if (relevance <= 0) continue;
      const match: SearchResultEntry = { pageId: entry.pageId, modality: entry.modality, tier: entry.tier, levels: [...ALL_COMPRESSION_LEVELS], hint, relevance };
      if (entry.tier === StorageTier.L0) match.mapped = true;
      matches.push(match);
    }
    matches.sort((a, b) => b.relevance - a.relevance);
    return { results: matches.slice(0, limit), totalAvailable: this.pageTable.size };
  }

  /**
   * Ids match only whole (the query, or a term, equal to the lower-cased id): a number or word of the query inside a
   * random id such as `msg_3f46a1b2` is no match. Hints match by substring.
   */
  private score(q: string, qTerms: string[], mode: SearchMatchMode, id: string, hint: string): number {
    if (id === q.trim()) return ID_MATCH_RELEVANCE;
    if (mode === SearchMatchMode.Substring || qTerms.length === 0) return hint.includes(q) ? HINT_MATCH_RELEVANCE : 0;
    const hits = qTerms.filter((t) => hint.includes(t) || id === t).length;
    if (mode === SearchMatchMode.AllTerms && hits < qTerms.length) return 0;
    return (hits / qTerms.length) * HINT_MATCH_RELEVANCE;
  }
}

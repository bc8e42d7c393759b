import { InvalidInput } from '@chuk/models';
import { PageType } from './enums.js';
import type { PageTable } from './page-table.js';

/** The reference's five recall patterns (alternations only; word boundaries are added unless `legacy`). */
const RECALL_PATTERN_SOURCES = [
  'as we|what did we|earlier|previously|remember when',
  'that (?:decision|choice|plan|approach) (?:about|for|regarding)',
  'go back to|revisit|return to',
  'remind me|refresh my memory',
  'you (?:said|mentioned|suggested|recommended)',
] as const;

export const DEFAULT_RECALL_SIGNALS: readonly RegExp[] = RECALL_PATTERN_SOURCES.map((s) => new RegExp(`\\b(?:${s})\\b`, 'i'));
/** Reference patterns without word boundaries ("what has weight" triggers "as we"). */
export const LEGACY_RECALL_SIGNALS: readonly RegExp[] = RECALL_PATTERN_SOURCES.map((s) => new RegExp(s, 'i'));

export const DEFAULT_MAX_PREFETCH_PAGES = 5;
export const MIN_TOPIC_LENGTH = 4;
/**
 * Topics found in more hinted pages than this are left out of the ranking: they say little about which page is
 * meant (their weight is under 1/256), and walking their postings would make a user message cost O(pages).
 */
export const DEFAULT_MAX_TOPIC_PAGES = 256;
/** A page whose hint holds at least this many of the message's topics may be referenced by it (`referencedPages`). */
export const DEFAULT_REFERENCE_MIN_TOPICS = 2;
/** ... and at least this share of the message's topics that some hint holds. */
export const DEFAULT_REFERENCE_MIN_SHARE = 0.5;
/**
 * A message with more distinct topics than this names no page (a pasted document, say): no hint holds half of
 * them, and this bounds the work at O(REFERENCE_MAX_TOPICS × maxTopicPages).
 */
export const REFERENCE_MAX_TOPICS = 64;

export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'what that this these those there their them they then than with from have been were will would could should ' +
    'about into onto over under tell does done make made also just like some such very more most much many when ' +
    'where which while whom whose your yours ours mine only even ever each both other another again here user ' +
    'assistant tool summary segment please thanks thank know want need said say says okay sure'
  ).split(' '),
);

export interface DemandPagingOptions {
  recallSignals?: readonly (string | RegExp)[];
  maxPrefetchPages?: number;
  /** Reference behaviour: no word boundaries, no stop words, substring topic matching, reference order. */
  legacy?: boolean;
  /**
   * Protect pages the pre-pass (or turn-start prefetch) faults in from eviction for `faultProtectionTurns`, as model
   * faults are (the reference). Default false: prefetched pages are the newest in L0, so they go last among the
   * unpinned pages, but they yield to the turn's own pages (the user message) instead of keeping them out of L0.
   */
  protectPrefetched?: boolean;
  /** Topics in more hinted pages than this are ignored by the ranking (default `DEFAULT_MAX_TOPIC_PAGES`). */
  maxTopicPages?: number;
  /**
   * A message without a recall signal still references the page whose hint holds the most of its topics, when
   * that is at least this many ("What is my Acme account number?" names the page that stated it; see
   * `referencedPages`). Such pages are prefetched as `resolve_reference` faults, which the default `referenced`
   * confidence threshold allows. Default `DEFAULT_REFERENCE_MIN_TOPICS`; 0 turns it off (then only recall
   * signals prefetch under `referenced`).
   */
  referenceMinTopics?: number;
  /** ... and at least this share of the message's topics, in [0, 1] (default `DEFAULT_REFERENCE_MIN_SHARE`). */
  referenceMinShare?: number;
}

export interface PrefetchQuery {
  message: string;
  pageTable: PageTable;
  pageHints: ReadonlyMap<string, string>;
  workingSetIds: ReadonlySet<string>;
  /** Word → page ids index of the hints; used for rarity-weighted matching (non-legacy). */
  hintIndex?: HintIndex;
}

export interface PrefetchCandidates { recall: boolean; claimsAndSummaries: string[]; topical: string[]; all: string[] }

function countOption(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0) throw new InvalidInput({ field: `demandPaging.${name}`, reason: `must be a non-negative integer, got ${String(v)}` });
  return v;
}

/** Lower-case ASCII words of `text`. */
export function words(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 0);
}

/** Inverted index of hint words, maintained incrementally by the owner. */
export class HintIndex {
  private readonly postings = new Map<string, Set<string>>();
  private readonly byPage = new Map<string, string[]>();

  set(pageId: string, hint: string): void {
    this.delete(pageId);
    const ws = [...new Set(words(hint).filter((w) => w.length >= MIN_TOPIC_LENGTH))];
    this.byPage.set(pageId, ws);
    for (const w of ws) {
      let set = this.postings.get(w);
      if (!set) {
        set = new Set();
        this.postings.set(w, set);
      }
      set.add(pageId);
    }
  }
  delete(pageId: string): void {
    for (const w of this.byPage.get(pageId) ?? []) this.postings.get(w)?.delete(pageId);
    this.byPage.delete(pageId);
  }
  clear(): void {
    this.postings.clear();
    this.byPage.clear();
  }
  pagesWith(word: string): ReadonlySet<string> {
    return this.postings.get(word) ?? new Set();
  }
}

/** Detects, before the model call, that old context will be needed. Stateless. */
export class DemandPagingPrePass {
  readonly maxPrefetchPages: number;
  readonly maxTopicPages: number;
  readonly referenceMinTopics: number;
  readonly referenceMinShare: number;
  private readonly signals: readonly RegExp[];
  private readonly legacy: boolean;

  constructor(opts: DemandPagingOptions = {}) {
    this.legacy = opts.legacy ?? false;
    const custom = (opts.recallSignals ?? []).map((s) => (typeof s === 'string' ? new RegExp(s, 'i') : s));
    this.signals = custom.length > 0 ? custom : this.legacy ? LEGACY_RECALL_SIGNALS : DEFAULT_RECALL_SIGNALS;
    this.maxPrefetchPages = opts.maxPrefetchPages ?? DEFAULT_MAX_PREFETCH_PAGES;
    this.maxTopicPages = countOption('maxTopicPages', opts.maxTopicPages, DEFAULT_MAX_TOPIC_PAGES);
    this.referenceMinTopics = countOption('referenceMinTopics', opts.referenceMinTopics, DEFAULT_REFERENCE_MIN_TOPICS);
    this.referenceMinShare = opts.referenceMinShare ?? DEFAULT_REFERENCE_MIN_SHARE;
    if (!(this.referenceMinShare >= 0 && this.referenceMinShare <= 1)) {
      throw new InvalidInput({ field: 'demandPaging.referenceMinShare', reason: `must be in [0, 1], got ${String(this.referenceMinShare)}` });
    }
  }

  hasRecallSignal(message: string): boolean {
    return this.signals.some((re) => re.test(message));
  }

  /** Words of ≥ 4 characters; without `legacy`, stop words are dropped and duplicates removed. */
  extractTopics(message: string): string[] {
    const all = words(message).filter((w) => w.length >= MIN_TOPIC_LENGTH);
    if (this.legacy) return all;
    return [...new Set(all.filter((w) => !STOP_WORDS.has(w)))];
  }

  getPrefetchCandidates(q: PrefetchQuery): string[] {
    return this.classify(q).all;
  }

  /** Candidates split by origin (recall-driven claims/summaries vs topic matches). */
  classify(q: PrefetchQuery): PrefetchCandidates {
    const recall = this.hasRecallSignal(q.message);
    const topics = this.extractTopics(q.message);
    const seen = new Set<string>();
    const claimsAndSummaries: string[] = [];
    const topical: string[] = [];
    const push = (list: string[], id: string): void => {
      if (seen.has(id) || q.workingSetIds.has(id)) return;
      seen.add(id);
      list.push(id);
    };
    const byType = (t: PageType): void => {
      for (const e of q.pageTable.getByType(t)) push(claimsAndSummaries, e.pageId);
    };
    if (this.legacy) {
      if (recall) byType(PageType.Claim);
      for (const [id, hint] of q.pageHints) {
        const h = hint.toLowerCase();
        if (topics.some((t) => h.includes(t))) push(topical, id);
      }
      if (recall) byType(PageType.Summary);
    } else {
      if (recall) {
        byType(PageType.Claim);
        byType(PageType.Summary);
      }
      for (const id of this.rankTopical(q, topics)) push(topical, id);
    }
    const ordered = this.legacy ? this.legacyOrder(q, recall, claimsAndSummaries, topical) : [...claimsAndSummaries, ...topical];
    return { recall, claimsAndSummaries, topical, all: ordered.slice(0, this.maxPrefetchPages) };
  }

  /**
   * Pages the message references without a recall signal: the unmapped pages that hold the most of the message's
   * topics (only topics in at most `maxTopicPages` pages are matched), when that is at least `referenceMinTopics`
   * and at least `referenceMinShare` of the topics some hint holds (common ones included), and no more than
   * `maxPrefetchPages` pages in all, mapped ones included, hold that many (more would mean the message shares
   * common words with many pages and names none of them). Newest first (a correction before the statement it corrects). A mapped page with a better match does not hide
   * the unmapped one (the message's own page, already mapped, holds all its topics). Costs O(topics ×
   * maxTopicPages) with the hint index, whatever the session's length. Empty in `legacy` mode, with
   * `referenceMinTopics: 0`, or for a message of more than `REFERENCE_MAX_TOPICS` topics.
   */
  referencedPages(q: PrefetchQuery): string[] {
    if (this.legacy || this.referenceMinTopics === 0) return [];
    const topics = this.extractTopics(q.message);
    if (topics.length > REFERENCE_MAX_TOPICS) return [];
    const counts = new Map<string, number>();
    let counted = 0;
    for (const t of topics) {
      const pages = this.pagesWith(q, t);
      if (pages.size === 0) continue;
      // A topic in too many pages is not walked, but it still counts towards the share a page must hold.
      counted += 1;
      if (pages.size > this.maxTopicPages) continue;
      for (const id of pages) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const need = Math.max(this.referenceMinTopics, Math.ceil(counted * this.referenceMinShare));
    let best = 0;
    for (const [id, n] of counts) if (n > best && !q.workingSetIds.has(id)) best = n;
    if (best < need) return [];
    let holding = 0;
    for (const n of counts.values()) if (n >= best) holding += 1;
    if (holding > this.maxPrefetchPages) return [];
    // Map order is the order pages were first hit: for pages sharing their topics, the hint order.
    const top = [...counts].filter(([id, n]) => n === best && !q.workingSetIds.has(id)).map(([id]) => id);
    return top.reverse();
  }

  private pagesWith(q: PrefetchQuery, topic: string): ReadonlySet<string> {
    return q.hintIndex ? q.hintIndex.pagesWith(topic) : this.scan(q.pageHints, topic);
  }

  private legacyOrder(q: PrefetchQuery, recall: boolean, cs: string[], topical: string[]): string[] {
    if (!recall) return topical;
    const claims = cs.filter((id) => q.pageTable.lookup(id)?.pageType === PageType.Claim);
    const summaries = cs.filter((id) => q.pageTable.lookup(id)?.pageType !== PageType.Claim);
    return [...claims, ...topical, ...summaries];
  }

  /**
   * Pages hit by at least one topic, scored by Σ 1/document-frequency (rare words weigh more). Equal scores go newest
   * first (the later hint), so a correction comes before the statement it corrects.
   */
  private rankTopical(q: PrefetchQuery, topics: string[]): string[] {
    const scores = new Map<string, number>();
    for (const t of topics) {
      const pages = this.pagesWith(q, t);
      if (pages.size === 0 || pages.size > this.maxTopicPages) continue;
      const weight = 1 / pages.size;
      for (const id of pages) scores.set(id, (scores.get(id) ?? 0) + weight);
    }
    // Map order is the order pages were first hit, which for pages sharing their topics is the hint order.
    const ranked = [...scores].map(([id, score], order) => ({ id, score, order }));
    return ranked.sort((a, b) => b.score - a.score || b.order - a.order).map((r) => r.id);
  }

  private scan(hints: ReadonlyMap<string, string>, topic: string): Set<string> {
    const out = new Set<string>();
    for (const [id, hint] of hints) if (words(hint).includes(topic)) out.add(id);
    return out;
  }
}

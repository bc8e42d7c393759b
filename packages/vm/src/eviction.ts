import { z } from 'zod';
import { InvalidInput } from '@chuk/models';
import { DEFAULT_IMPORTANCE, ModalitySchema, StorageTier, type Modality } from './enums.js';
import { evictionPriority, type PageTableEntry } from './models/entry.js';
import type { MemoryPage } from './models/page.js';

/** Lower score = evict first. */
export interface EvictionCandidate { pageId: string; score: number }

export interface AntiThrashView {
  canEvict(id: string, turn: number): boolean;
  getEvictionPenalty(id: string, turn: number): number;
  /** True when `getEvictionPenalty` is 0 for every page `canEvict` allows (lets L0 scoring skip the lookup). */
  readonly penaltyZeroWhenEvictable?: boolean;
}

export interface EvictionContext {
  currentTurn: number;
  l0PageIds: readonly string[];
  l1Pages: ReadonlyMap<string, MemoryPage>;
  pinnedPageIds: ReadonlySet<string>;
  importanceOverrides: ReadonlyMap<string, number>;
  antiThrash?: AntiThrashView;
  pageTable?: { lookup(id: string): PageTableEntry | undefined };
  now: Date;
  /** Lets L0 scoring see page importance and type. */
  getPage?: (id: string) => MemoryPage | undefined;
}

/**
 * Pluggable eviction strategy. Implementations MUST exclude pinned pages and pages the anti-thrash policy
 * protects, and MUST return candidates sorted ascending by score. `fromTier === L0` scores `l0PageIds`,
 * any other tier scores `l1Pages`. With `tokensNeeded > 0` a policy may put first the victim set that covers the need
 * (the built-in policies do, see `coverNeed`); each of the two parts stays ascending.
 */
export interface EvictionPolicy {
  scoreCandidates(ctx: EvictionContext, fromTier: StorageTier, tokensNeeded?: number): EvictionCandidate[];
}

/** Tokens a candidate frees: its page-table size, else its page's (0 when unknown: it cannot be counted on). */
function candidateTokens(ctx: EvictionContext, id: string): number {
  return ctx.pageTable?.lookup(id)?.sizeTokens ?? ctx.l1Pages.get(id)?.sizeTokens ?? ctx.getPage?.(id)?.sizeTokens ?? 0;
}

/**
 * Honours the `tokensNeeded` hint (spec §8.5) on a list sorted ascending by score (the score is what evicting a page
 * loses: lower = less). The victim set is the shortest prefix whose tokens cover the need, without the members it can
 * spare (tried from the highest score down), or the single page of the lowest score that covers the need alone when
 * that loses less. The set comes first (ascending), then the other candidates (ascending): an eviction run that stops
 * once the need is covered evicts exactly the set. No need, no page sizes, or a need no prefix covers: `sorted` as it is.
 */
export function coverNeed(sorted: EvictionCandidate[], tokensNeeded: number | undefined, tokensOf: (id: string) => number): EvictionCandidate[] {
  if (tokensNeeded === undefined || !(tokensNeeded > 0) || sorted.length < 2) return sorted;
  const tokens: number[] = [];
  let covered = 0;
  let end = 0;
  while (end < sorted.length && covered < tokensNeeded) {
    const t = Math.max(0, tokensOf((sorted[end] as EvictionCandidate).pageId));
    tokens.push(t);
    covered += t;
    end++;
  }
  if (covered < tokensNeeded) return sorted;
  // Spare members, highest score first, while the rest still covers the need.
  const kept = new Array<boolean>(end).fill(true);
  let cost = 0;
  for (let i = end - 1; i >= 0; i--) {
    const t = tokens[i] as number;
    if (covered - t >= tokensNeeded) {
      kept[i] = false;
      covered -= t;
    } else {
      cost += (sorted[i] as EvictionCandidate).score;
    }
  }
  // One page that covers the need alone and loses less than the set (the list is ascending: stop at `cost`; a tie,
  // within rounding, keeps the set).
  let single = -1;
  for (let i = 0; i < sorted.length && (sorted[i] as EvictionCandidate).score < cost - SCORE_TOLERANCE; i++) {
    const t = i < end ? (tokens[i] as number) : tokensOf((sorted[i] as EvictionCandidate).pageId);
    if (t >= tokensNeeded) {
      single = i;
      break;
    }
  }
  if (single < 0 && kept.every(Boolean)) return sorted;
  const chosen = (i: number): boolean => (single >= 0 ? i === single : i < end && kept[i] === true);
  const first: EvictionCandidate[] = [];
  const rest: EvictionCandidate[] = [];
  sorted.forEach((c, i) => (chosen(i) ? first : rest).push(c));
  return first.concat(rest);
}

const SECONDS_PER_HOUR = 3600;
const FREQUENCY_LOG_DIVISOR = 10;
const WEIGHT_SUM_TOLERANCE = 1e-9;
/** Scores closer than this are equal when `coverNeed` weighs one page against a set (sums of floats round). */
const SCORE_TOLERANCE = 1e-9;

function recency(page: MemoryPage, now: Date): number {
  const ageSeconds = (now.getTime() - page.lastAccessed.getTime()) / 1000;
  return 1 / (1 + ageSeconds / SECONDS_PER_HOUR);
}

function isExcluded(ctx: EvictionContext, id: string): boolean {
  if (ctx.pinnedPageIds.has(id)) return true;
  return ctx.antiThrash !== undefined && !ctx.antiThrash.canEvict(id, ctx.currentTurn);
}

/** The view promises a zero penalty for every page `canEvict` allows, so scoring need not ask again. */
function zeroPenaltyWhenEvictable(view: AntiThrashView | undefined): boolean {
  return view?.penaltyZeroWhenEvictable === true;
}

function sortAscending(out: EvictionCandidate[]): EvictionCandidate[] {
  return out.sort((a, b) => a.score - b.score);
}

/** The page's own type and pin (kept in step with its entry); the entry when the page is not at hand. */
function pageTypeFactor(ctx: EvictionContext, id: string, page: MemoryPage | undefined): number {
  const source = page ?? ctx.pageTable?.lookup(id);
  if (source === undefined) return 1;
  return 1 - (source.pinned ? 0 : evictionPriority(source));
}

export const L0ImportanceSource = { PageImportance: 'page_importance', OverrideOnly: 'override_only' } as const;
export type L0ImportanceSource = (typeof L0ImportanceSource)[keyof typeof L0ImportanceSource];

const sumsToOne = (...w: number[]): boolean => Math.abs(w.reduce((a, b) => a + b, 0) - 1) <= WEIGHT_SUM_TOLERANCE;

export const ImportanceWeightedLRUConfigSchema = z
  .object({
    l0PositionWeight: z.number().min(0).max(1).default(0.4).describe('L0: weight of the position (older = lower)'),
    l0ImportanceWeight: z.number().min(0).max(1).default(0.4).describe('L0: weight of importance'),
    l0ThrashWeight: z.number().min(0).max(1).default(0.2).describe('L0: weight of the anti-thrash penalty'),
    l1RecencyWeight: z.number().min(0).max(1).default(0.3).describe('L1: weight of recency'),
    l1FrequencyWeight: z.number().min(0).max(1).default(0.2).describe('L1: weight of access frequency'),
    l1ImportanceWeight: z.number().min(0).max(1).default(0.3).describe('L1: weight of importance'),
    l1ThrashWeight: z.number().min(0).max(1).default(0.2).describe('L1: weight of the anti-thrash penalty'),
    l0ImportanceSource: z
      .enum(L0ImportanceSource)
      .default(L0ImportanceSource.PageImportance)
      .describe('page_importance: override, else page.importance; override_only reproduces the reference'),
    pageTypeWeighting: z
      .boolean()
      .default(true)
      .describe('Multiply scores by (1 - page-type eviction weight) so claims and summaries outlive transcripts'),
  })
  .strict()
  .refine((c) => sumsToOne(c.l0PositionWeight, c.l0ImportanceWeight, c.l0ThrashWeight), {
    error: 'L0 weights must sum to 1',
    path: ['l0PositionWeight'],
  })
  .refine((c) => sumsToOne(c.l1RecencyWeight, c.l1FrequencyWeight, c.l1ImportanceWeight, c.l1ThrashWeight), {
    error: 'L1 weights must sum to 1',
    path: ['l1RecencyWeight'],
  });
export type ImportanceWeightedLRUConfig = z.output<typeof ImportanceWeightedLRUConfigSchema>;
export type ImportanceWeightedLRUConfigInput = z.input<typeof ImportanceWeightedLRUConfigSchema>;

function parseConfig<T extends z.ZodType>(schema: T, raw: unknown, field: string): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new InvalidInput({ field, reason: parsed.error.message, issues: parsed.error.issues });
  return parsed.data;
}

/** Default policy: position/recency, importance, page type and anti-thrash penalty. */
export class ImportanceWeightedLRU implements EvictionPolicy {
  readonly config: ImportanceWeightedLRUConfig;

  constructor(config: ImportanceWeightedLRUConfigInput = {}) {
    this.config = parseConfig(ImportanceWeightedLRUConfigSchema, config, 'evictionPolicy');
  }

  scoreCandidates(ctx: EvictionContext, fromTier: StorageTier, tokensNeeded?: number): EvictionCandidate[] {
    const sorted = fromTier === StorageTier.L0 ? this.scoreL0(ctx) : this.scoreL1(ctx);
    return coverNeed(sorted, tokensNeeded, (id) => candidateTokens(ctx, id));
  }

  private scoreL0(ctx: EvictionContext): EvictionCandidate[] {
    const c = this.config;
    const ids = ctx.l0PageIds;
    const n = Math.max(ids.length, 1);
    const usePageImportance = c.l0ImportanceSource === L0ImportanceSource.PageImportance;
    const out: EvictionCandidate[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as string;
      if (isExcluded(ctx, id)) continue;
      const page = ctx.getPage?.(id);
      const importance = ctx.importanceOverrides.get(id) ?? (usePageImportance ? page?.importance : undefined) ?? DEFAULT_IMPORTANCE;
      const thrash = zeroPenaltyWhenEvictable(ctx.antiThrash) ? 0 : (ctx.antiThrash?.getEvictionPenalty(id, ctx.currentTurn) ?? 0);
      let score = (i / n) * c.l0PositionWeight + importance * c.l0ImportanceWeight + thrash * c.l0ThrashWeight;
      if (c.pageTypeWeighting) score *= pageTypeFactor(ctx, id, page);
      out.push({ pageId: id, score });
    }
    return sortAscending(out);
  }

  private scoreL1(ctx: EvictionContext): EvictionCandidate[] {
    const c = this.config;
    const out: EvictionCandidate[] = [];
    for (const [id, page] of ctx.l1Pages) {
      if (page.pinned || isExcluded(ctx, id)) continue;
      const frequency = Math.min(1, Math.log(1 + page.accessCount) / FREQUENCY_LOG_DIVISOR);
      const importance = ctx.importanceOverrides.get(id) ?? page.importance;
      const thrash = ctx.antiThrash?.getEvictionPenalty(id, ctx.currentTurn) ?? 0;
      let score =
        recency(page, ctx.now) * c.l1RecencyWeight +
        frequency * c.l1FrequencyWeight +
        importance * c.l1ImportanceWeight +
        thrash * c.l1ThrashWeight;
      if (c.pageTypeWeighting) score *= pageTypeFactor(ctx, id, page);
      out.push({ pageId: id, score });
    }
    return sortAscending(out);
  }
}

/** Pure LRU: L0 by position (oldest first), L1 by recency. No importance. */
export class LRUEvictionPolicy implements EvictionPolicy {
  scoreCandidates(ctx: EvictionContext, fromTier: StorageTier, tokensNeeded?: number): EvictionCandidate[] {
    return coverNeed(this.score(ctx, fromTier), tokensNeeded, (id) => candidateTokens(ctx, id));
  }

  private score(ctx: EvictionContext, fromTier: StorageTier): EvictionCandidate[] {
    const out: EvictionCandidate[] = [];
    if (fromTier === StorageTier.L0) {
      const n = Math.max(ctx.l0PageIds.length, 1);
      ctx.l0PageIds.forEach((id, i) => {
        if (!isExcluded(ctx, id)) out.push({ pageId: id, score: i / n });
      });
    } else {
      for (const [id, page] of ctx.l1Pages) {
        if (!page.pinned && !isExcluded(ctx, id)) out.push({ pageId: id, score: recency(page, ctx.now) });
      }
    }
    return sortAscending(out);
  }
}

export const DEFAULT_MODALITY_WEIGHTS: Readonly<Record<Modality, number>> = {
  text: 1,
  structured: 0.9,
  image: 0.5,
  audio: 0.4,
  video: 0.3,
};

export const ModalityAwareLRUConfigSchema = z
  .object({
    modalityWeights: z
      .partialRecord(ModalitySchema, z.number().min(0))
      .default(DEFAULT_MODALITY_WEIGHTS)
      .describe('Score multiplier per modality (lower = evicted sooner); unknown → 1'),
  })
  .strict();

/** Wraps a base policy and multiplies each score by a modality weight, so media goes before text. */
export class ModalityAwareLRU implements EvictionPolicy {
  readonly modalityWeights: Readonly<Partial<Record<Modality, number>>>;

  constructor(
    private readonly base: EvictionPolicy = new ImportanceWeightedLRU(),
    config: z.input<typeof ModalityAwareLRUConfigSchema> = {},
  ) {
    this.modalityWeights = parseConfig(ModalityAwareLRUConfigSchema, config, 'evictionPolicy').modalityWeights;
  }

  /** The base policy's scores (without the need: this policy re-sorts), weighted, then `coverNeed`. */
  scoreCandidates(ctx: EvictionContext, fromTier: StorageTier, tokensNeeded?: number): EvictionCandidate[] {
    const scored = this.base.scoreCandidates(ctx, fromTier).map((c) => {
      const modality = ctx.l1Pages.get(c.pageId)?.modality ?? ctx.pageTable?.lookup(c.pageId)?.modality;
      const weight = modality === undefined ? 1 : (this.modalityWeights[modality] ?? 1);
      return { pageId: c.pageId, score: c.score * weight };
    });
    return coverNeed(sortAscending(scored), tokensNeeded, (id) => candidateTokens(ctx, id));
  }
}

/** Wraps a base policy and multiplies each score by (1 − page-type eviction weight). */
export class PageTypeAwarePolicy implements EvictionPolicy {
  constructor(private readonly base: EvictionPolicy = new ImportanceWeightedLRU({ pageTypeWeighting: false })) {}

  /** The base policy's scores (without the need: this policy re-sorts), weighted, then `coverNeed`. */
  scoreCandidates(ctx: EvictionContext, fromTier: StorageTier, tokensNeeded?: number): EvictionCandidate[] {
    const scored = this.base
      .scoreCandidates(ctx, fromTier)
      .map((c) => ({ pageId: c.pageId, score: c.score * pageTypeFactor(ctx, c.pageId, ctx.l1Pages.get(c.pageId) ?? ctx.getPage?.(c.pageId)) }));
    return coverNeed(sortAscending(scored), tokensNeeded, (id) => candidateTokens(ctx, id));
  }
}

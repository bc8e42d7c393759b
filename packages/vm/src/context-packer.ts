import { z } from 'zod';
import { InvalidInput, MessageRole } from '@chuk/models';
import { ContextPrefix, Modality, PageType, VM_TAGS } from './enums.js';
import type { FormattedPage } from './models/content.js';
import { pageRole, type MemoryPage } from './models/page.js';
import { charRatioEstimator, type TokenEstimator } from './tokens.js';
import { codePointLength, codePointSlice, contentText, truncateWithEllipsis } from './util/text.js';

export const DropOrder = { NewestFirst: 'newest_first', OldestFirst: 'oldest_first' } as const;
export type DropOrder = (typeof DropOrder)[keyof typeof DropOrder];

export const ContextPackerConfigSchema = z
  .object({
    includePageIds: z.boolean().default(true).describe('Render "<PREFIX> (<page_id>): <body>"'),
    includeTimestamps: z.boolean().default(false).describe('Append the page creation time to each line'),
    maxTextLength: z.number().int().nonnegative().default(0).describe('Truncate text bodies to this many characters (0 = unlimited)'),
    escapeText: z.boolean().default(true).describe('JSON-encode text bodies (false: raw text in quotes, the reference)'),
    legacyPrefixes: z.boolean().default(false).describe('Reference prefix rules (metadata "user"/"type" keys, id heuristics)'),
    dropOrder: z.enum(DropOrder).default(DropOrder.NewestFirst).describe('Which pages are dropped first under budget pressure'),
  })
  .strict();
export type ContextPackerConfig = z.output<typeof ContextPackerConfigSchema>;
export type ContextPackerConfigInput = z.input<typeof ContextPackerConfigSchema>;

export interface PackedContext {
  content: string;
  tokensEst: number;
  pagesIncluded: string[];
  pagesTruncated: string[];
  pagesOmitted: string[];
}

/** Tokens added by the `<VM:CONTEXT>` wrapper. */
export const WRAPPER_TOKENS = 10;
/** Truncate a text page only when more than this many tokens remain. */
export const MIN_TRUNCATION_TOKENS = 50;
const CHARS_PER_TOKEN = 4;
const AUDIO_EXCERPT_CHARS = 200;
const TEXT_PREFIXES: ReadonlySet<ContextPrefix> = new Set([ContextPrefix.User, ContextPrefix.Assistant, ContextPrefix.Tool, ContextPrefix.Summary, ContextPrefix.Claim]);
const UNKNOWN_BODY_CHARS = 500;
const SECONDS_PER_MINUTE = 60;
/** The line cache is pruned when it holds more than this many times the pages packed (plus a minimum). */
const LINE_CACHE_SLACK = 2;
const LINE_CACHE_MIN_PRUNE = 64;

function duration(seconds: number): string {
  const m = Math.floor(seconds / SECONDS_PER_MINUTE);
  const s = Math.floor(seconds % SECONDS_PER_MINUTE);
  return `${m}:${String(s).padStart(2, '0')}`;
}

const ESCAPES: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const ESCAPE_RE = /["\\\n\r\t]/g;
/** Characters that need escaping, or surrogates (code points ≠ UTF-16 units). */
const NEEDS_SCAN_RE = /["\\\n\r\t\uD800-\uDFFF]/;

/** `"text"` with `"`, `\\`, newlines and tabs escaped (JSON-compatible for them; a fast path skips clean text). */
export function quoteText(text: string): string {
  if (!text.includes('"') && !text.includes('\\') && !text.includes('\n') && !text.includes('\r') && !text.includes('\t')) return `"${text}"`;
  return `"${text.replace(ESCAPE_RE, (c) => ESCAPES[c] ?? c)}"`;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Renders L0 pages as `VM:CONTEXT` lines. Formatted lines are cached per page object. */
export class ContextPacker {
  readonly config: ContextPackerConfig;
  private readonly estimator: TokenEstimator;
  private readonly cache = new WeakMap<MemoryPage, FormattedPage>();

  constructor(config: ContextPackerConfigInput = {}, estimator: TokenEstimator = charRatioEstimator) {
    const parsed = ContextPackerConfigSchema.safeParse(config);
    if (!parsed.success) throw new InvalidInput({ field: 'packer', reason: parsed.error.message, issues: parsed.error.issues });
    this.config = parsed.data;
    this.estimator = estimator;
  }

  prefixFor(page: MemoryPage): ContextPrefix {
    switch (page.modality) {
      case Modality.Image:
        return ContextPrefix.Image;
      case Modality.Audio:
        return ContextPrefix.Audio;
      case Modality.Video:
        return ContextPrefix.Video;
      case Modality.Structured:
        return ContextPrefix.Structured;
      case Modality.Text:
        return this.config.legacyPrefixes ? this.legacyTextPrefix(page) : this.textPrefix(page);
      default:
        return ContextPrefix.Unknown;
    }
  }

  /** One line for the page; `maxTokens` truncates the body. */
  formatPage(page: MemoryPage, maxTokens?: number, useCache = true): FormattedPage {
    if (maxTokens === undefined && useCache) {
      const cached = this.cache.get(page);
      if (cached) return cached;
    }
    const prefix = this.prefixFor(page);
    const head = this.config.includePageIds ? `${prefix} (${page.pageId}): ` : `${prefix}: `;
    const stamp = this.config.includeTimestamps ? ` @${page.createdAt.toISOString()}` : '';
    let formatted: FormattedPage;
    if (this.estimator === charRatioEstimator && TEXT_PREFIXES.has(prefix)) {
      // Same estimate as estimateText(line), without flattening the line: count the flat content instead.
      // The head is ASCII around the page id: count the id's code points instead of scanning (and flattening) the head.
      const headCodePoints = this.config.includePageIds ? head.length - page.pageId.length + codePointLength(page.pageId) : head.length;
      const raw = contentText(page.content);
      const maxChars = maxTokens !== undefined ? maxTokens * CHARS_PER_TOKEN : this.config.maxTextLength;
      // Fast path (one scan): nothing to escape, no surrogates, no truncation.
      if (maxChars <= 0 && !NEEDS_SCAN_RE.test(raw)) {
        formatted = { content: `${head}"${raw}"${stamp}`, tokensEst: Math.floor((headCodePoints + raw.length + 2 + stamp.length) / CHARS_PER_TOKEN) };
      } else {
        const { body, codePoints } = this.textBodyCounted(raw, maxChars);
        formatted = { content: `${head}${body}${stamp}`, tokensEst: Math.floor((headCodePoints + codePoints + stamp.length) / CHARS_PER_TOKEN) };
      }
    } else {
      const content = `${head}${this.body(page, prefix, maxTokens)}${stamp}`;
      formatted = { content, tokensEst: this.estimator.estimateText(content) };
    }
    if (maxTokens === undefined && useCache) this.cache.set(page, formatted);
    return formatted;
  }

  /** Lines only (the developer message adds the tags). */
  pack(pages: readonly MemoryPage[], tokenBudget?: number | null): PackedContext {
    const budget = tokenBudget ?? 0;
    if (budget <= 0) return this.packAll(pages);
    const lines = new Array<string | undefined>(pages.length);
    const out: PackedContext = { content: '', tokensEst: 0, pagesIncluded: [], pagesTruncated: [], pagesOmitted: [] };
    const groupTotals = budget > 0 ? this.groupTotals(pages) : undefined;
    const groupDecision = new Map<string, boolean>();
    const order = this.config.dropOrder === DropOrder.OldestFirst ? [...pages.keys()].reverse() : [...pages.keys()];
    const included = new Set<number>();
    let used = 0;
    for (const i of order) {
      const page = pages[i] as MemoryPage;
      let formatted = this.formatPage(page);
      if (budget > 0 && page.groupId !== null && groupTotals) {
        let ok = groupDecision.get(page.groupId);
        if (ok === undefined) {
          ok = used + (groupTotals.get(page.groupId) ?? 0) <= budget;
          groupDecision.set(page.groupId, ok);
          if (ok) used += groupTotals.get(page.groupId) ?? 0;
        }
        if (!ok) {
          out.pagesOmitted.push(page.pageId);
          continue;
        }
      } else if (budget > 0 && used + formatted.tokensEst > budget) {
        const truncated = this.truncateToFit(page, budget - used);
        if (!truncated) {
          out.pagesOmitted.push(page.pageId);
          continue;
        }
        formatted = truncated;
        out.pagesTruncated.push(page.pageId);
        used += formatted.tokensEst;
      } else {
        used += formatted.tokensEst;
      }
      lines[i] = formatted.content;
      included.add(i);
    }
    const parts: string[] = [];
    pages.forEach((page, i) => {
      if (!included.has(i)) return;
      parts.push(lines[i] as string);
      out.pagesIncluded.push(page.pageId);
    });
    if (this.config.dropOrder === DropOrder.OldestFirst) out.pagesOmitted.reverse();
    out.content = parts.join('\n');
    out.tokensEst = used;
    return out;
  }

  /** No budget: every page, in order (the string is built as a rope, no per-call copy of the bodies). */
  private packAll(pages: readonly MemoryPage[]): PackedContext {
    const gen = ++this.generation;
    let content = '';
    let tokens = 0;
    const included: string[] = [];
    for (const page of pages) {
      let c = this.lineCache.get(page.pageId);
      if (c?.page !== page) {
        c = { page, formatted: this.formatPage(page, undefined, false), gen };
        this.lineCache.set(page.pageId, c);
      } else {
        c.gen = gen;
      }
      const f = c.formatted;
      content = included.length === 0 ? f.content : `${content}\n${f.content}`;
      tokens += f.tokensEst;
      included.push(page.pageId);
    }
    // Keyed by page id and kept across calls; lines of pages no longer packed are dropped once the cache
    // holds well over what was packed, so it stays bounded by the working set.
    if (this.lineCache.size > included.length * LINE_CACHE_SLACK + LINE_CACHE_MIN_PRUNE) {
      for (const [id, line] of this.lineCache) if (line.gen !== gen) this.lineCache.delete(id);
    }
    return { content, tokensEst: tokens, pagesIncluded: included, pagesTruncated: [], pagesOmitted: [] };
  }

  /**
   * Render a page's line ahead of the next unbudgeted `pack` (called when a page is mapped or its content
   * changes), so a build mostly joins cached lines. A line not packed by the next call is pruned as usual.
   */
  prime(page: MemoryPage): FormattedPage {
    const c = this.lineCache.get(page.pageId);
    if (c?.page === page) return c.formatted;
    const formatted = this.formatPage(page, undefined, false);
    if (c) {
      c.page = page;
      c.formatted = formatted;
    } else {
      this.lineCache.set(page.pageId, { page, formatted, gen: this.generation });
    }
    return formatted;
  }

  /** Tokens of the page's unbudgeted line (rendered and kept as by `prime`). */
  lineTokens(page: MemoryPage): number {
    return this.prime(page).tokensEst;
  }

  /** Drop the cached line of a page that left L0 (it is rendered again if the page is mapped again). */
  forget(pageId: string): void {
    this.lineCache.delete(pageId);
  }

  private readonly lineCache = new Map<string, { page: MemoryPage; formatted: FormattedPage; gen: number }>();
  private generation = 0;

  packWithWrapper(pages: readonly MemoryPage[], tokenBudget?: number | null): PackedContext {
    const packed = this.pack(pages, tokenBudget);
    return { ...packed, content: `${VM_TAGS.ContextOpen}\n${packed.content}\n${VM_TAGS.ContextClose}`, tokensEst: packed.tokensEst + WRAPPER_TOKENS };
  }

  private groupTotals(pages: readonly MemoryPage[]): Map<string, number> | undefined {
    let totals: Map<string, number> | undefined;
    for (const p of pages) {
      if (p.groupId === null) continue;
      totals ??= new Map();
      totals.set(p.groupId, (totals.get(p.groupId) ?? 0) + this.formatPage(p).tokensEst);
    }
    return totals;
  }

  private truncateToFit(page: MemoryPage, remaining: number): FormattedPage | undefined {
    const truncatable =
      page.modality === Modality.Text || (page.modality === Modality.Structured && !this.config.legacyPrefixes);
    if (!truncatable || this.config.maxTextLength !== 0 || remaining <= MIN_TRUNCATION_TOKENS) return undefined;
    if (this.config.legacyPrefixes) return this.formatPage(page, remaining);
    const overhead = this.formatPage({ ...page, content: '' }, 0).tokensEst + 1;
    const formatted = this.formatPage(page, Math.max(1, remaining - overhead));
    return formatted.tokensEst <= remaining ? formatted : undefined;
  }

  private textPrefix(page: MemoryPage): ContextPrefix {
    const role = pageRole(page);
    if (role === MessageRole.User) return ContextPrefix.User;
    if (role === MessageRole.Assistant) return ContextPrefix.Assistant;
    if (role === MessageRole.Tool || page.pageType === PageType.Artifact) return ContextPrefix.Tool;
    if (page.pageType === PageType.Summary || page.metadata['type'] === PageType.Summary || page.pageId.includes('summary')) {
      return ContextPrefix.Summary;
    }
    if (page.pageType === PageType.Claim) return ContextPrefix.Claim;
    return ContextPrefix.User;
  }

  private legacyTextPrefix(page: MemoryPage): ContextPrefix {
    const role = str(page.metadata['user']) ?? str(page.metadata['role']);
    if (role === MessageRole.User) return ContextPrefix.User;
    if (role === MessageRole.Assistant) return ContextPrefix.Assistant;
    const type = page.metadata['type'];
    if (role === MessageRole.Tool || type === PageType.Transcript) return ContextPrefix.Tool;
    if (type === PageType.Summary || page.pageId.includes('summary')) return ContextPrefix.Summary;
    return ContextPrefix.User;
  }

  private body(page: MemoryPage, prefix: ContextPrefix, maxTokens: number | undefined): string {
    switch (prefix) {
      case ContextPrefix.Image:
        return this.imageBody(page);
      case ContextPrefix.Audio:
        return this.audioBody(page);
      case ContextPrefix.Video:
        return this.videoBody(page);
      case ContextPrefix.Structured:
        return this.structuredBody(page, maxTokens);
      case ContextPrefix.Unknown:
        return page.content === null ? '[no content]' : codePointSlice(contentText(page.content), UNKNOWN_BODY_CHARS);
      default:
        return this.textBody(page, maxTokens);
    }
  }

  private textBody(page: MemoryPage, maxTokens: number | undefined): string {
    const maxChars = maxTokens !== undefined ? maxTokens * CHARS_PER_TOKEN : this.config.maxTextLength;
    return this.textBodyCounted(contentText(page.content), maxChars).body;
  }

  /** The quoted body of `raw` (cut to `maxChars` code points when > 0) and its length in code points. */
  private textBodyCounted(raw: string, maxChars: number): { body: string; codePoints: number } {
    const text = maxChars > 0 ? truncateWithEllipsis(raw, maxChars) : raw;
    const body = this.config.escapeText ? quoteText(text) : `"${text}"`;
    return { body, codePoints: codePointLength(text) + body.length - text.length };
  }

  private imageBody(page: MemoryPage): string {
    let body = '[IMAGE:';
    const label = str(page.caption) ?? str(page.content);
    if (label) body += ` ${label}`;
    if (page.dimensions) body += `, ${page.dimensions[0]}x${page.dimensions[1]}`;
    return `${body}]`;
  }

  private audioBody(page: MemoryPage): string {
    const parts: string[] = [];
    if (page.durationSeconds) parts.push(` ${duration(page.durationSeconds)} duration`);
    const transcript = str(page.transcript) ?? str(page.content);
    if (transcript) {
      const excerpt = truncateWithEllipsis(transcript, AUDIO_EXCERPT_CHARS);
      const comma = parts.length > 0 || this.config.legacyPrefixes ? ',' : '';
      parts.push(`${comma} transcript: "${excerpt}"`);
    }
    return `[AUDIO:${parts.join('')}]`;
  }

  private videoBody(page: MemoryPage): string {
    const parts: string[] = [];
    if (page.durationSeconds) parts.push(` ${duration(page.durationSeconds)} duration`);
    const scenes = page.metadata['scene_count'];
    if (typeof scenes === 'number' && scenes > 0) parts.push(`${parts.length > 0 ? ',' : ''} ${scenes} scenes`);
    const topic = str(page.metadata['topic']) ?? str(page.caption);
    if (topic) parts.push(`${parts.length > 0 ? ',' : ''} topic: "${topic}"`);
    return `[VIDEO:${parts.join('')}]`;
  }

  private structuredBody(page: MemoryPage, maxTokens: number | undefined): string {
    const c = page.content;
    const text = c === null ? '{}' : contentText(c);
    if (maxTokens === undefined) return text;
    const maxChars = maxTokens * CHARS_PER_TOKEN;
    return codePointLength(text) > maxChars ? `${codePointSlice(text, maxChars)}...` : text;
  }
}

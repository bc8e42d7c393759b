import { z } from 'zod';
import { InvalidInput } from '@chuk/models';
import { CompressionLevel, Modality, PageType, PageTypeSchema } from './enums.js';
import { derivePage, type MemoryPage } from './models/page.js';
import { charRatioEstimator, pageTokens, type TokenEstimator } from './tokens.js';
import { AudioCompressor, StructuredCompressor, VideoCompressor } from './media-compressors.js';
import { codePointLength, codePointSlice } from './util/text.js';
import { assertLevel, resultWithContent, SyncCompressor, unchangedResult, type CompressionResult, type Compressor, type SummarizeFn } from './compressor.js';

export { assertLevel, SyncCompressor, type CompressionResult, type Compressor, type SummarizeFn } from './compressor.js';

/** `originalTokens − compressedTokens` (may be 0 or negative). */
export function tokensSaved(r: CompressionResult): number {
  return r.originalTokens - r.compressedTokens;
}

function relabel(page: MemoryPage, target: CompressionLevel, estimator: TokenEstimator): CompressionResult {
  const t = pageTokens(page, estimator);
  const out = derivePage(page);
  out.compressionLevel = target;
  return {
    page: out,
    originalTokens: t,
    compressedTokens: t,
    levelBefore: page.compressionLevel,
    levelAfter: target,
  };
}

const CHARS_PER_TOKEN = 4;
const ELLIPSIS = '...';

export const TextCompressorConfigSchema = z
  .object({
    reducedRatio: z.number().gt(0).max(1).default(0.5).describe('REDUCED keeps this share of the characters'),
    abstractMaxTokens: z.number().int().positive().default(200).describe('Token cap of ABSTRACT'),
    referenceMaxTokens: z.number().int().positive().default(50).describe('Token cap of REFERENCE'),
    headTailPageTypes: z
      .array(PageTypeSchema)
      .default([PageType.Artifact])
      .describe('Page types whose REDUCED / ABSTRACT keep the head and the tail of the text (tool results end with the answer)'),
  })
  .strict();
export type TextCompressorConfig = z.output<typeof TextCompressorConfigSchema>;
export type TextCompressorConfigInput = z.input<typeof TextCompressorConfigSchema>;

function textOf(page: MemoryPage): string {
  if (page.content === null || page.content === undefined || page.content === '') return '';
  return typeof page.content === 'string' ? page.content : JSON.stringify(page.content);
}

/** First `maxChars` code points plus an ellipsis; `chars` (the text's code-point length) skips a rescan when it has no surrogates. */
function cut(text: string, maxChars: number, chars = -1): string {
  const head = chars === text.length ? text.slice(0, maxChars) : codePointSlice(text, maxChars);
  return `${head.trimEnd()}${ELLIPSIS}`;
}

/** Share of the kept characters a head-and-tail excerpt gives to the tail. */
const TAIL_SHARE = 0.5;

/** The first and the last code points of `text`, `maxChars` in all, joined by an ellipsis (text of `chars` code points). */
function headAndTail(text: string, maxChars: number, chars: number): string {
  const tailChars = Math.floor(maxChars * TAIL_SHARE);
  const head = cut(text, maxChars - tailChars, chars);
  if (tailChars === 0) return head;
  const tail = chars === text.length ? text.slice(text.length - tailChars) : Array.from(text).slice(-tailChars).join('');
  return `${head}${tail.trimStart()}`;
}

/** Whole sentences up to `maxChars`; falls back to a hard cut when the first sentence is too long. */
function sentencePack(text: string, maxChars: number): string {
  // A string has at most as many code points as UTF-16 units, so a short one needs no scan.
  if (text !== '' && (text.length <= maxChars || codePointLength(text) <= maxChars)) return text;
  const sentences = text.split(/(?<=[.!?])\s+/);
  let acc = '';
  for (const s of sentences) {
    const next = acc === '' ? s : `${acc} ${s}`;
    if (codePointLength(next) > maxChars) break;
    acc = next;
  }
  return acc === '' ? cut(text, maxChars) : acc;
}

/** Text: excerpt (REDUCED), key sentences or summary (ABSTRACT), topic tag (REFERENCE). */
export class TextCompressor extends SyncCompressor {
  readonly supportedModality: Modality = Modality.Text;
  readonly config: TextCompressorConfig;

  constructor(
    opts: { config?: TextCompressorConfigInput; summarizeFn?: SummarizeFn; estimator?: TokenEstimator } = {},
  ) {
    super();
    const parsed = TextCompressorConfigSchema.safeParse(opts.config ?? {});
    if (!parsed.success) throw new InvalidInput({ field: 'text', reason: parsed.error.message, issues: parsed.error.issues });
    this.config = parsed.data;
    this.summarizeFn = opts.summarizeFn;
    this.estimator = opts.estimator ?? charRatioEstimator;
  }
  private readonly summarizeFn: SummarizeFn | undefined;
  private readonly estimator: TokenEstimator;

  /** REDUCED / ABSTRACT of this page keep head and tail (`headTailPageTypes`). */
  private headTail(page: MemoryPage): boolean {
    return this.config.headTailPageTypes.includes(page.pageType);
  }

  /** REDUCED / ABSTRACT through the injected summariser (`compressSync` answers everything else). */
  protected override async compressAsync(page: MemoryPage, target: CompressionLevel): Promise<CompressionResult> {
    const text = textOf(page);
    const summary = this.summarized(text, target);
    return resultWithContent(page, summary === undefined ? this.render(page, text, target) : await summary, target, this.estimator);
  }

  /** Without a summariser every level is computed in place; with one, REDUCED and ABSTRACT need `compress`. */
  compressSync(page: MemoryPage, target: CompressionLevel): CompressionResult | undefined {
    assertLevel(target);
    if (target <= page.compressionLevel) return unchangedResult(page, this.estimator);
    if (this.summarizeFn && target !== CompressionLevel.Reference) return undefined;
    const text = textOf(page);
    return resultWithContent(page, this.render(page, text, target), target, this.estimator);
  }

  /** Known without rendering only for ABSTRACT of a text that already fits it (the content stays as it is). */
  savedTokensSync(page: MemoryPage, target: CompressionLevel): number | undefined {
    assertLevel(target);
    if (target !== CompressionLevel.Abstract || target <= page.compressionLevel || this.summarizeFn) return undefined;
    const text = textOf(page);
    // `sentencePack` returns such a text unchanged.
    if (text === '' || text.length > this.config.abstractMaxTokens * CHARS_PER_TOKEN) return undefined;
    return pageTokens(page, this.estimator) - Math.max(1, this.estimator.estimateText(text));
  }

  /** The summariser's text for REDUCED / ABSTRACT, when one is injected. */
  private summarized(text: string, target: CompressionLevel): Promise<string> | undefined {
    if (!this.summarizeFn) return undefined;
    if (target === CompressionLevel.Reduced) {
      const maxChars = Math.floor(codePointLength(text) * this.config.reducedRatio);
      return this.summarizeFn(text, Math.max(1, Math.floor(maxChars / CHARS_PER_TOKEN)));
    }
    if (target === CompressionLevel.Abstract) return this.summarizeFn(text, this.config.abstractMaxTokens);
    return undefined;
  }

  /** The deterministic text of a level (no summariser). */
  private render(page: MemoryPage, text: string, target: CompressionLevel): string {
    switch (target) {
      case CompressionLevel.Reduced: {
        const chars = codePointLength(text);
        const maxChars = Math.floor(chars * this.config.reducedRatio);
        if (chars <= maxChars) return text;
        return this.headTail(page) ? headAndTail(text, maxChars, chars) : cut(text, maxChars, chars);
      }
      case CompressionLevel.Abstract: {
        const maxChars = this.config.abstractMaxTokens * CHARS_PER_TOKEN;
        if (!this.headTail(page) || text.length <= maxChars) return sentencePack(text, maxChars);
        const chars = codePointLength(text);
        return chars <= maxChars ? text : headAndTail(text, maxChars, chars);
      }
      default: {
        const firstLine = text.split('\n', 1)[0] ?? '';
        return `[${page.pageType}] ${codePointSlice(firstLine, this.config.referenceMaxTokens * CHARS_PER_TOKEN)}`;
      }
    }
  }
}

/** Images are stored by reference: REDUCED relabels, ABSTRACT keeps the caption, REFERENCE a tag. */
export class ImageCompressor extends SyncCompressor {
  readonly supportedModality: Modality = Modality.Image;
  constructor(private readonly estimator: TokenEstimator = charRatioEstimator) {
    super();
  }

  compressSync(page: MemoryPage, target: CompressionLevel): CompressionResult {
    assertLevel(target);
    if (target <= page.compressionLevel) return unchangedResult(page, this.estimator);
    if (target === CompressionLevel.Reduced) return relabel(page, target, this.estimator);
    const content = target === CompressionLevel.Abstract ? (page.caption ?? '[IMAGE]') : `[${page.pageType}] image:${page.pageId}`;
    return resultWithContent(page, content, target, this.estimator);
  }
}

/** Relabels the level; content and tokens unchanged. */
export class PassthroughCompressor extends SyncCompressor {
  constructor(
    readonly supportedModality: Modality = Modality.Text,
    private readonly estimator: TokenEstimator = charRatioEstimator,
  ) {
    super();
  }

  compressSync(page: MemoryPage, target: CompressionLevel): CompressionResult {
    assertLevel(target);
    if (target <= page.compressionLevel) return unchangedResult(page, this.estimator);
    return relabel(page, target, this.estimator);
  }
}

/**
 * Compress-before-evict evicts pages smaller than this many tokens instead of compressing them: one level saves at
 * most about half of such a page (under 8 tokens; "Noted." saves one or two), less than the `VM:CONTEXT` line that
 * shows it costs, and the page loses its text for it.
 */
export const DEFAULT_MIN_COMPRESS_TOKENS = 16;

export const CompressorRegistryOptionsSchema = z
  .object({
    minCompressTokens: z
      .number()
      .int()
      .nonnegative()
      .default(DEFAULT_MIN_COMPRESS_TOKENS)
      .describe('Compress-before-evict evicts pages under this many tokens instead of compressing them (0: compress every page)'),
  })
  .strict();
export type CompressorRegistryOptions = z.input<typeof CompressorRegistryOptionsSchema> & { estimator?: TokenEstimator };

export interface DefaultRegistryOptions extends CompressorRegistryOptions {
  summarizeFn?: SummarizeFn;
  text?: TextCompressorConfigInput;
}

/** One compressor per modality; unregistered modalities fall back to passthrough. */
export class CompressorRegistry {
  private readonly compressors = new Map<Modality, Compressor>();
  /** Compress-before-evict evicts pages under this many tokens instead of compressing them. */
  readonly minCompressTokens: number;
  private readonly estimator: TokenEstimator;

  constructor(compressors: Partial<Record<Modality, Compressor>> = {}, opts: CompressorRegistryOptions = {}) {
    for (const [m, c] of Object.entries(compressors)) this.compressors.set(m as Modality, c);
    const { estimator, ...config } = opts;
    const parsed = CompressorRegistryOptionsSchema.safeParse(config);
    if (!parsed.success) throw new InvalidInput({ field: 'minCompressTokens', reason: parsed.error.message, issues: parsed.error.issues });
    this.minCompressTokens = parsed.data.minCompressTokens;
    this.estimator = estimator ?? charRatioEstimator;
  }

  register(modality: Modality, compressor: Compressor): void {
    this.compressors.set(modality, compressor);
  }

  get(modality: Modality): Compressor {
    return this.compressors.get(modality) ?? new PassthroughCompressor(modality);
  }

  async compressPage(page: MemoryPage, target: CompressionLevel): Promise<CompressionResult> {
    assertLevel(target);
    return this.get(page.modality).compress(page, target);
  }

  /** `compressPage` done synchronously when the page's compressor can (`compressSync`); else `undefined`. */
  compressPageSync(page: MemoryPage, target: CompressionLevel): CompressionResult | undefined {
    assertLevel(target);
    return this.get(page.modality).compressSync?.(page, target);
  }

  /**
   * What compress-before-evict may count as saved by compressing `page` to `target` (the manager asks before it
   * compresses on the eviction path, and evicts the page when this is 0 or less): 0 for a page under
   * `minCompressTokens`, else the page compressor's `savedTokensSync` (what `compressPageSync` would save) when it
   * can tell, else `undefined`.
   */
  savedTokensSync(page: MemoryPage, target: CompressionLevel): number | undefined {
    assertLevel(target);
    if (this.minCompressTokens > 0 && pageTokens(page, this.estimator) < this.minCompressTokens) return 0;
    return this.get(page.modality).savedTokensSync?.(page, target);
  }

  /**
   * Text, image and the §9.6 media compressors (audio, video, structured); `summarizeFn` serves text and audio
   * ABSTRACT (audio falls back to the transcript's leading sentences without one).
   */
  static default(opts: DefaultRegistryOptions = {}): CompressorRegistry {
    const estimator = opts.estimator ?? charRatioEstimator;
    const text = new TextCompressor({
      ...(opts.text ? { config: opts.text } : {}),
      ...(opts.summarizeFn ? { summarizeFn: opts.summarizeFn } : {}),
      estimator,
    });
    return new CompressorRegistry(
      {
        text,
        image: new ImageCompressor(estimator),
        audio: new AudioCompressor({ estimator, ...(opts.summarizeFn ? { summarizeFn: opts.summarizeFn } : {}) }),
        video: new VideoCompressor({ estimator }),
        structured: new StructuredCompressor({ estimator }),
      },
      { estimator, ...(opts.minCompressTokens === undefined ? {} : { minCompressTokens: opts.minCompressTokens }) },
    );
  }
}

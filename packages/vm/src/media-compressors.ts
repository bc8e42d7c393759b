/**
 * Compressors for audio, video and structured pages (spec/vm.md §9.6), deterministic unless a summariser is
 * injected for audio ABSTRACT. Register them with `CompressorRegistry.register(modality, compressor)`.
 */
import { z } from 'zod';
import { InvalidInput } from '@chuk/models';
import { CompressionLevel, Modality } from './enums.js';
import { assertLevel, resultWithContent, SyncCompressor, unchangedResult, type CompressionResult, type SummarizeFn } from './compressor.js';
import type { MemoryPage } from './models/page.js';
import { charRatioEstimator, type TokenEstimator } from './tokens.js';
import { codePointLength, codePointSlice, isPlainObject, truncateWithEllipsis } from './util/text.js';

const CHARS_PER_TOKEN = 4;
const SECONDS_PER_MINUTE = 60;
/** Metadata keys of a video page: the scene list (strings or `{ description, at? }`) and its count. */
export const VIDEO_SCENES_KEY = 'scenes';
export const VIDEO_SCENE_COUNT_KEY = 'scene_count';

export const MediaCompressorConfigSchema = z
  .object({
    abstractMaxTokens: z.number().int().positive().default(200).describe('Token cap of ABSTRACT text'),
    maxStringChars: z.number().int().positive().default(80).describe('Structured REDUCED: strings longer than this are cut'),
    maxArrayItems: z.number().int().positive().default(3).describe('Structured REDUCED: arrays keep this many items'),
    outlineDepth: z.number().int().positive().default(2).describe('Structured ABSTRACT: nesting depth of the key outline'),
  })
  .strict();
export type MediaCompressorConfig = z.output<typeof MediaCompressorConfigSchema>;
export type MediaCompressorConfigInput = z.input<typeof MediaCompressorConfigSchema>;

function parseConfig(raw: MediaCompressorConfigInput | undefined, field: string): MediaCompressorConfig {
  const parsed = MediaCompressorConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new InvalidInput({ field, reason: parsed.error.message, issues: parsed.error.issues });
  return parsed.data;
}

/** `m:ss` of a duration in seconds. */
export function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / SECONDS_PER_MINUTE);
  const s = Math.floor(seconds % SECONDS_PER_MINUTE);
  return `${m}:${String(s).padStart(2, '0')}`;
}

/** Whole sentences up to `maxChars` (a hard cut with `...` when the first sentence is longer). */
function sentences(text: string, maxChars: number): string {
  if (codePointLength(text) <= maxChars) return text;
  let acc = '';
  for (const s of text.split(/(?<=[.!?])\s+/)) {
    const next = acc === '' ? s : `${acc} ${s}`;
    if (codePointLength(next) > maxChars) break;
    acc = next;
  }
  return acc === '' ? `${codePointSlice(text, maxChars).trimEnd()}...` : acc;
}

function textOf(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Audio: REDUCED = the transcript, ABSTRACT = its key sentences (or the summariser), REFERENCE = `[type] audio:id (m:ss)`. */
export class AudioCompressor extends SyncCompressor {
  readonly supportedModality: Modality = Modality.Audio;
  readonly config: MediaCompressorConfig;
  private readonly estimator: TokenEstimator;
  private readonly summarizeFn: SummarizeFn | undefined;

  constructor(opts: { config?: MediaCompressorConfigInput; summarizeFn?: SummarizeFn; estimator?: TokenEstimator } = {}) {
    super();
    this.config = parseConfig(opts.config, 'audio');
    this.estimator = opts.estimator ?? charRatioEstimator;
    this.summarizeFn = opts.summarizeFn;
  }

  /** ABSTRACT through the injected summariser (`compressSync` answers everything else). */
  protected override async compressAsync(page: MemoryPage, target: CompressionLevel): Promise<CompressionResult> {
    const transcript = this.transcriptOf(page) ?? '';
    return resultWithContent(page, await (this.summarizeFn as SummarizeFn)(transcript, this.config.abstractMaxTokens), target, this.estimator);
  }

  /** `undefined` only for ABSTRACT with a summariser (the async path). */
  compressSync(page: MemoryPage, target: CompressionLevel): CompressionResult | undefined {
    assertLevel(target);
    if (target <= page.compressionLevel) return unchangedResult(page, this.estimator);
    const transcript = this.transcriptOf(page);
    if (target === CompressionLevel.Reference || transcript === null) return resultWithContent(page, audioReference(page), CompressionLevel.Reference, this.estimator);
    if (target === CompressionLevel.Reduced) return resultWithContent(page, transcript, target, this.estimator);
    if (this.summarizeFn) return undefined;
    return resultWithContent(page, sentences(transcript, this.config.abstractMaxTokens * CHARS_PER_TOKEN), target, this.estimator);
  }

  private transcriptOf(page: MemoryPage): string | null {
    return textOf(page.transcript) ?? textOf(page.content);
  }
}

function audioReference(page: MemoryPage): string {
  const d = page.durationSeconds === null ? '' : ` (${formatDuration(page.durationSeconds)})`;
  return `[${page.pageType}] audio:${page.pageId}${d}`;
}

interface Scene { description: string; at: number | null }

function scenesOf(page: MemoryPage): Scene[] {
  const raw = page.metadata[VIDEO_SCENES_KEY];
  if (!Array.isArray(raw)) return [];
  const out: Scene[] = [];
  for (const s of raw as unknown[]) {
    if (typeof s === 'string') out.push({ description: s, at: null });
    else if (isPlainObject(s) && typeof s['description'] === 'string') out.push({ description: s['description'], at: typeof s['at'] === 'number' ? s['at'] : null });
  }
  return out;
}

/** Video: REDUCED = transcript + scene list, ABSTRACT = the scene descriptions, REFERENCE = `[type] video:id (m:ss, N scenes)`. */
export class VideoCompressor extends SyncCompressor {
  readonly supportedModality: Modality = Modality.Video;
  readonly config: MediaCompressorConfig;
  private readonly estimator: TokenEstimator;

  constructor(opts: { config?: MediaCompressorConfigInput; estimator?: TokenEstimator } = {}) {
    super();
    this.config = parseConfig(opts.config, 'video');
    this.estimator = opts.estimator ?? charRatioEstimator;
  }

  compressSync(page: MemoryPage, target: CompressionLevel): CompressionResult {
    assertLevel(target);
    if (target <= page.compressionLevel) return unchangedResult(page, this.estimator);
    const scenes = scenesOf(page);
    const transcript = textOf(page.transcript);
    if (target === CompressionLevel.Reduced && (transcript !== null || scenes.length > 0)) {
      const list = scenes.map((s, i) => `${i + 1}. ${s.at === null ? '' : `[${formatDuration(s.at)}] `}${s.description}`);
      return resultWithContent(page, [...(transcript === null ? [] : [`transcript: ${transcript}`]), ...(list.length > 0 ? ['scenes:', ...list] : [])].join('\n'), target, this.estimator);
    }
    if (target === CompressionLevel.Abstract && scenes.length > 0) {
      return resultWithContent(page, sentences(scenes.map((s) => s.description).join(' '), this.config.abstractMaxTokens * CHARS_PER_TOKEN), target, this.estimator);
    }
    return resultWithContent(page, videoReference(page, scenes.length), CompressionLevel.Reference, this.estimator);
  }
}

function videoReference(page: MemoryPage, listed: number): string {
  const counted = page.metadata[VIDEO_SCENE_COUNT_KEY];
  const count = typeof counted === 'number' ? counted : listed;
  const parts = [...(page.durationSeconds === null ? [] : [formatDuration(page.durationSeconds)]), ...(count > 0 ? [`${count} scenes`] : [])];
  return `[${page.pageType}] video:${page.pageId}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/** Structured (JSON): REDUCED = long strings and arrays elided, ABSTRACT = outline of the keys, REFERENCE = `[type] json:id`. */
export class StructuredCompressor extends SyncCompressor {
  readonly supportedModality: Modality = Modality.Structured;
  readonly config: MediaCompressorConfig;
  private readonly estimator: TokenEstimator;

  constructor(opts: { config?: MediaCompressorConfigInput; estimator?: TokenEstimator } = {}) {
    super();
    this.config = parseConfig(opts.config, 'structured');
    this.estimator = opts.estimator ?? charRatioEstimator;
  }

  compressSync(page: MemoryPage, target: CompressionLevel): CompressionResult {
    assertLevel(target);
    if (target <= page.compressionLevel) return unchangedResult(page, this.estimator);
    const value = jsonValue(page.content);
    if (target === CompressionLevel.Reduced && value !== undefined) return resultWithContent(page, JSON.stringify(this.elide(value)), target, this.estimator);
    if (target === CompressionLevel.Abstract && value !== undefined) return resultWithContent(page, outline(value, this.config.outlineDepth), target, this.estimator);
    return resultWithContent(page, `[${page.pageType}] json:${page.pageId}`, CompressionLevel.Reference, this.estimator);
  }

  private elide(value: unknown): unknown {
    if (typeof value === 'string') return truncateWithEllipsis(value, this.config.maxStringChars);
    if (Array.isArray(value)) {
      const kept = value.slice(0, this.config.maxArrayItems).map((v: unknown) => this.elide(v));
      return value.length > kept.length ? [...kept, `... (${value.length - kept.length} more)`] : kept;
    }
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.elide(v)]));
    return value;
  }
}

/** The page content as JSON data: an object or array, or a string that parses to one; otherwise `undefined`. */
function jsonValue(content: unknown): unknown {
  if (isPlainObject(content) || Array.isArray(content)) return content;
  if (typeof content !== 'string') return undefined;
  try {
    const parsed = JSON.parse(content) as unknown;
    return isPlainObject(parsed) || Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `keys: a, b{c, d}, e[3]`: the keys to `depth` levels, arrays with their length. */
export function outline(value: unknown, depth: number): string {
  const shape = (v: unknown, d: number): string => {
    if (Array.isArray(v)) return `[${v.length}]`;
    if (!isPlainObject(v) || d >= depth) return '';
    return `{${Object.entries(v).map(([k, x]) => `${k}${shape(x, d + 1)}`).join(', ')}}`;
  };
  if (Array.isArray(value)) return `array[${value.length}]${value.length > 0 ? ` of ${shape(value[0], 1) || typeof value[0]}` : ''}`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `keys: ${entries.map(([k, x]) => `${k}${shape(x, 1)}`).join(', ')}`;
}

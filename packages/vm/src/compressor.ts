/** The compressor contract (spec/vm.md §9.1) and the result helpers every built-in compressor shares. */
import { InvalidInput } from '@chuk/models';
import { isCompressionLevel, type CompressionLevel, type Modality } from './enums.js';
import { derivePage, type MemoryPage } from './models/page.js';
import { pageTokens, type TokenEstimator } from './tokens.js';

export interface CompressionResult {
  /** A new page object, or the input itself on a no-op. The input is never mutated. */
  page: MemoryPage;
  originalTokens: number;
  compressedTokens: number;
  levelBefore: CompressionLevel;
  levelAfter: CompressionLevel;
}

/** Async LLM summariser, injected by the caller. */
export type SummarizeFn = (text: string, maxTokens: number) => Promise<string>;

export interface Compressor {
  readonly supportedModality: Modality;
  canCompress(current: CompressionLevel, target: CompressionLevel): boolean;
  compress(page: MemoryPage, target: CompressionLevel): Promise<CompressionResult>;
  /**
   * Optional synchronous form (the built-in compressors have it): the same result as `compress`, or
   * `undefined` when this call needs the async path (e.g. an injected summariser). Used on the in-memory hot path.
   */
  compressSync?(page: MemoryPage, target: CompressionLevel): CompressionResult | undefined;
  /**
   * Optional: `tokensSaved` of the result `compressSync(page, target)` would return, when the compressor can tell
   * without building the compressed page (e.g. a text that already fits the level); `undefined` otherwise.
   * Lets eviction skip building a compressed copy that saves nothing.
   */
  savedTokensSync?(page: MemoryPage, target: CompressionLevel): number | undefined;
}

/**
 * Base of the built-in compressors: a compressor may only raise a page's level, and `compress` is `compressSync`
 * unless that returns `undefined` (work that needs the async path, e.g. an injected summariser): then `compressAsync`.
 */
export abstract class SyncCompressor implements Compressor {
  abstract readonly supportedModality: Modality;

  canCompress(current: CompressionLevel, target: CompressionLevel): boolean {
    return target > current;
  }

  async compress(page: MemoryPage, target: CompressionLevel): Promise<CompressionResult> {
    return this.compressSync(page, target) ?? this.compressAsync(page, target);
  }

  abstract compressSync(page: MemoryPage, target: CompressionLevel): CompressionResult | undefined;

  /** The async path; only reached by subclasses whose `compressSync` can return `undefined`. */
  protected compressAsync(page: MemoryPage, target: CompressionLevel): Promise<CompressionResult> {
    return Promise.reject(new InvalidInput({ field: 'target', reason: `${this.constructor.name} has no async path for level ${String(target)} of ${page.pageId}` }));
  }
}

export function assertLevel(level: unknown): asserts level is CompressionLevel {
  if (!isCompressionLevel(level)) throw new InvalidInput({ field: 'level', reason: `must be 0..3, got ${String(level)}` });
}

/** The page itself, as a no-op result. */
export function unchangedResult(page: MemoryPage, estimator: TokenEstimator): CompressionResult {
  const t = pageTokens(page, estimator);
  return { page, originalTokens: t, compressedTokens: t, levelBefore: page.compressionLevel, levelAfter: page.compressionLevel };
}

/** A derived page at `target` holding `content`, its size estimated. */
export function resultWithContent(page: MemoryPage, content: string, target: CompressionLevel, estimator: TokenEstimator): CompressionResult {
  const sizeTokens = Math.max(1, estimator.estimateText(content));
  const out = derivePage(page);
  out.content = content;
  out.compressionLevel = target;
  out.sizeTokens = sizeTokens;
  out.version = page.version + 1;
  return {
    page: out,
    originalTokens: pageTokens(page, estimator),
    compressedTokens: sizeTokens,
    levelBefore: page.compressionLevel,
    levelAfter: target,
  };
}


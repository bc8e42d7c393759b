import { Modality } from './enums.js';
import type { MemoryPage } from './models/page.js';
import { codePointLength, isPlainObject, pythonJson } from './util/text.js';

/** One consistent token estimate for budgeting, packing and reporting. */
export interface TokenEstimator {
  estimateText(text: string): number;
  estimatePage(page: MemoryPage): number;
}

const CHARS_PER_TOKEN = 4;
/** Cost of content whose size cannot be derived (reference rule 5). */
export const UNKNOWN_CONTENT_TOKENS = 100;

function contentTokens(page: MemoryPage, estimateText: (text: string) => number): number {
  const content = page.content;
  if (content === null || content === undefined) return 0;
  if (typeof content === 'string') return estimateText(content);
  if (isPlainObject(content)) return estimateText(pythonJson(content));
  if (page.sizeBytes > 0) return Math.floor(page.sizeBytes / CHARS_PER_TOKEN);
  return UNKNOWN_CONTENT_TOKENS;
}

function charRatioText(text: string): number {
  return Math.floor(codePointLength(text) / CHARS_PER_TOKEN);
}

/** The reference's estimate: explicit size, else floor(code points / 4) of the content. */
export const charRatioEstimator: TokenEstimator = {
  estimateText: charRatioText,
  estimatePage(page) {
    return page.sizeTokens ?? contentTokens(page, charRatioText);
  },
};

/** Wrap a synchronous exact counter (e.g. `loadSyncTokenCounter()` of `@chuk/models`). */
export function createTiktokenEstimator(countTokens: (s: string) => number): TokenEstimator {
  return {
    estimateText: countTokens,
    estimatePage(page) {
      return page.sizeTokens ?? contentTokens(page, countTokens);
    },
  };
}

export interface ModalityAwareEstimatorOptions {
  /** Tokens of an image page (default: the base estimate of its caption/content). */
  imageTokens?: (page: MemoryPage) => number;
  /** Applied to audio/video pages with a duration and no loaded content or transcript. */
  audioTokensPerSecond?: number;
  videoTokensPerScene?: number;
}

/** Costs media by what it is rather than by the length of its content string. */
export function createModalityAwareEstimator(base: TokenEstimator, opts: ModalityAwareEstimatorOptions = {}): TokenEstimator {
  return {
    estimateText: (t) => base.estimateText(t),
    estimatePage(page) {
      if (page.sizeTokens !== null) return page.sizeTokens;
      switch (page.modality) {
        case Modality.Image:
          if (opts.imageTokens) return opts.imageTokens(page);
          return page.caption !== null && page.content === null ? base.estimateText(page.caption) : base.estimatePage(page);
        case Modality.Audio:
          if (page.content === null && page.transcript !== null) return base.estimateText(page.transcript);
          if (page.content === null && opts.audioTokensPerSecond !== undefined && page.durationSeconds !== null) {
            return Math.ceil(page.durationSeconds * opts.audioTokensPerSecond);
          }
          return base.estimatePage(page);
        case Modality.Video: {
          const scenes = page.metadata['scene_count'];
          if (page.content === null && opts.videoTokensPerScene !== undefined && typeof scenes === 'number') {
            return scenes * opts.videoTokensPerScene;
          }
          return base.estimatePage(page);
        }
        default:
          return base.estimatePage(page);
      }
    },
  };
}

/** Reference `estimate_tokens()`: rules 1–5 of spec §4.1 (or the given estimator). */
export function estimatePageTokens(page: MemoryPage, estimator: TokenEstimator = charRatioEstimator): number {
  return estimator.estimatePage(page);
}

/** "The tokens of a page" used everywhere: `sizeTokens ?? estimate`. */
export function pageTokens(page: MemoryPage, estimator: TokenEstimator = charRatioEstimator): number {
  return page.sizeTokens ?? estimator.estimatePage(page);
}

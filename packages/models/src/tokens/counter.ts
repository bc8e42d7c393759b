import type * as Lite from 'js-tiktoken/lite';
import { MissingDependency } from '../errors/errors.js';
import type { Logger } from '../util/logger.js';
import { noopLogger } from '../util/logger.js';
import { DEFAULT_TOKEN_MODEL } from './pricing.js';
import { estimateTokens, toCountableText } from './text.js';

/** Counts tokens (README D5). Implementations: js-tiktoken, gpt-tokenizer, the chars/4 estimate, third parties. */
export interface TokenCounter {
  /** Count tokens of `text` for `model`. Never throws for ordinary text. */
  count(text: string, model: string): Promise<number>;
  /** `"js-tiktoken" | "gpt-tokenizer" | "estimate"` or a third-party name; a fallback reports what it used. */
  readonly name: string;
  /** True when counts come from the chars/4 estimate. */
  readonly approximate: boolean;
}

/** A BPE encoding shipped by js-tiktoken / gpt-tokenizer. */
export const TiktokenEncoding = {
  O200kBase: 'o200k_base',
  Cl100kBase: 'cl100k_base',
  P50kBase: 'p50k_base',
  P50kEdit: 'p50k_edit',
  R50kBase: 'r50k_base',
  Gpt2: 'gpt2',
} as const;
export type TiktokenEncodingName = (typeof TiktokenEncoding)[keyof typeof TiktokenEncoding];

/** Synchronous counting function of one loaded encoding. */
export type SyncTokenCount = (text: string) => number;
/** Loads the counting function of one encoding (dynamic import of the package's own files, never a fetch). */
export type EncoderLoader = (encoding: TiktokenEncodingName) => Promise<SyncTokenCount>;

export const TokenCounterName = {
  JsTiktoken: 'js-tiktoken',
  GptTokenizer: 'gpt-tokenizer',
  Estimate: 'estimate',
} as const;
export type TokenCounterName = (typeof TokenCounterName)[keyof typeof TokenCounterName];

const O200K_MODEL_RE = /^(?:gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o1|o3|o4)/;

/**
 * Encoding of `model` by prefix rules: the gpt-4o / 4.1 / 5 / o-series families → `o200k_base`,
 * everything else (gpt-4, gpt-3.5, Claude, unknown) → `cl100k_base`.
 */
export function encodingForModel(model: string): TiktokenEncodingName {
  return O200K_MODEL_RE.test(model.toLowerCase()) ? TiktokenEncoding.O200kBase : TiktokenEncoding.Cl100kBase;
}

/** The chars/4 estimate: `ceil(codePoints / 4)`, reported as approximate. */
export class HeuristicTokenCounter implements TokenCounter {
  readonly name: string = TokenCounterName.Estimate;
  readonly approximate = true;

  count(text: string, _model?: string): Promise<number> {
    return Promise.resolve(estimateTokens(text));
  }

  /** Synchronous form. */
  countSync(text: string): number {
    return estimateTokens(text);
  }
}

export interface BpeCounterOptions {
  /** Used when the backend cannot be loaded (default: the estimate). */
  fallback?: TokenCounter;
  /** Encoding per model (default: js-tiktoken's model map when available, then `encodingForModel`). */
  encodingFor?: (model: string) => TiktokenEncodingName;
  /** Injectable loader (tests); default: dynamic import of the package's own files (never a fetch). */
  loader?: EncoderLoader;
  logger?: Logger;
  /** Throw `MissingDependency` instead of falling back when the package is absent (an explicit request). */
  required?: boolean;
}

/** Encoders loaded by the default loaders, shared by every counter of the process (one per encoding). */
const sharedEncoders = new Map<string, Promise<SyncTokenCount>>();

/** Texts remembered per encoder by `memoCount` (cleared when full: a short memory of recent counts, not a corpus cache). */
const MEMO_ENTRIES = 256;
/** Longer texts are counted every time (bounds the memory the memo holds). */
const MEMO_MAX_CHARS = 8192;
const memos = new WeakMap<SyncTokenCount, Map<string, number>>();

/**
 * `fn(text)`, remembered for recently counted texts of one encoder: the same text is often counted again
 * (a segment summary recounts the messages its events counted), and a BPE count is a pure function of the text.
 */
function memoCount(fn: SyncTokenCount, text: string): number {
  if (text.length > MEMO_MAX_CHARS) return fn(text);
  let memo = memos.get(fn);
  if (memo === undefined) {
    memo = new Map();
    memos.set(fn, memo);
  }
  let n = memo.get(text);
  if (n === undefined) {
    n = fn(text);
    if (memo.size >= MEMO_ENTRIES) memo.clear();
    memo.set(text, n);
  }
  return n;
}

/** Lazily loaded BPE backend: one encoder per encoding, cached; counting is sync once loaded. */
class BpeBackend {
  readonly #backend: TokenCounterName;
  readonly #packageName: string;
  readonly #fallback: TokenCounter;
  readonly #encodingFor: (model: string) => Promise<TiktokenEncodingName>;
  readonly #loader: EncoderLoader;
  readonly #cache: Map<string, Promise<SyncTokenCount>>;
  readonly #logger: Logger;
  readonly #required: boolean;
  readonly #byModel = new Map<string, SyncTokenCount>();
  #failed = false;

  constructor(
    backend: TokenCounterName,
    packageName: string,
    defaults: { loader: EncoderLoader; encodingFor: (model: string) => Promise<TiktokenEncodingName> },
    options: BpeCounterOptions,
  ) {
    this.#backend = backend;
    this.#packageName = packageName;
    this.#fallback = options.fallback ?? new HeuristicTokenCounter();
    const custom = options.encodingFor;
    this.#encodingFor =
      custom !== undefined
        ? (model) => Promise.resolve(custom(model))
        : options.loader === undefined
          ? defaults.encodingFor
          : (model) => Promise.resolve(encodingForModel(model));
    this.#loader = options.loader ?? defaults.loader;
    this.#cache = options.loader === undefined ? sharedEncoders : new Map<string, Promise<SyncTokenCount>>();
    this.#logger = options.logger ?? noopLogger;
    this.#required = options.required ?? false;
  }

  get name(): string {
    return this.#failed ? this.#fallback.name : this.#backend;
  }

  get approximate(): boolean {
    return this.#failed ? this.#fallback.approximate : false;
  }

  async count(text: string, model: string): Promise<number> {
    if (text.length === 0) return 0;
    const ready = this.#byModel.get(model);
    if (ready !== undefined) return memoCount(ready, text);
    if (this.#failed) return this.#fallback.count(text, model);
    const fn = await this.forModel(model);
    return fn === null ? this.#fallback.count(text, model) : memoCount(fn, text);
  }

  /** The sync counting function for `model`, or null when the backend is absent. */
  async forModel(model: string): Promise<SyncTokenCount | null> {
    const ready = this.#byModel.get(model);
    if (ready !== undefined) return ready;
    const fn = await this.load(await this.#encodingFor(model));
    if (fn !== null) this.#byModel.set(model, fn);
    return fn;
  }

  /** Loads (once) the counting function of `encoding`; null when the backend is absent. */
  async load(encoding: TiktokenEncodingName): Promise<SyncTokenCount | null> {
    const key = `${this.#backend}:${encoding}`;
    let pending = this.#cache.get(key);
    if (pending === undefined) {
      pending = this.#loader(encoding);
      this.#cache.set(key, pending);
    }
    try {
      return await pending;
    } catch (cause) {
      this.#cache.delete(key);
      if (this.#required) {
        throw new MissingDependency({ packageName: this.#packageName, feature: `${this.#backend} token counting`, cause });
      }
      if (!this.#failed) this.#logger.debug({ backend: this.#backend, cause }, 'token counter unavailable, using fallback');
      this.#failed = true;
      return null;
    }
  }
}

type LiteModule = typeof Lite;
let liteModule: Promise<LiteModule | null> | undefined;

function importLite(): Promise<LiteModule | null> {
  liteModule ??= import('js-tiktoken/lite').catch(() => null);
  return liteModule;
}

/** js-tiktoken's model → encoding map, then the prefix rules of `encodingForModel`. */
async function tiktokenEncodingFor(model: string): Promise<TiktokenEncodingName> {
  const lite = await importLite();
  if (lite !== null) {
    try {
      return lite.getEncodingNameForModel(model as Parameters<LiteModule['getEncodingNameForModel']>[0]);
    } catch {
      // not in js-tiktoken's map: the prefix rules decide
      return encodingForModel(model);
    }
  }
  return encodingForModel(model);
}

const importTiktoken: EncoderLoader = async (encoding) => {
  const [lite, ranks] = await Promise.all([import('js-tiktoken/lite'), importTiktokenRanks(encoding)]);
  const encoder = new lite.Tiktoken(ranks);
  return (text: string) => encoder.encode(text, [], []).length;
};

async function importTiktokenRanks(encoding: TiktokenEncodingName) {
  switch (encoding) {
    case TiktokenEncoding.O200kBase:
      return (await import('js-tiktoken/ranks/o200k_base')).default;
    case TiktokenEncoding.Cl100kBase:
      return (await import('js-tiktoken/ranks/cl100k_base')).default;
    case TiktokenEncoding.P50kBase:
      return (await import('js-tiktoken/ranks/p50k_base')).default;
    case TiktokenEncoding.P50kEdit:
      return (await import('js-tiktoken/ranks/p50k_edit')).default;
    case TiktokenEncoding.R50kBase:
      return (await import('js-tiktoken/ranks/r50k_base')).default;
    case TiktokenEncoding.Gpt2:
      return (await import('js-tiktoken/ranks/gpt2')).default;
  }
}

const NO_SPECIAL = { disallowedSpecial: new Set<string>() };

const importGptTokenizer: EncoderLoader = async (encoding) => {
  const mod = await importGptTokenizerEncoding(encoding);
  return (text: string) => mod.countTokens(text, NO_SPECIAL);
};

async function importGptTokenizerEncoding(encoding: TiktokenEncodingName) {
  switch (encoding) {
    case TiktokenEncoding.O200kBase:
      return import('gpt-tokenizer/encoding/o200k_base');
    case TiktokenEncoding.Cl100kBase:
      return import('gpt-tokenizer/encoding/cl100k_base');
    case TiktokenEncoding.P50kBase:
      return import('gpt-tokenizer/encoding/p50k_base');
    case TiktokenEncoding.P50kEdit:
      return import('gpt-tokenizer/encoding/p50k_edit');
    case TiktokenEncoding.R50kBase:
    case TiktokenEncoding.Gpt2:
      return import('gpt-tokenizer/encoding/r50k_base');
  }
}

const KNOWN_ENCODINGS: ReadonlySet<string> = new Set(Object.values(TiktokenEncoding));
let gptMapping: Promise<Readonly<Record<string, string>> | null> | undefined;

/** gpt-tokenizer's model → encoding map, then the prefix rules of `encodingForModel`. */
async function gptTokenizerEncodingFor(model: string): Promise<TiktokenEncodingName> {
  gptMapping ??= import('gpt-tokenizer/mapping').then(
    (m) => m.modelToEncodingMap as Readonly<Record<string, string>>,
    () => null,
  );
  const mapped = (await gptMapping)?.[model];
  return mapped !== undefined && KNOWN_ENCODINGS.has(mapped) ? (mapped as TiktokenEncodingName) : encodingForModel(model);
}

/** js-tiktoken (optional peer): exact counts; encoder loaded lazily, once per encoding. */
export class TiktokenCounter implements TokenCounter {
  readonly #bpe: BpeBackend;

  constructor(options: BpeCounterOptions = {}) {
    this.#bpe = new BpeBackend(
      TokenCounterName.JsTiktoken,
      'js-tiktoken',
      { loader: importTiktoken, encodingFor: tiktokenEncodingFor },
      options,
    );
  }

  get name(): string {
    return this.#bpe.name;
  }

  get approximate(): boolean {
    return this.#bpe.approximate;
  }

  count(text: string, model: string = DEFAULT_TOKEN_MODEL): Promise<number> {
    return this.#bpe.count(text, model);
  }

  /** The sync counting function for `model` once loaded; null when js-tiktoken is absent. */
  loadSync(model: string = DEFAULT_TOKEN_MODEL): Promise<SyncTokenCount | null> {
    return this.#bpe.forModel(model);
  }
}

/** gpt-tokenizer (optional peer): the same encodings and counts as js-tiktoken, faster. */
export class GptTokenizerCounter implements TokenCounter {
  readonly #bpe: BpeBackend;

  constructor(options: BpeCounterOptions = {}) {
    this.#bpe = new BpeBackend(
      TokenCounterName.GptTokenizer,
      'gpt-tokenizer',
      { loader: importGptTokenizer, encodingFor: gptTokenizerEncodingFor },
      options,
    );
  }

  get name(): string {
    return this.#bpe.name;
  }

  get approximate(): boolean {
    return this.#bpe.approximate;
  }

  count(text: string, model: string = DEFAULT_TOKEN_MODEL): Promise<number> {
    return this.#bpe.count(text, model);
  }

  /** The sync counting function for `model` once loaded; null when gpt-tokenizer is absent. */
  loadSync(model: string = DEFAULT_TOKEN_MODEL): Promise<SyncTokenCount | null> {
    return this.#bpe.forModel(model);
  }
}

/** Which counter `createTokenCounter` builds; `auto` = js-tiktoken, else gpt-tokenizer, else the estimate. */
export const TokenCounterChoice = { Auto: 'auto', ...TokenCounterName } as const;
export type TokenCounterChoice = (typeof TokenCounterChoice)[keyof typeof TokenCounterChoice];

/**
 * Builds a counter by name. An explicitly named backend (`js-tiktoken`, `gpt-tokenizer`) that is not installed
 * makes `count` throw `MissingDependency`; `auto` falls back quietly (js-tiktoken → gpt-tokenizer → estimate).
 */
export function createTokenCounter(choice: TokenCounterChoice = TokenCounterChoice.Auto, options: { logger?: Logger } = {}): TokenCounter {
  switch (choice) {
    case TokenCounterChoice.JsTiktoken:
      return new TiktokenCounter({ ...options, required: true });
    case TokenCounterChoice.GptTokenizer:
      return new GptTokenizerCounter({ ...options, required: true });
    case TokenCounterChoice.Estimate:
      return new HeuristicTokenCounter();
    case TokenCounterChoice.Auto:
      return new TiktokenCounter({ ...options, fallback: new GptTokenizerCounter(options) });
  }
}

let defaultCounter: TokenCounter | undefined;

/** js-tiktoken if installed, else gpt-tokenizer, else the estimate (one shared instance). */
export function getDefaultTokenCounter(): TokenCounter {
  defaultCounter ??= createTokenCounter(TokenCounterChoice.Auto);
  return defaultCounter;
}

/** Counts the tokens of any value (see `toCountableText`) with `counter` (default: `getDefaultTokenCounter()`). */
export async function countTokens(
  value: unknown,
  model: string = DEFAULT_TOKEN_MODEL,
  counter: TokenCounter = getDefaultTokenCounter(),
): Promise<number> {
  const text = toCountableText(value);
  return text.length === 0 ? 0 : counter.count(text, model);
}

/**
 * Synchronous counting for hot paths that cannot await (the VM's `TokenEstimator`): loads the model's encoder
 * once, then returns a pure sync function (js-tiktoken, else gpt-tokenizer, else the estimate).
 */
export async function loadSyncTokenCounter(
  model: string = DEFAULT_TOKEN_MODEL,
  options: { tiktoken?: BpeCounterOptions; gptTokenizer?: BpeCounterOptions } = {},
): Promise<SyncTokenCount> {
  const fn =
    (await new TiktokenCounter(options.tiktoken).loadSync(model)) ??
    (await new GptTokenizerCounter(options.gptTokenizer).loadSync(model));
  return fn ?? estimateTokens;
}

import { z } from 'zod';
import type { ChatMessage, LlmCallback, Logger, TokenCounter } from '@chuk/models';
import { DEFAULT_TOKEN_MODEL, InvalidInput, MessageRole, getDefaultTokenCounter, noopLogger } from '@chuk/models';
import { parseOptions } from '../common/options.js';
import { countMessage, counting, packMessages, requestTokens, MESSAGE_OVERHEAD_TOKENS, REQUEST_OVERHEAD_TOKENS } from './chunking.js';
import type { CountFn, CountedMessage, Counting, StoredTokenCount } from './chunking.js';
import { normalizeFacts, renderPinnedSection, withPinnedFacts } from './pinned.js';
import { getSummarizationPrompt, SummarizationStrategy } from './strategy.js';

/** Default token budget of one summariser request (system prompt + messages). */
export const DEFAULT_SUMMARY_INPUT_BUDGET = 8000;
/** Smallest accepted budget: room for the prompt and a useful amount of conversation. */
export const MIN_SUMMARY_INPUT_BUDGET = 256;
/** Default attempts per summariser request (1 call + 2 retries). */
export const DEFAULT_SUMMARY_ATTEMPTS = 3;
/** Upper bound of `maxAttempts`. */
export const MAX_SUMMARY_ATTEMPTS = 10;
/** Default number of last turns kept by the deterministic fallback. */
export const DEFAULT_FALLBACK_TURNS = 4;
/** The fallback cuts each kept turn to this many characters. */
export const FALLBACK_TURN_MAX_CHARS = 500;
/** Rounds of "summarise the part summaries" before giving up as over budget. */
export const MAX_REDUCE_ROUNDS = 6;
/** Tokens kept free in a part request for the "part i of n" note. */
const PART_NOTE_RESERVE_TOKENS = 32;
/** Pinned facts are listed to the summariser only while they take at most this share of the budget. */
const PINNED_NOTE_BUDGET_SHARE = 0.25;

/** How a summary came about. */
export const SummaryOutcome = {
  /** the summariser answered */
  Ok: 'ok',
  /** every attempt of a request rejected */
  CallbackFailed: 'callback_failed',
  /** every attempt of a request answered with empty text (or not a string) */
  EmptySummary: 'empty_summary',
  /** part summaries did not shrink enough to be combined within the budget */
  OverBudget: 'over_budget',
} as const;
export type SummaryOutcome = (typeof SummaryOutcome)[keyof typeof SummaryOutcome];
export const SummaryOutcomeSchema = z.enum(SummaryOutcome);

export const SummarizeConfigSchema = z.object({
  strategy: z
    .string()
    .default(SummarizationStrategy.Basic)
    .describe('SummarizationStrategy value; an unknown value asks for a generic summary'),
  inputBudgetTokens: z
    .number()
    .int()
    .min(MIN_SUMMARY_INPUT_BUDGET)
    .default(DEFAULT_SUMMARY_INPUT_BUDGET)
    .describe("the summariser's own input budget: no request it receives is larger (system prompt included)"),
  maxAttempts: z
    .number()
    .int()
    .min(1)
    .max(MAX_SUMMARY_ATTEMPTS)
    .default(DEFAULT_SUMMARY_ATTEMPTS)
    .describe('attempts per request when the summariser rejects or answers with empty text'),
  fallbackTurns: z
    .number()
    .int()
    .min(0)
    .default(DEFAULT_FALLBACK_TURNS)
    .describe('last turns kept verbatim (cut) by the deterministic fallback summary'),
  model: z.string().default(DEFAULT_TOKEN_MODEL).describe('model whose tokenizer measures the budget'),
});
export type SummarizeConfig = z.output<typeof SummarizeConfigSchema>;

export interface SummarizeOptions extends z.input<typeof SummarizeConfigSchema> {
  /** the summariser (an LLM call) */
  callback: LlmCallback;
  /** facts the summary must keep verbatim, whatever the summariser writes */
  pinnedFacts?: readonly string[];
  counter?: TokenCounter;
  logger?: Logger;
  /** replaces the last-turns fallback text (e.g. `createExtractiveSummary`); its failure falls back to the default */
  fallback?: (messages: readonly ChatMessage[]) => string;
  /**
   * Token counts already made for the messages' texts (e.g. an event's stored `tokenUsage`), by index, with the
   * model and counter each was made with. A count is used when it was made for `model` with the same counter
   * (`counter`, or the default counter when none is given); any other message is counted. Same length as
   * the messages.
   */
  storedCounts?: readonly (StoredTokenCount | undefined)[];
}

/** Result of `summarizeMessages`; `text` is what gets stored. */
export interface SummaryResult {
  /** the stored summary: `summary` plus the pinned-facts section */
  text: string;
  /** the summariser's text, or the fallback text */
  summary: string;
  pinnedFacts: string[];
  /** true when `summary` is the deterministic fallback */
  fallback: boolean;
  outcome: SummaryOutcome;
  /** summariser calls made */
  attempts: number;
  /** parts the messages were split into (1 when they fitted one request) */
  parts: number;
  /** message of the last summariser error, when there was one */
  error?: string;
}

class SummaryFailure extends Error {
  constructor(
    readonly outcome: SummaryOutcome,
    readonly lastError: unknown,
  ) {
    super(outcome);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const system = (content: string): ChatMessage => ({ role: MessageRole.System, content });

class Summarizer {
  attempts = 0;
  parts = 1;
  lastError: unknown = undefined;

  constructor(
    private readonly config: SummarizeConfig,
    private readonly callback: LlmCallback,
    private readonly by: Counting,
    private readonly logger: Logger,
  ) {}

  /** The result of this summary: `summary` (the summariser's or the fallback text) and how it came about. */
  result(summary: string, outcome: SummaryOutcome, pinnedFacts: string[]): SummaryResult {
    const result: SummaryResult = {
      text: withPinnedFacts(summary, pinnedFacts),
      summary,
      pinnedFacts,
      fallback: outcome !== SummaryOutcome.Ok,
      outcome,
      attempts: this.attempts,
      parts: this.parts,
    };
    if (this.lastError !== undefined) result.error = errorText(this.lastError);
    return result;
  }

  /** One request, retried on rejection or empty text. */
  async request(messages: ChatMessage[]): Promise<string> {
    let outcome: SummaryOutcome = SummaryOutcome.EmptySummary;
    for (let attempt = 1; attempt <= this.config.maxAttempts; attempt++) {
      this.attempts++;
      try {
        const answer: unknown = await this.callback(messages.map((m) => ({ ...m })));
        if (typeof answer === 'string' && answer.trim() !== '') return answer.trim();
        outcome = SummaryOutcome.EmptySummary;
        this.logger.warn({ attempt }, 'summariser returned an empty summary');
      } catch (error) {
        outcome = SummaryOutcome.CallbackFailed;
        this.lastError = error;
        this.logger.warn({ attempt, err: errorText(error) }, 'summariser failed');
      }
    }
    throw new SummaryFailure(outcome, this.lastError);
  }

  async run(messages: readonly ChatMessage[], prompt: string, stored: readonly (StoredTokenCount | undefined)[] | undefined): Promise<string> {
    const head = await countMessage(system(prompt), this.by);
    const items: CountedMessage[] = [];
    for (let i = 0; i < messages.length; i++) items.push(await countMessage(messages[i] as ChatMessage, this.by, stored?.[i]));
    if (head.tokens + requestTokens(items) <= this.config.inputBudgetTokens) return this.request([head.message, ...messages]);
    const limit = this.config.inputBudgetTokens - head.tokens - REQUEST_OVERHEAD_TOKENS - PART_NOTE_RESERVE_TOKENS;
    const groups = await packMessages(items, limit, this.by.count);
    this.parts = groups.length;
    const texts: string[] = [];
    for (const [i, group] of groups.entries()) {
      const note = `${prompt}\n\nThis is part ${i + 1} of ${groups.length} of a longer conversation; summarise this part only.`;
      texts.push(await this.request([system(note), ...group]));
    }
    return this.reduce(texts, prompt);
  }

  private async reduce(initial: string[], prompt: string): Promise<string> {
    const combine = `The messages below are summaries of consecutive parts of one conversation, oldest first. Combine them into one summary. ${prompt}`;
    const head = await countMessage(system(combine), this.by);
    const limit = this.config.inputBudgetTokens - head.tokens - REQUEST_OVERHEAD_TOKENS;
    let texts = initial;
    for (let round = 0; round <= MAX_REDUCE_ROUNDS; round++) {
      if (texts.length === 1) return texts[0] as string;
      const items: CountedMessage[] = [];
      for (const [i, t] of texts.entries()) items.push(await countMessage({ role: MessageRole.User, content: `Part ${i + 1}: ${t}` }, this.by));
      if (head.tokens + requestTokens(items) <= this.config.inputBudgetTokens) {
        return this.request([head.message, ...items.map((item) => item.message)]);
      }
      if (round === MAX_REDUCE_ROUNDS) break;
      const groups = await packMessages(items, limit, this.by.count);
      const next: string[] = [];
      for (const group of groups) next.push(await this.request([head.message, ...group]));
      texts = next;
    }
    throw new SummaryFailure(SummaryOutcome.OverBudget, this.lastError);
  }
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** The default fallback: a fixed sentence naming the reason, then the last turns, each cut. */
export function lastTurnsFallback(messages: readonly ChatMessage[], outcome: SummaryOutcome, turns: number): string {
  const kept = turns === 0 ? [] : messages.slice(-turns);
  if (kept.length === 0) return `Summary unavailable (${outcome}); no turns kept.`;
  const lines = kept.map((m) => `${m.role}: ${cut(m.content, FALLBACK_TURN_MAX_CHARS)}`);
  return `Summary unavailable (${outcome}); the last ${kept.length} turns were:\n${lines.join('\n')}`;
}

async function promptWithPinned(base: string, facts: readonly string[], budget: number, count: CountFn): Promise<string> {
  if (facts.length === 0) return base;
  const withNote = `${base}\nThe facts below are pinned: they will be kept verbatim next to your summary, so keep the summary consistent with them.\n${renderPinnedSection(facts)}`;
  return (await count(withNote)) + MESSAGE_OVERHEAD_TOKENS <= budget * PINNED_NOTE_BUDGET_SHARE ? withNote : base;
}

/**
 * Summarises messages so the result can be trusted:
 * - no request sent to `callback` exceeds `inputBudgetTokens` (long input is summarised in parts, then the
 *   part summaries are combined, again in parts if needed);
 * - a rejection or an empty answer is retried (`maxAttempts` per request); when a request still fails, the
 *   result is a deterministic fallback (`fallback: true`, `outcome` says why) that keeps the last turns;
 * - `pinnedFacts` are always in `text`, verbatim, whatever the summariser wrote.
 * Errors other than the summariser's (the token counter) propagate.
 */
export async function summarizeMessages(messages: readonly ChatMessage[], options: SummarizeOptions): Promise<SummaryResult> {
  if (typeof options.callback !== 'function') {
    throw new InvalidInput({ field: 'callback', reason: 'a summariser callback is required' });
  }
  const config = summarizeConfig(options);
  const stored = options.storedCounts;
  if (stored !== undefined && stored.length !== messages.length) {
    throw new InvalidInput({ field: 'storedCounts', reason: `must have one entry per message (${messages.length}), has ${stored.length}` });
  }
  const logger = options.logger ?? noopLogger;
  const by = counting(config.model, options.counter ?? getDefaultTokenCounter());
  const pinnedFacts = normalizeFacts(options.pinnedFacts ?? []);
  const prompt = await promptWithPinned(getSummarizationPrompt(config.strategy), pinnedFacts, config.inputBudgetTokens, by.count);
  const summarizer = new Summarizer(config, options.callback, by, logger);
  try {
    return summarizer.result(await summarizer.run(messages, prompt, stored), SummaryOutcome.Ok, pinnedFacts);
  } catch (error) {
    if (!(error instanceof SummaryFailure)) throw error;
    logger.warn({ outcome: error.outcome, attempts: summarizer.attempts }, 'summary failed; using the deterministic fallback');
    const fallback = fallbackText(messages, error.outcome, config.fallbackTurns, options.fallback, logger);
    return summarizer.result(fallback, error.outcome, pinnedFacts);
  }
}

/** The last parsed configuration and the option values it came from (a rollover repeats the same options). */
let lastConfig: { input: readonly unknown[]; config: SummarizeConfig } | undefined;

/** `SummarizeConfigSchema` of the options; the previous result when the same values are given again. */
function summarizeConfig(options: SummarizeOptions): SummarizeConfig {
  const input = [options.strategy, options.inputBudgetTokens, options.maxAttempts, options.fallbackTurns, options.model];
  const last = lastConfig;
  if (last !== undefined && input.every((value, i) => Object.is(value, last.input[i]))) return last.config;
  const config = Object.freeze(parseOptions(SummarizeConfigSchema, options));
  lastConfig = { input, config };
  return config;
}

function fallbackText(
  messages: readonly ChatMessage[],
  outcome: SummaryOutcome,
  turns: number,
  custom: ((messages: readonly ChatMessage[]) => string) | undefined,
  logger: Logger,
): string {
  if (custom !== undefined) {
    try {
      const text: unknown = custom(messages);
      if (typeof text === 'string' && text.trim() !== '') return text.trim();
      logger.warn({}, 'fallback summariser returned empty text');
    } catch (error) {
      logger.warn({ err: errorText(error) }, 'fallback summariser failed');
    }
  }
  return lastTurnsFallback(messages, outcome, turns);
}

/**
 * Summarisers injected into the library under test. The default is deterministic: it keeps the
 * sentences of a segment that carry a digit, a path or a capitalised name (not the sentence's first
 * word), newest first within the token budget, and emits them in conversation order. The W2 filler
 * has none of these, so what a summary keeps is exactly the planted facts that fit.
 * With OPENAI_API_KEY (and optionally OPENAI_BASE_URL, OPENAI_MODEL) a real model can summarise instead.
 */
import { countTokens } from './tokens.js';

/** One chat message as a summary callback receives it (structurally a `ChatMessage` of @chuk/models). */
export interface SummaryInputMessage {
  role: string;
  content: string;
}

export type SummaryCallback = (messages: SummaryInputMessage[]) => Promise<string>;
/** `(text, maxTokens) => Promise<string>`, the shape of `SummarizeFn` of @chuk/vm. */
export type SummarizeText = (text: string, maxTokens: number) => Promise<string>;

export const DEFAULT_SUMMARY_TOKENS = 100;
const SYSTEM_ROLE = 'system';
const DIGIT = /\d/;
const PATH = /[\w.@-]+\/[\w./-]+/;
const CAPITALISED_WORD = /^[A-Z][A-Za-z]/;

export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function isKeySentence(sentence: string): boolean {
  if (DIGIT.test(sentence) || PATH.test(sentence)) return true;
  return sentence.split(/\s+/).slice(1).some((word) => CAPITALISED_WORD.test(word));
}

/** The key sentences of `text`, newest kept first while they fit `maxTokens`, returned in text order. */
export function extractKeySentences(text: string, maxTokens: number): string {
  const kept: string[] = [];
  let used = 0;
  const sentences = splitSentences(text).filter(isKeySentence);
  for (let i = sentences.length - 1; i >= 0; i--) {
    const sentence = sentences[i] as string;
    const tokens = countTokens(sentence) + 1;
    if (used + tokens > maxTokens) continue;
    kept.unshift(sentence);
    used += tokens;
  }
  return kept.join(' ');
}

export function createDeterministicSummariser(maxTokens: number = DEFAULT_SUMMARY_TOKENS): SummaryCallback {
  return async (messages) => {
    const segment = messages.filter((m) => m.role !== SYSTEM_ROLE);
    const summary = extractKeySentences(segment.map((m) => m.content).join(' '), maxTokens);
    return summary.length > 0 ? summary : `${segment.length} messages without key facts.`;
  };
}

export const deterministicSummarizeText: SummarizeText = async (text, maxTokens) => {
  const summary = extractKeySentences(text, maxTokens);
  return summary.length > 0 ? summary : text.slice(0, Math.max(1, maxTokens * 4));
};

export interface ModelSummariserOptions {
  apiKey: string;
  baseUrl?: string;
  model?: string;
  maxTokens?: number;
  fetchFn?: typeof fetch;
}

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const DEFAULT_MODEL = 'gpt-4o-mini';
const SUMMARY_INSTRUCTION =
  'Summarise the conversation segment for later recall. Keep every concrete fact verbatim: numbers, ' +
  'names, dates, file paths, shell commands, decisions and constraints; when a value was corrected keep ' +
  'only the corrected value. Drop small talk. Answer with the summary only.';

interface ChatCompletionResponse {
  choices?: { message?: { content?: string | null } }[];
}

/** A summariser that calls an OpenAI-compatible `/chat/completions` endpoint. */
export function createModelSummariser(options: ModelSummariserOptions): SummaryCallback {
  const fetchFn = options.fetchFn ?? fetch;
  const url = `${(options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '')}/chat/completions`;
  return async (messages) => {
    const segment = messages.filter((m) => m.role !== SYSTEM_ROLE);
    const response = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}` },
      body: JSON.stringify({
        model: options.model ?? DEFAULT_MODEL,
        temperature: 0,
        max_tokens: options.maxTokens ?? DEFAULT_SUMMARY_TOKENS,
        messages: [{ role: SYSTEM_ROLE, content: SUMMARY_INSTRUCTION }, ...segment],
      }),
    });
    if (!response.ok) throw new Error(`summariser endpoint answered ${response.status}`);
    const body = (await response.json()) as ChatCompletionResponse;
    const content = body.choices?.[0]?.message?.content;
    if (typeof content !== 'string' || content.length === 0) throw new Error('summariser endpoint returned no content');
    return content;
  };
}

/** The model summariser when OPENAI_API_KEY is set, else null. */
export function modelSummariserFromEnv(env: NodeJS.ProcessEnv, maxTokens: number): SummaryCallback | null {
  const apiKey = env.OPENAI_API_KEY;
  if (apiKey === undefined || apiKey.length === 0) return null;
  return createModelSummariser({ apiKey, baseUrl: env.OPENAI_BASE_URL, model: env.OPENAI_MODEL, maxTokens });
}

import type { ChatMessage, TokenCounter } from '@chuk/models';
import { countTokens } from '@chuk/models';

/** Tokens one chat message costs beyond its text (role and framing), as chat APIs count it. */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** Tokens one request costs beyond its messages. */
export const REQUEST_OVERHEAD_TOKENS = 3;
/** First cut of a long text aims this far below the limit (the estimate is corrected by counting). */
const CUT_SAFETY = 0.9;
/** Each retry of a cut that was still too long shrinks it by this factor. */
const CUT_SHRINK = 0.8;
/** A cut moves back to a space when one lies in its last part (this share of the cut). */
const WORD_BOUNDARY_WINDOW = 0.2;

/** Counts the tokens of a text (bound to one model and counter). */
export type CountFn = (text: string) => Promise<number>;

/** A chat message with its counted cost (text tokens + `MESSAGE_OVERHEAD_TOKENS`). */
export interface CountedMessage {
  message: ChatMessage;
  tokens: number;
}

/** What a count was made with: the model (its tokenizer) and the counter. */
export interface TokenBasis {
  readonly model: string;
  readonly counter: TokenCounter;
}

/**
 * A message text's token count made earlier (an event's stored `tokenUsage`), with the model and counter it
 * was made with. `tokens` is the text alone, without `MESSAGE_OVERHEAD_TOKENS`.
 */
export interface StoredTokenCount extends TokenBasis {
  readonly tokens: number;
}

/** Counts texts for one model with one counter: what a summary's budgets are measured with. */
export interface Counting extends TokenBasis {
  readonly count: CountFn;
}

class BoundCounting implements Counting {
  readonly count: CountFn;

  constructor(
    readonly model: string,
    readonly counter: TokenCounter,
  ) {
    this.count = (text) => countTokens(text, model, counter);
  }
}

/** `Counting` of `model` with `counter`. */
export function counting(model: string, counter: TokenCounter): Counting {
  return new BoundCounting(model, counter);
}

/** `stored.tokens` when it was counted for the same model with the same counter as `basis`, else undefined. */
export function storedTokensFor(stored: StoredTokenCount | undefined, basis: TokenBasis): number | undefined {
  return stored !== undefined && stored.model === basis.model && stored.counter === basis.counter ? stored.tokens : undefined;
}

/**
 * The message's cost: its text's tokens + `MESSAGE_OVERHEAD_TOKENS`. A stored count made for the same
 * model with the same counter is used as it is; otherwise (none, or another model or counter) the text is
 * counted.
 */
export async function countMessage(message: ChatMessage, by: Counting, stored?: StoredTokenCount): Promise<CountedMessage> {
  const known = storedTokensFor(stored, by);
  return { message, tokens: (known ?? (await by.count(message.content))) + MESSAGE_OVERHEAD_TOKENS };
}

async function countPiece(message: ChatMessage, count: CountFn): Promise<CountedMessage> {
  return { message, tokens: (await count(message.content)) + MESSAGE_OVERHEAD_TOKENS };
}

function cutAtWord(text: string, cut: number): number {
  const space = text.lastIndexOf(' ', cut);
  return space > cut * (1 - WORD_BOUNDARY_WINDOW) ? space + 1 : cut;
}

/**
 * Splits `text` into consecutive pieces of at most `maxTokens` tokens each (by counting, so exact for the
 * counter), cutting at a space where one is near. Joined, the pieces are the original text.
 */
export async function splitText(text: string, maxTokens: number, count: CountFn): Promise<string[]> {
  const total = await count(text);
  if (total <= maxTokens) return [text];
  const charsPerToken = text.length / total;
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    let cut = Math.min(rest.length, Math.max(1, Math.floor(maxTokens * charsPerToken * CUT_SAFETY)));
    if (cut < rest.length) cut = cutAtWord(rest, cut);
    while (cut > 1 && (await count(rest.slice(0, cut))) > maxTokens) cut = Math.max(1, Math.floor(cut * CUT_SHRINK));
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  return pieces;
}

/**
 * Packs messages, in order, into groups whose cost is at most `limit` tokens each. A message that alone
 * exceeds the limit is split into pieces with the same role first.
 */
export async function packMessages(messages: readonly CountedMessage[], limit: number, count: CountFn): Promise<ChatMessage[][]> {
  const groups: ChatMessage[][] = [];
  let current: ChatMessage[] = [];
  let used = 0;
  const push = (item: CountedMessage): void => {
    if (current.length > 0 && used + item.tokens > limit) {
      groups.push(current);
      current = [];
      used = 0;
    }
    current.push(item.message);
    used += item.tokens;
  };
  for (const item of messages) {
    if (item.tokens <= limit) {
      push(item);
      continue;
    }
    const pieces = await splitText(item.message.content, limit - MESSAGE_OVERHEAD_TOKENS, count);
    for (const piece of pieces) push(await countPiece({ role: item.message.role, content: piece }, count));
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Total cost of a request made of these counted messages. */
export function requestTokens(messages: readonly CountedMessage[]): number {
  let total = REQUEST_OVERHEAD_TOKENS;
  for (const m of messages) total += m.tokens;
  return total;
}

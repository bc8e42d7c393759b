/** Token counts of the benchmark (gpt-tokenizer, o200k_base: the encoding of gpt-4o-mini), memoised per text. */
import { countTokens as countO200k } from 'gpt-tokenizer';

const MEMO_LIMIT = 50_000;
const memo = new Map<string, number>();

export function countTokens(text: string): number {
  const known = memo.get(text);
  if (known !== undefined) return known;
  const tokens = countO200k(text);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(text, tokens);
  return tokens;
}

export function countMessagesTokens(messages: readonly { content: string }[]): number {
  let total = 0;
  for (const m of messages) total += countTokens(m.content);
  return total;
}

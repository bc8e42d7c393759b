import type { PromptMessage, TokenCounter } from '@chuk/models';
import { DEFAULT_TOKEN_MODEL, InvalidInput, MessageRole, TokenLimitExceeded, countTokens } from '@chuk/models';

/** A prompt message that may carry tool-call links (`ConversationMessage` is one). */
interface LinkedMessage extends PromptMessage {
  toolCalls?: readonly { id: string }[];
  toolCallId?: string;
}

export interface TruncateOptions {
  /** throw `TokenLimitExceeded` instead of returning a prompt that is still over the limit */
  strict?: boolean;
}

const isSystem = (m: PromptMessage): boolean => m.role === MessageRole.System || m.role === MessageRole.Developer;

/** The rendering every count uses: one `<role>: <content>` line per message (`tool(<name>): …` for named tools). */
export function renderPromptForCounting(prompt: readonly PromptMessage[]): string {
  return prompt
    .map((m) => `${m.role}${m.role === MessageRole.Tool && m.name !== undefined ? `(${m.name})` : ''}: ${m.content ?? ''}`)
    .join('\n');
}

/** Drops, from a kept assistant's `toolCalls`, the calls whose result message is no longer kept. */
function relink<T extends PromptMessage>(messages: readonly T[]): T[] {
  const answered = new Set<string>();
  for (const m of messages as readonly LinkedMessage[]) if (m.toolCallId !== undefined) answered.add(m.toolCallId);
  return messages.map((m) => {
    const calls = (m as LinkedMessage).toolCalls;
    if (calls === undefined) return m;
    const kept = calls.filter((c) => answered.has(c.id));
    return kept.length === calls.length ? m : { ...m, toolCalls: kept };
  });
}

/**
 * Fits a prompt into `maxTokens` (reference `truncate_prompt_to_token_limit`, fixed):
 * 1. within the limit → the same array;
 * 2. else keep every system message (never dropped), the first user message and everything from the last
 *    assistant message to the end (original order, no duplicates);
 * 3. still over → drop the kept tool results, then put back the first of them if it fits.
 * A tool result is never kept without the assistant message that called it (it lies after that message),
 * and a kept assistant's `toolCalls` only name results that are kept. The result can still exceed the
 * limit (returned as is), unless `strict`, which throws `TokenLimitExceeded({ limit, actual })`.
 */
export async function truncatePromptToTokenLimit<T extends PromptMessage>(
  prompt: readonly T[],
  maxTokens: number,
  model: string = DEFAULT_TOKEN_MODEL,
  counter?: TokenCounter,
  options: TruncateOptions = {},
): Promise<T[]> {
  if (!Number.isInteger(maxTokens) || maxTokens < 0) {
    throw new InvalidInput({ field: 'maxTokens', reason: 'must be a non-negative integer' });
  }
  if (prompt.length === 0) return [];
  const count = (messages: readonly PromptMessage[]): Promise<number> =>
    countTokens(renderPromptForCounting(messages), model, counter);
  const total = await count(prompt);
  if (total <= maxTokens) return prompt as T[];

  const firstUser = prompt.findIndex((m) => m.role === MessageRole.User);
  const lastAssistant = prompt.findLastIndex((m) => m.role === MessageRole.Assistant);
  const tailStart = lastAssistant >= 0 ? lastAssistant : prompt.length - 1;
  let kept = relink(prompt.filter((m, i) => isSystem(m) || i === firstUser || i >= tailStart));
  let actual = await count(kept);

  if (actual > maxTokens && kept.some((m) => m.role === MessageRole.Tool)) {
    const firstTool = kept.find((m) => m.role === MessageRole.Tool);
    const withoutTools = relink(kept.filter((m) => m.role !== MessageRole.Tool));
    const withFirst = relink(kept.filter((m) => m.role !== MessageRole.Tool || m === firstTool));
    const withFirstCount = await count(withFirst);
    if (withFirstCount <= maxTokens) {
      kept = withFirst;
      actual = withFirstCount;
    } else {
      kept = withoutTools;
      actual = await count(kept);
    }
  }
  if (options.strict === true && actual > maxTokens) throw new TokenLimitExceeded({ limit: maxTokens, actual });
  return kept;
}

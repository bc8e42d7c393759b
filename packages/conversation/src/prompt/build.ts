import type { Logger, PromptMessage, Session, SessionStore, TokenCounter } from '@chuk/models';
import { DEFAULT_TOKEN_MODEL, EventType, InvalidInput, MessageRole, noopLogger } from '@chuk/models';
import { summaryTextOf } from '../common/text.js';
import { buildConversationPrompt, buildMinimalPrompt, buildTaskPrompt, buildToolPrompt } from './strategies.js';
import { PromptStrategy, PromptStrategySchema } from './strategy.js';
import { truncatePromptToTokenLimit } from './truncate.js';

/** Default `maxHistory` of the conversation strategy. */
export const DEFAULT_MAX_HISTORY = 5;
/** Prefix of the parent summary the hierarchical strategy puts first. */
export const PARENT_CONTEXT_PREFIX = 'Context from previous conversation: ';

export interface BuildPromptOptions {
  /** default `minimal`; an unknown string logs a warning and builds `minimal` */
  strategy?: PromptStrategy | (string & Record<never, never>);
  /** when set, the prompt is passed through `truncatePromptToTokenLimit` */
  maxTokens?: number;
  /** model whose tokenizer counts `maxTokens`; default `DEFAULT_TOKEN_MODEL` */
  model?: string;
  counter?: TokenCounter;
  /** only used by `hierarchical` (which is `minimal` without it) */
  includeParentContext?: boolean;
  /** reserved, accepted and ignored (as in the reference) */
  currentQuery?: string;
  /** messages kept by the `conversation` strategy; default 5; `<= 0` keeps none */
  maxHistory?: number;
  /** required for `hierarchical` with `includeParentContext` on a session that has a parent */
  store?: SessionStore;
  logger?: Logger;
}

async function buildHierarchicalPrompt(session: Session, options: BuildPromptOptions, logger: Logger): Promise<PromptMessage[]> {
  const prompt = buildMinimalPrompt(session);
  if (options.includeParentContext !== true || session.parentId === null) return prompt;
  const store = options.store;
  if (store === undefined) {
    throw new InvalidInput({ field: 'store', reason: 'the hierarchical strategy with includeParentContext needs a store' });
  }
  try {
    const parent = await store.get(session.parentId);
    const summary = parent?.events.findLast((e) => e.type === EventType.Summary);
    if (summary !== undefined) {
      prompt.unshift({ role: MessageRole.System, content: PARENT_CONTEXT_PREFIX + summaryTextOf(summary.message) });
    }
  } catch (error) {
    logger.warn(
      { sessionId: session.id, parentId: session.parentId, err: error instanceof Error ? error.message : String(error) },
      'could not load the parent session; building the prompt without its context',
    );
  }
  return prompt;
}

async function buildByStrategy(session: Session, options: BuildPromptOptions, logger: Logger): Promise<PromptMessage[]> {
  const requested = options.strategy ?? PromptStrategy.Minimal;
  const parsed = PromptStrategySchema.safeParse(requested);
  if (!parsed.success) {
    logger.warn({ sessionId: session.id, strategy: requested }, 'unknown prompt strategy; using minimal');
    return buildMinimalPrompt(session);
  }
  switch (parsed.data) {
    case PromptStrategy.Minimal:
      return buildMinimalPrompt(session);
    case PromptStrategy.TaskFocused:
      return buildTaskPrompt(session);
    case PromptStrategy.ToolFocused:
      return buildToolPrompt(session);
    case PromptStrategy.Conversation:
      return buildConversationPrompt(session, options.maxHistory ?? DEFAULT_MAX_HISTORY);
    case PromptStrategy.Hierarchical:
      return buildHierarchicalPrompt(session, options, logger);
  }
}

/**
 * Builds the prompt messages of a session with one of the strategies of `PromptStrategy` (reference
 * `build_prompt_from_session`). A session with no events gives `[]`. `hierarchical` without
 * `includeParentContext: true` is exactly `minimal` (reference trap, kept). `maxTokens` is honoured.
 */
export async function buildPromptFromSession(session: Session, options: BuildPromptOptions = {}): Promise<PromptMessage[]> {
  if (session.events.length === 0) return [];
  const logger = options.logger ?? noopLogger;
  const prompt = await buildByStrategy(session, options, logger);
  if (options.maxTokens === undefined) return prompt;
  return truncatePromptToTokenLimit(prompt, options.maxTokens, options.model ?? DEFAULT_TOKEN_MODEL, options.counter);
}

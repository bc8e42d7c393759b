/**
 * Sliding window: the last messages of the transcript that fit the budget, nothing else. Tool turns
 * are tool messages (`name(args) -> result`), as a chat API would receive them.
 */
import { TurnRole, type Turn } from '../conversation.js';
import { countTokens } from '../tokens.js';
import type { ConfigSession, ContextMessage, FidelityConfig } from './types.js';

export function lastMessagesThatFit(messages: readonly ContextMessage[], budgetTokens: number): ContextMessage[] {
  const kept: ContextMessage[] = [];
  let used = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as ContextMessage;
    const tokens = countTokens(message.content);
    if (used + tokens > budgetTokens) break;
    kept.push(message);
    used += tokens;
  }
  return kept.reverse();
}

class SlidingWindowSession implements ConfigSession {
  private readonly messages: ContextMessage[] = [];

  constructor(private readonly budgetTokens: number) {}

  async play(turn: Turn): Promise<void> {
    this.messages.push({ role: turn.role, content: turn.content });
  }

  async ask(question: string): Promise<ContextMessage[]> {
    this.messages.push({ role: TurnRole.User, content: question });
    return lastMessagesThatFit(this.messages, this.budgetTokens);
  }

  async reply(text: string): Promise<void> {
    this.messages.push({ role: TurnRole.Assistant, content: text });
  }
}

export const slidingWindow: FidelityConfig = {
  name: 'sliding window',
  open: async (env) => new SlidingWindowSession(env.budgetTokens),
};

import { z } from 'zod';

/** Prompt-building strategy (reference `PromptStrategy`). */
export const PromptStrategy = {
  Minimal: 'minimal',
  TaskFocused: 'task',
  ToolFocused: 'tool',
  Conversation: 'conversation',
  Hierarchical: 'hierarchical',
} as const;
export type PromptStrategy = (typeof PromptStrategy)[keyof typeof PromptStrategy];
export const PromptStrategySchema = z.enum(PromptStrategy);

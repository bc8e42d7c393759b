import { z } from 'zod';
import { MessageRoleSchema, ToolErrorCategorySchema, ToolOutcomeSchema } from '../enums/index.js';

/** A chat message handed to an LLM callback. */
export const ChatMessageSchema = z.object({
  role: MessageRoleSchema.describe('chat role'),
  content: z.string().describe('message text'),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** Prompt-builder output: assistant placeholders carry `content: null`, tool results carry a `name`. */
export const PromptMessageSchema = z.object({
  role: MessageRoleSchema.describe('chat role'),
  content: z.string().nullable().describe('message text, null for an assistant tool-call placeholder'),
  name: z.string().optional().describe('tool name of a tool result'),
});
export type PromptMessage = z.infer<typeof PromptMessageSchema>;

/** Injected summariser / LLM callback (PRINCIPLES §1). */
export type LlmCallback = (messages: ChatMessage[]) => Promise<string>;

/** Writer shape of a `tool_call` event payload; stored verbatim, so keys stay snake_case. */
export const ToolCallEventMessageSchema = z.object({
  tool: z.string().describe('requested tool name'),
  arguments: z.record(z.string(), z.unknown()).nullable().describe('arguments actually executed'),
  raw_arguments: z.string().nullable().optional().describe('provider argument text, when different'),
  result: z.unknown().describe('JSON-safe result value'),
  result_text: z.string().describe('what the model sees ("null" for null results)'),
  error: z.string().nullable().describe('error text of a failed call'),
  success: z.boolean().describe('whether the call succeeded'),
  cached: z.boolean().default(false).describe('served from the result cache'),
  call_id: z.string().nullable().describe('provider tool-call id'),
  outcome: ToolOutcomeSchema.describe('outcome of the execution'),
  attempts: z.number().int().default(1).describe('attempts made'),
  duration_ms: z.number().int().nullable().describe('execution time in ms'),
  error_category: ToolErrorCategorySchema.nullable().optional().describe('CTP error category'),
  truncated: z.boolean().optional().describe('result cut by the output-size guard'),
});
export type ToolCallEventMessage = z.output<typeof ToolCallEventMessageSchema>;
export type ToolCallEventMessageInput = z.input<typeof ToolCallEventMessageSchema>;

/** Permissive reader of stored tool-call payloads (reference writers, legacy `tool_name`). */
export const ToolCallMessageReadSchema = z.looseObject({
  tool: z.string().optional(),
  tool_name: z.string().optional(),
  arguments: z.unknown().optional(),
  raw_arguments: z.string().nullable().optional(),
  result: z.unknown().optional(),
  result_text: z.string().optional(),
  error: z.string().nullable().optional(),
  success: z.boolean().optional(),
  cached: z.boolean().optional(),
  call_id: z.string().nullable().optional(),
  outcome: z.string().optional(),
  attempts: z.number().optional(),
  duration_ms: z.number().nullable().optional(),
  error_category: z.string().nullable().optional(),
  truncated: z.boolean().optional(),
});
export type ToolCallMessageRead = z.output<typeof ToolCallMessageReadSchema>;

/** The tool name of a stored tool-call payload: `tool_name ?? tool ?? "unknown"` (reference precedence). */
export function toolNameOf(message: unknown): string {
  if (message === null || typeof message !== 'object') return UNKNOWN_TOOL_NAME;
  const m = message as { tool_name?: unknown; tool?: unknown };
  if (typeof m.tool_name === 'string') return m.tool_name;
  if (typeof m.tool === 'string') return m.tool;
  return UNKNOWN_TOOL_NAME;
}

/** Name `toolNameOf` returns when a payload names no tool. */
export const UNKNOWN_TOOL_NAME = 'unknown';

/** Summary payload written by retry logic (plain-string summaries are valid too). */
export const SummaryNoteSchema = z.looseObject({ note: z.string().describe('summary text') });
export type SummaryNote = z.output<typeof SummaryNoteSchema>;

/** Well-known property and metadata keys. */
export const SYSTEM_PROMPT_PROPERTY = 'system_prompt';
export const USER_ID_PROPERTY = 'user_id';
export const PARENT_EVENT_ID_METADATA = 'parent_event_id';
export const MODEL_METADATA = 'model';
export const PROVIDER_METADATA = 'provider';
export const TIMESTAMP_METADATA = 'timestamp';

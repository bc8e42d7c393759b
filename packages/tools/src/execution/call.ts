import type { ToolErrorCategory } from '@chuk/models';
import { z } from 'zod';
import { ToolCallFormatSchema } from '../formats/format.js';
import { ErrorInfoSchema, errorInfoFromString } from './errors.js';
import type { ErrorInfo } from './errors.js';

export const DEFAULT_NAMESPACE = 'default';

export const ToolCallSchema = z.object({
  id: z.string().min(1).describe('provider tool-call id (call_…, toolu_…) or a generated id'),
  tool: z.string().min(1).describe('tool name as requested (may be "namespace.name")'),
  namespace: z.string().default(DEFAULT_NAMESPACE),
  arguments: z.record(z.string(), z.unknown()).default({}),
  raw_arguments: z.string().nullable().default(null).describe('the unparsed argument text, when the format had one'),
  format: ToolCallFormatSchema.optional(),
  parse_error: z.string().nullable().default(null).describe('set when arguments could not be parsed'),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;
export type ToolCallInput = z.input<typeof ToolCallSchema>;

/** Build a call with defaults filled in. */
export const toolCall = (input: ToolCallInput): ToolCall => ToolCallSchema.parse(input);

/** Executor machines: where a result came from. */
export const ResultMachine = { Local: 'local', Cache: 'cache', Guard: 'guard', CircuitBreaker: 'circuit_breaker', Internal: 'internal' } as const;
export type ResultMachine = (typeof ResultMachine)[keyof typeof ResultMachine];

export const ToolResultSchema = z.object({
  id: z.string(),
  call_id: z.string().nullable(),
  tool: z.string().min(1),
  result: z.unknown().nullable(),
  arguments: z.record(z.string(), z.unknown()).nullable().default(null).describe('the validated arguments the tool received'),
  error: z.string().nullable(),
  error_info: ErrorInfoSchema.nullable(),
  start_time: z.string(),
  end_time: z.string(),
  duration_ms: z.number().int(),
  machine: z.string().default(ResultMachine.Local),
  cached: z.boolean().default(false),
  attempts: z.number().int().default(1),
  stream_id: z.string().nullable().default(null),
  is_partial: z.boolean().default(false),
});
export type ToolResult = z.infer<typeof ToolResultSchema>;

/** Keep `error` and `error_info` in sync (CTP `_sync_error_fields`). */
export function syncErrorFields(r: ToolResult): ToolResult {
  if (r.error !== null && r.error_info === null) return { ...r, error_info: errorInfoFromString(r.error, r.tool) };
  if (r.error_info !== null && r.error === null) return { ...r, error: r.error_info.message };
  return r;
}

export const isSuccess = (r: ToolResult): boolean => r.error === null;
export const retryable = (r: ToolResult): boolean => r.error === null || (r.error_info?.retryable ?? true);
export const retryAfterMs = (r: ToolResult): number | null => r.error_info?.retry_after_ms ?? null;
export const errorCategory = (r: ToolResult): ToolErrorCategory | null => r.error_info?.category ?? null;

export interface ResultTiming {
  id: string;
  callId: string | null;
  start: Date;
  end: Date;
  machine?: ResultMachine;
  attempts?: number;
  args?: Record<string, unknown> | null;
}

export function createSuccessResult(tool: string, value: unknown, t: ResultTiming): ToolResult {
  return {
    id: t.id,
    call_id: t.callId,
    tool,
    result: value === undefined ? null : value,
    arguments: t.args ?? null,
    error: null,
    error_info: null,
    start_time: t.start.toISOString(),
    end_time: t.end.toISOString(),
    duration_ms: Math.max(0, Math.round(t.end.getTime() - t.start.getTime())),
    machine: t.machine ?? ResultMachine.Local,
    cached: false,
    attempts: t.attempts ?? 1,
    stream_id: null,
    is_partial: false,
  };
}

export function createErrorResult(tool: string, error: string | Error | ErrorInfo, t: ResultTiming): ToolResult {
  let info: ErrorInfo;
  if (typeof error === 'string') info = errorInfoFromString(error, tool);
  else if (error instanceof Error) info = errorInfoFromString(error.message, tool);
  else info = error;
  return { ...createSuccessResult(tool, null, t), error: info.message, error_info: info };
}

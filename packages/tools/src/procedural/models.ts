import { ToolOutcome, ToolOutcomeSchema } from '@chuk/models';
import { z } from 'zod';
import { canonicalJson, isPlainObject, renderValue } from '../common/json.js';
import { fmtPercent0 } from '../common/numbers.js';

export const PROCEDURAL_MEMORY_STATE_KEY = 'procedural_memory';
export const DEFAULT_ERROR_TYPE = 'unknown';
export const MAX_COMMON_VALUES = 5;
export const MAX_ERROR_CONTEXTS = 5;
export const MAX_SUCCESS_PATTERNS = 10;
const ABBREV_LEN = 20;
const CALL_ID_PAD = 4;

export const DeltaKey = { Added: 'added', Removed: 'removed', Changed: 'changed' } as const;
export type DeltaKey = (typeof DeltaKey)[keyof typeof DeltaKey];
export const DeltaChangeKey = { From: 'from', To: 'to' } as const;
export type DeltaChangeKey = (typeof DeltaChangeKey)[keyof typeof DeltaChangeKey];

export const ResultType = { Null: 'null', Boolean: 'boolean', Number: 'number', String: 'string', List: 'list', Object: 'object', Unknown: 'unknown' } as const;
export type ResultType = (typeof ResultType)[keyof typeof ResultType];

const Ts = z.iso.datetime({ offset: true });
const Args = z.record(z.string(), z.unknown());

export const ArgDeltaSchema = z.object({
  added: Args.optional(),
  removed: z.array(z.string()).optional(),
  changed: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })).optional(),
});
export type ArgDelta = z.infer<typeof ArgDeltaSchema>;

export const ToolFixRelationSchema = z.object({
  failed_call_id: z.string(),
  success_call_id: z.string(),
  delta_args: ArgDeltaSchema.default({}),
});
export type ToolFixRelation = z.infer<typeof ToolFixRelationSchema>;

export const ToolLogEntrySchema = z.object({
  id: z.string(),
  timestamp: Ts,
  tool_name: z.string(),
  arguments: Args.default({}),
  arguments_hash: z.string().default(''),
  context_goal: z.string().nullable().default(null),
  preceding_call_id: z.string().nullable().default(null),
  outcome: ToolOutcomeSchema,
  result_summary: z.string(),
  result_type: z.string().nullable().default(null),
  execution_time_ms: z.number().int().nullable().default(null),
  error_type: z.string().nullable().default(null),
  error_message: z.string().nullable().default(null),
  fixed_by: z.string().nullable().default(null),
  fix_for: z.string().nullable().default(null),
  delta_args: ArgDeltaSchema.nullable().default(null),
});
export type ToolLogEntry = z.infer<typeof ToolLogEntrySchema>;

export const ErrorPatternSchema = z.object({
  error_type: z.string(),
  count: z.number().int().default(1),
  contexts: z.array(z.string()).default([]),
  example_args: Args.nullable().default(null),
  typical_fix: z.string().nullable().default(null),
  fix_delta: ArgDeltaSchema.nullable().default(null),
});
export type ErrorPattern = z.infer<typeof ErrorPatternSchema>;

export const SuccessPatternSchema = z.object({
  goal_match: z.string().nullable().default(null),
  arg_hints: Args.default({}),
  notes: z.string().nullable().default(null),
  example_call_id: z.string().nullable().default(null),
  delta_that_fixed: ArgDeltaSchema.nullable().default(null),
});
export type SuccessPattern = z.infer<typeof SuccessPatternSchema>;

export const ToolPatternSchema = z.object({
  tool_name: z.string(),
  total_calls: z.number().int().default(0),
  success_count: z.number().int().default(0),
  failure_count: z.number().int().default(0),
  common_args: z.record(z.string(), z.array(z.unknown())).default({}),
  success_patterns: z.array(SuccessPatternSchema).default([]),
  error_patterns: z.array(ErrorPatternSchema).default([]),
  avg_execution_ms: z.number().nullable().default(null),
  updated_at: Ts,
  timed_calls: z.number().int().default(0),
});
export type ToolPattern = z.infer<typeof ToolPatternSchema>;

export const ProceduralMemorySchema = z.object({
  schema_version: z.literal(1).default(1),
  session_id: z.string(),
  tool_log: z.array(ToolLogEntrySchema).default([]),
  next_call_id: z.number().int().default(1),
  tool_patterns: z.record(z.string(), ToolPatternSchema).default({}),
  fix_relations: z.array(ToolFixRelationSchema).default([]),
  created_at: Ts,
  updated_at: Ts,
});
export type ProceduralMemory = z.infer<typeof ProceduralMemorySchema>;

export const ToolMemoryStatsSchema = z.object({
  session_id: z.string().default(''),
  total_calls: z.number().int().default(0),
  success_count: z.number().int().default(0),
  failure_count: z.number().int().default(0),
  success_rate: z.number().default(0),
  total_fixes_detected: z.number().int().default(0),
  tools_tracked: z.number().int().default(0),
  created_at: z.string().default(''),
  updated_at: z.string().default(''),
});
export type ToolMemoryStats = z.infer<typeof ToolMemoryStatsSchema>;

/** Failure and timeout are failures; partial and cancelled are neither success nor failure. */
export const entryIsFailure = (e: Pick<ToolLogEntry, 'outcome'>): boolean => e.outcome === ToolOutcome.Failure || e.outcome === ToolOutcome.Timeout;
export const entryIsSuccess = (e: Pick<ToolLogEntry, 'outcome'>): boolean => e.outcome === ToolOutcome.Success;
export const entryWasFixed = (e: ToolLogEntry): boolean => e.fixed_by !== null;
export const entryIsFix = (e: ToolLogEntry): boolean => e.fix_for !== null;

/** Render, and keep `maxLen − 3` chars + `...` when longer. */
export function abbrev(value: unknown, maxLen = ABBREV_LEN): string {
  const s = renderValue(value);
  return s.length > maxLen ? `${s.slice(0, maxLen - 3)}...` : s;
}

/** `add k1, k2; remove k3; change k: a -> b` (or `unknown changes`). */
export function describeFix(delta: ArgDelta | null | undefined): string {
  const parts: string[] = [];
  const added = Object.keys(delta?.added ?? {});
  if (added.length > 0) parts.push(`add ${added.join(', ')}`);
  if ((delta?.removed ?? []).length > 0) parts.push(`remove ${(delta?.removed ?? []).join(', ')}`);
  const changed = Object.entries(delta?.changed ?? {});
  if (changed.length > 0) parts.push(`change ${changed.map(([k, c]) => `${k}: ${abbrev(c.from)} -> ${abbrev(c.to)}`).join('; ')}`);
  return parts.length === 0 ? 'unknown changes' : parts.join('; ');
}

/** `added` keys only in success, `removed` keys only in failed (sorted), `changed` by canonical JSON; empty → null. */
export function computeArgDelta(failed: Record<string, unknown>, success: Record<string, unknown>): ArgDelta | null {
  const delta: ArgDelta = {};
  const added = Object.fromEntries(Object.entries(success).filter(([k]) => !(k in failed)));
  const removed = Object.keys(failed).filter((k) => !(k in success)).sort();
  const changed = Object.fromEntries(
    Object.keys(success)
      .filter((k) => k in failed && canonicalJson(failed[k]) !== canonicalJson(success[k]))
      .map((k) => [k, { from: failed[k], to: success[k] }]),
  );
  if (Object.keys(added).length > 0) delta.added = added;
  if (removed.length > 0) delta.removed = removed;
  if (Object.keys(changed).length > 0) delta.changed = changed;
  return Object.keys(delta).length === 0 ? null : delta;
}

const SUMMARY_MAX = 100;

export function summarizeResult(result: unknown, maxLen = SUMMARY_MAX): string {
  if (result === null || result === undefined) return 'null';
  if (typeof result === 'string') return result.length <= maxLen ? result : `${result.slice(0, maxLen - 3)}...`;
  if (typeof result === 'boolean') return result ? 'true' : 'false';
  if (typeof result === 'number') return String(result);
  if (Array.isArray(result)) return `list[${result.length}]`;
  if (isPlainObject(result)) {
    if ('status' in result) return `status=${renderValue(result.status)}`;
    if ('error' in result) return `error: ${renderValue(result.error)}`;
    if ('result' in result) return summarizeResult(result.result, maxLen);
    return `object[${Object.keys(result).length} keys]`;
  }
  return typeof result === 'object' ? result.constructor.name : typeof result;
}

export function classifyResult(result: unknown): string {
  if (result === null || result === undefined) return ResultType.Null;
  if (typeof result === 'boolean') return ResultType.Boolean;
  if (typeof result === 'number') return ResultType.Number;
  if (typeof result === 'string') return ResultType.String;
  if (Array.isArray(result)) return ResultType.List;
  if (isPlainObject(result)) return 'status' in result ? renderValue(result.status) : ResultType.Object;
  return ResultType.Unknown;
}

export function newPattern(toolName: string, now: string): ToolPattern {
  return {
    tool_name: toolName,
    total_calls: 0,
    success_count: 0,
    failure_count: 0,
    common_args: {},
    success_patterns: [],
    error_patterns: [],
    avg_execution_ms: null,
    updated_at: now,
    timed_calls: 0,
  };
}

export function recordCallInPattern(p: ToolPattern, e: ToolLogEntry, now: string): void {
  p.total_calls++;
  if (entryIsSuccess(e)) p.success_count++;
  if (entryIsFailure(e)) p.failure_count++;
  if (e.execution_time_ms !== null) {
    p.timed_calls++;
    const avg = p.avg_execution_ms ?? 0;
    p.avg_execution_ms = avg + (e.execution_time_ms - avg) / p.timed_calls;
  }
  for (const [k, v] of Object.entries(e.arguments)) {
    const values = p.common_args[k] ?? [];
    if (!values.some((x) => canonicalJson(x) === canonicalJson(v))) values.push(v);
    p.common_args[k] = values.slice(-MAX_COMMON_VALUES);
  }
  p.updated_at = now;
}

export function addErrorPattern(p: ToolPattern, errorType: string, context?: string | null, exampleArgs?: Record<string, unknown> | null): ErrorPattern {
  const existing = p.error_patterns.find((e) => e.error_type === errorType);
  if (existing !== undefined) {
    existing.count++;
    if (context != null && !existing.contexts.includes(context)) existing.contexts = [...existing.contexts, context].slice(-MAX_ERROR_CONTEXTS);
    return existing;
  }
  const created: ErrorPattern = { error_type: errorType, count: 1, contexts: context != null ? [context] : [], example_args: exampleArgs ?? null, typical_fix: null, fix_delta: null };
  p.error_patterns.push(created);
  return created;
}

export function addSuccessPattern(p: ToolPattern, sp: Partial<SuccessPattern>): SuccessPattern {
  const created: SuccessPattern = {
    goal_match: sp.goal_match ?? null,
    arg_hints: sp.arg_hints ?? {},
    notes: sp.notes ?? null,
    example_call_id: sp.example_call_id ?? null,
    delta_that_fixed: sp.delta_that_fixed ?? null,
  };
  p.success_patterns.push(created);
  p.success_patterns = p.success_patterns.slice(-MAX_SUCCESS_PATTERNS);
  return created;
}

/** The first error pattern of that type gets the latest fix. */
export function recordFix(p: ToolPattern, errorType: string, delta: ArgDelta): void {
  const pattern = p.error_patterns.find((e) => e.error_type === errorType);
  if (pattern === undefined) return;
  pattern.fix_delta = delta;
  pattern.typical_fix = describeFix(delta);
}

export const successRate = (p: ToolPattern): number => (p.total_calls === 0 ? 0 : p.success_count / p.total_calls);

export function allocateCallId(m: ProceduralMemory): string {
  const id = `call-${String(m.next_call_id).padStart(CALL_ID_PAD, '0')}`;
  m.next_call_id++;
  return id;
}

export function formatEntryCompact(e: ToolLogEntry): string {
  return `[${entryIsSuccess(e) ? '✓' : '✗'}] ${e.tool_name}: ${e.result_summary}`;
}

export function formatEntryForContext(e: ToolLogEntry, includeArgs = false): string {
  const lines = [`[${entryIsSuccess(e) ? '✓' : '✗'}] ${e.result_summary}`];
  const args = Object.entries(e.arguments);
  if (includeArgs && args.length > 0) lines.push(`    args: ${args.map(([k, v]) => `${k}=${abbrev(v)}`).join(', ')}`);
  if (entryIsFix(e) && e.delta_args !== null) lines.push(`    (fixed prior failure by: ${describeFix(e.delta_args)})`);
  if (entryWasFixed(e)) lines.push(`    (later fixed by ${e.fixed_by ?? ''})`);
  return lines.join('\n');
}

export function formatPatternForContext(p: ToolPattern, maxErrors = 3, maxSuccesses = 3): string {
  const lines = [`Success rate: ${fmtPercent0(successRate(p))} (${p.total_calls} calls)`];
  const errors = p.error_patterns.slice(-maxErrors);
  if (errors.length > 0) {
    lines.push('Common errors:');
    for (const e of errors) lines.push(`  - ${e.error_type} (x${e.count})${e.typical_fix !== null ? ` -> ${e.typical_fix}` : ''}`);
  }
  const successes = p.success_patterns.slice(-maxSuccesses);
  if (successes.length > 0) {
    lines.push('Success hints:');
    for (const s of successes) {
      if (s.delta_that_fixed !== null) lines.push(`  - Fixed by: ${describeFix(s.delta_that_fixed)}`);
      else if (Object.keys(s.arg_hints).length > 0) lines.push(`  - Args: ${JSON.stringify(s.arg_hints)}`);
    }
  }
  return lines.join('\n');
}

/** One tool call to record in procedural memory (`ToolMemoryManager.recordCall`). */
export interface RecordCallInput {
  toolName: string;
  arguments: Record<string, unknown>;
  result: unknown;
  outcome: ToolOutcome;
  contextGoal?: string | null;
  errorType?: string | null;
  errorMessage?: string | null;
  executionTimeMs?: number | null;
  precedingCallId?: string | null;
}

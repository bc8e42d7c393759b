import { z } from 'zod';
import { canonicalJson, isPlainObject, renderValue } from '../common/json.js';
import { fmtModelNumber, isNumericString, toNumberOrNull } from '../common/numbers.js';
import {
  BudgetKindSchema,
  CacheScope,
  CacheScopeSchema,
  RepairAction,
  SoftBlockReason,
  SoftBlockReasonSchema,
  ValueType,
  ValueTypeSchema,
} from './enums.js';

const Args = z.record(z.string(), z.unknown());

/** Classify a tool output: finite numbers and numeric strings are numbers; booleans are never numbers. */
export function classifyValueType(value: unknown): ValueType {
  if (typeof value === 'number') return Number.isFinite(value) ? ValueType.Number : ValueType.Unknown;
  if (typeof value === 'string') return isNumericString(value) ? ValueType.Number : ValueType.String;
  if (Array.isArray(value)) return ValueType.List;
  if (isPlainObject(value)) return ValueType.Object;
  return ValueType.Unknown;
}

export const ValueBindingSchema = z.object({
  id: z.string().describe('binding id without the $ ("v1")'),
  tool_name: z.string().describe('producer tool (or "assistant_text")'),
  args_hash: z.string().describe('computeArgsHash of the producing arguments'),
  raw_value: z.unknown().describe('the value as produced'),
  value_type: ValueTypeSchema.describe('classifyValueType(raw_value)'),
  timestamp: z.string().describe('ISO-8601 UTC creation time'),
  aliases: z.array(z.string()).default([]).describe('alternative names ($total)'),
  used: z.boolean().default(false).describe('referenced at least once'),
  used_in: z.array(z.string()).default([]).describe('contexts that consumed it'),
});
export type ValueBinding = z.infer<typeof ValueBindingSchema>;

/** The binding's value with its real type: numeric strings become numbers, everything else unchanged. */
export function typedValue(b: ValueBinding): unknown {
  if (b.value_type === ValueType.Number) {
    const n = toNumberOrNull(b.raw_value);
    return n ?? b.raw_value;
  }
  return b.raw_value;
}

const STRING_SHOWN = 50;
const STRING_CUT = 47;
const LIST_SHOWN_ITEMS = 3;
const LIST_TEXT_MAX = 60;
const OBJECT_SHOWN_KEYS = 3;

function formatBindingValue(b: ValueBinding): string {
  const raw = b.raw_value;
  switch (b.value_type) {
    case ValueType.Number: {
      const v = typedValue(b);
      return typeof v === 'number' ? fmtModelNumber(v) : String(raw);
    }
    case ValueType.String: {
      const s = String(raw);
      return s.length < STRING_SHOWN ? `"${s}"` : `"${s.slice(0, STRING_CUT)}..."`;
    }
    case ValueType.List: {
      if (!Array.isArray(raw)) return String(raw).slice(0, STRING_SHOWN);
      if (raw.length === 0) return '[]';
      if (raw.length <= LIST_SHOWN_ITEMS) {
        return `[${raw.map((item: unknown) => (JSON.stringify(item) as string | undefined) ?? 'null').join(', ')}]`.slice(0, LIST_TEXT_MAX);
      }
      return `[${raw.length} items]`;
    }
    case ValueType.Object: {
      if (!isPlainObject(raw)) return renderValue(raw).slice(0, STRING_SHOWN);
      const keys = Object.keys(raw);
      if (keys.length === 0) return '{}';
      return keys.length <= OBJECT_SHOWN_KEYS ? `{keys: [${keys.join(', ')}]}` : `{object with ${keys.length} keys}`;
    }
    default:
      return String(raw).slice(0, STRING_SHOWN);
  }
}

/** `$v2 = 1.234560e+05 (aka total)  # from multiply` */
export function formatBindingForModel(b: ValueBinding): string {
  const aliases = b.aliases.length > 0 ? ` (aka ${b.aliases.join(', ')})` : '';
  return `$${b.id} = ${formatBindingValue(b)}${aliases}  # from ${b.tool_name}`;
}

export const ReferenceCheckResultSchema = z.object({
  valid: z.boolean(),
  missing_refs: z.array(z.string()).default([]),
  resolved_refs: z.record(z.string(), z.unknown()).default({}),
  message: z.string().default(''),
});
export type ReferenceCheckResult = z.infer<typeof ReferenceCheckResultSchema>;

export const PerToolCallStatusSchema = z.object({
  tool_name: z.string(),
  call_count: z.number().int().default(0),
  max_calls: z.number().int().default(3),
  requires_justification: z.boolean().default(false),
});
export type PerToolCallStatus = z.infer<typeof PerToolCallStatusSchema>;

export const UngroundedCallResultSchema = z.object({
  is_ungrounded: z.boolean().default(false),
  numeric_args: z.array(z.string()).default([]),
  has_bindings: z.boolean().default(false),
  message: z.string().default(''),
});
export type UngroundedCallResult = z.infer<typeof UngroundedCallResultSchema>;

export const RunawayStatusSchema = z.object({
  should_stop: z.boolean().default(false),
  reason: z.string().nullable().default(null),
  budget_exhausted: z.boolean().default(false),
  degenerate_detected: z.boolean().default(false),
  saturation_detected: z.boolean().default(false),
  repeat_detected: z.boolean().default(false),
  loop_detected: z.boolean().default(false).describe('repeated identical calls or a ping-pong between two calls'),
  budget_kind: BudgetKindSchema.nullable().default(null),
  calls_remaining: z.number().int().default(0),
});
export type RunawayStatus = z.infer<typeof RunawayStatusSchema>;

export function runawayMessage(s: RunawayStatus): string {
  if (s.budget_exhausted) {
    return `Tool call budget exhausted (${s.calls_remaining} remaining). Answer with the values already computed.`;
  }
  if (s.degenerate_detected) {
    return 'Degenerate output detected (0.0, 1.0 or repeating values): the results have saturated. Give the final answer.';
  }
  if (s.saturation_detected) {
    return 'Numeric saturation detected: further calls hit machine-precision limits. Give the final answer.';
  }
  return s.reason ?? 'Unknown stop reason';
}

export const CachedToolResultSchema = z.object({
  tool_name: z.string(),
  arguments: Args,
  result: z.unknown(),
  timestamp: z.string(),
  call_count: z.number().int().default(1),
  expires_at: z.string().nullable().default(null),
  scope: CacheScopeSchema.default(CacheScope.Turn),
});
export type CachedToolResult = z.infer<typeof CachedToolResultSchema>;

export const NamedVariableSchema = z.object({
  name: z.string(),
  value: z.number(),
  units: z.string().nullable().default(null),
  source_tool: z.string().nullable().default(null),
  source_args: Args.nullable().default(null),
});
export type NamedVariable = z.infer<typeof NamedVariableSchema>;

export const SoftBlockSchema = z.object({
  reason: SoftBlockReasonSchema,
  tool_name: z.string().default(''),
  arguments: Args.default({}),
  message: z.string().default(''),
  repair_attempts: z.number().int().default(0),
  max_repairs: z.number().int().default(3),
});
export type SoftBlock = z.infer<typeof SoftBlockSchema>;

export const softBlockCanRepair = (sb: SoftBlock): boolean => sb.repair_attempts < sb.max_repairs;

export function softBlockNextRepairAction(sb: SoftBlock): RepairAction {
  switch (sb.reason) {
    case SoftBlockReason.UngroundedArgs:
      return RepairAction.RebindFromExisting;
    case SoftBlockReason.MissingRefs:
    case SoftBlockReason.MissingDependency:
      return RepairAction.ComputeMissing;
    default:
      return RepairAction.AskUser;
  }
}

export const ToolBudgetBranchSchema = z.object({
  used: z.number().int().default(0),
  limit: z.number().int().default(0),
  remaining: z.number().int().default(0),
});
export type ToolBudgetBranch = z.infer<typeof ToolBudgetBranchSchema>;

export const BudgetStatusSchema = z.object({
  discovery: ToolBudgetBranchSchema,
  execution: ToolBudgetBranchSchema,
  total: ToolBudgetBranchSchema,
});
export type BudgetStatus = z.infer<typeof BudgetStatusSchema>;

export const CacheStatsSchema = z.object({
  total_cached: z.number().int().default(0),
  total_variables: z.number().int().default(0),
  duplicate_calls: z.number().int().default(0),
  call_order_length: z.number().int().default(0),
});
export type CacheStats = z.infer<typeof CacheStatsSchema>;

export const cachedSignature = (c: Pick<CachedToolResult, 'tool_name' | 'arguments'>): string =>
  `${c.tool_name}:${canonicalJson(c.arguments)}`;

export const cachedNumericValue = (c: CachedToolResult): number | null => toNumberOrNull(c.result);
export const cachedIsNumeric = (c: CachedToolResult): boolean => cachedNumericValue(c) !== null;

const SHORT_STRING_ARG = 20;

function formatCompactArgs(args: Record<string, unknown>): string {
  const entries = Object.entries(args);
  if (entries.length === 0) return '';
  const [first] = entries;
  if (entries.length === 1 && first !== undefined && typeof first[1] === 'number') return String(first[1]);
  return entries
    .map(([k, v]) => {
      if (typeof v === 'number') return `${k}=${v}`;
      if (typeof v === 'string' && v.length < SHORT_STRING_ARG) return `${k}="${v}"`;
      return `${k}=...`;
    })
    .join(', ');
}

/** `multiply(a=2, b=3) = 6.000000` */
export function formatCachedCompact(c: CachedToolResult): string {
  const n = cachedNumericValue(c);
  let value: string;
  if (n !== null) value = fmtModelNumber(n);
  else {
    const text = renderValue(c.result);
    value = text.length > STRING_SHOWN ? `${text.slice(0, STRING_CUT)}...` : text;
  }
  return `${c.tool_name}(${formatCompactArgs(c.arguments)}) = ${value}`;
}

export const formatVariableCompact = (v: NamedVariable): string =>
  `${v.name} = ${v.value.toFixed(6)}${v.units !== null ? ` ${v.units}` : ''}`;

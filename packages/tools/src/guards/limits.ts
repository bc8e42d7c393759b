import { InvalidInput } from '@chuk/models';
import { z } from 'zod';
import {
  CacheScope,
  CacheScopeSchema,
  EnforcementLevel,
  EnforcementLevelSchema,
  RuntimeMode,
  UnusedResultAction,
  UnusedResultActionSchema,
} from './enums.js';

/** Runaway-guard tuning (CTP defaults). */
export const RunawayConfigSchema = z
  .object({
    degenerate_values: z.array(z.number()).default([0, 1]).describe('results that count as degenerate'),
    degenerate_threshold: z.number().int().min(1).default(2).describe('consecutive degenerate results that stop'),
    repeat_threshold: z.number().int().min(2).default(3).describe('identical consecutive results that stop'),
    saturation_threshold: z.number().positive().default(1e-12).describe('|x| below this (non-zero) is saturated'),
    history_window: z.number().int().min(1).default(5).describe('numeric results remembered'),
    repeated_call_threshold: z
      .number()
      .int()
      .min(0)
      .default(3)
      .describe('identical consecutive calls (same tool and arguments) allowed before the next one is blocked; 0 = off'),
    ping_pong_length: z
      .number()
      .int()
      .min(0)
      .default(4)
      .describe('length of an A,B,A,B alternation of two calls after which the next alternating call is blocked; 0 = off'),
    call_history_window: z.number().int().min(2).default(12).describe('call signatures remembered for loop detection'),
  })
  .strict();
export type RunawayConfig = z.infer<typeof RunawayConfigSchema>;
export type RunawayConfigInput = z.input<typeof RunawayConfigSchema>;

export const RuntimeLimitsSchema = z
  .object({
    discovery_budget: z.number().int().default(5).describe('discovery calls per prompt'),
    execution_budget: z.number().int().default(12).describe('execution calls per prompt'),
    tool_budget_total: z.number().int().default(15).describe('all tool calls per prompt'),
    per_tool_cap: z.number().int().default(0).describe('calls per tool per prompt; <= 0 disables per-tool limits'),
    cache_scope: CacheScopeSchema.default(CacheScope.Turn).describe('turn: cached results cleared per prompt'),
    require_bindings: EnforcementLevelSchema.default(EnforcementLevel.Warn).describe('ungrounded-call enforcement'),
    ungrounded_grace_calls: z.number().int().default(1).describe('ungrounded calls tolerated before blocking'),
    unused_results: UnusedResultActionSchema.default(UnusedResultAction.Warn).describe('what to do about unused $vN'),
    runaway: RunawayConfigSchema.optional().describe('runaway guard tuning (CTP defaults when absent)'),
  })
  .strict();
export type RuntimeLimits = z.infer<typeof RuntimeLimitsSchema>;
export type RuntimeLimitsInput = z.input<typeof RuntimeLimitsSchema>;

/** Parse limits, throwing `InvalidInput` naming the offending field. */
export function parseRuntimeLimits(input: unknown, field = 'limits'): RuntimeLimits {
  const parsed = RuntimeLimitsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue !== undefined && issue.path.length > 0 ? `${field}.${issue.path.join('.')}` : field;
    throw new InvalidInput({ field: path, reason: issue?.message ?? 'invalid', issues: parsed.error.issues });
  }
  return parsed.data;
}

export const RuntimeLimitsPresets = {
  default: (): RuntimeLimits => RuntimeLimitsSchema.parse({}),
  smooth: (): RuntimeLimits =>
    RuntimeLimitsSchema.parse({ discovery_budget: 6, execution_budget: 15, tool_budget_total: 20, ungrounded_grace_calls: 2 }),
  strict: (): RuntimeLimits =>
    RuntimeLimitsSchema.parse({
      discovery_budget: 4,
      execution_budget: 10,
      tool_budget_total: 12,
      require_bindings: EnforcementLevel.Block,
      ungrounded_grace_calls: 0,
    }),
} as const;

export function runtimeLimitsPreset(mode: RuntimeMode): RuntimeLimits {
  return mode === RuntimeMode.Strict ? RuntimeLimitsPresets.strict() : RuntimeLimitsPresets.smooth();
}

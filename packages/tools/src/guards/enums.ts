import { z } from 'zod';

export const ValueType = {
  Number: 'number',
  String: 'string',
  Json: 'json',
  List: 'list',
  Object: 'object',
  Unknown: 'unknown',
} as const;
export type ValueType = (typeof ValueType)[keyof typeof ValueType];
export const ValueTypeSchema = z.enum(ValueType);

export const RuntimeMode = { Smooth: 'smooth', Strict: 'strict' } as const;
export type RuntimeMode = (typeof RuntimeMode)[keyof typeof RuntimeMode];
export const RuntimeModeSchema = z.enum(RuntimeMode);

export const EnforcementLevel = { Off: 'off', Warn: 'warn', Block: 'block' } as const;
export type EnforcementLevel = (typeof EnforcementLevel)[keyof typeof EnforcementLevel];
export const EnforcementLevelSchema = z.enum(EnforcementLevel);

export const CacheScope = { Turn: 'turn', Session: 'session' } as const;
export type CacheScope = (typeof CacheScope)[keyof typeof CacheScope];
export const CacheScopeSchema = z.enum(CacheScope);

export const UnusedResultAction = { Off: 'off', Warn: 'warn', BlockNextTool: 'block-next-tool' } as const;
export type UnusedResultAction = (typeof UnusedResultAction)[keyof typeof UnusedResultAction];
export const UnusedResultActionSchema = z.enum(UnusedResultAction);

export const SoftBlockReason = {
  UngroundedArgs: 'ungrounded_args',
  MissingRefs: 'missing_refs',
  BudgetExhausted: 'budget_exhausted',
  PerToolLimit: 'per_tool_limit',
  MissingDependency: 'missing_dependency',
} as const;
export type SoftBlockReason = (typeof SoftBlockReason)[keyof typeof SoftBlockReason];
export const SoftBlockReasonSchema = z.enum(SoftBlockReason);

export const RepairAction = {
  RebindFromExisting: 'rebind_from_existing',
  ComputeMissing: 'compute_missing',
  RewriteCall: 'rewrite_call',
  SymbolicFallback: 'symbolic_fallback',
  AskUser: 'ask_user',
} as const;
export type RepairAction = (typeof RepairAction)[keyof typeof RepairAction];
export const RepairActionSchema = z.enum(RepairAction);

export const GuardVerdict = { Allow: 'allow', Warn: 'warn', Block: 'block', Repair: 'repair' } as const;
export type GuardVerdict = (typeof GuardVerdict)[keyof typeof GuardVerdict];
export const GuardVerdictSchema = z.enum(GuardVerdict);

export const RunawayPattern = { Degenerate: 'degenerate', Saturation: 'saturation', Repeat: 'repeat', PingPong: 'ping_pong', RepeatedCall: 'repeated_call' } as const;
export type RunawayPattern = (typeof RunawayPattern)[keyof typeof RunawayPattern];
export const RunawayPatternSchema = z.enum(RunawayPattern);

export const BudgetKind = { Discovery: 'discovery', Execution: 'execution', Total: 'total' } as const;
export type BudgetKind = (typeof BudgetKind)[keyof typeof BudgetKind];
export const BudgetKindSchema = z.enum(BudgetKind);

export const SideEffect = { ReadOnly: 'read_only', Write: 'write', Destructive: 'destructive' } as const;
export type SideEffect = (typeof SideEffect)[keyof typeof SideEffect];
export const SideEffectSchema = z.enum(SideEffect);

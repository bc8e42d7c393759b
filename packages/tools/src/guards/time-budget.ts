import { InvalidInput } from '@chuk/models';
import { z } from 'zod';
import { defaultClock } from '../common/defaults.js';
import { EnforcementLevel, EnforcementLevelSchema } from './enums.js';
import { allowResult, blockResult, warnResult } from './guard.js';
import type { Guard, GuardResult } from './guard.js';

export const TIME_BUDGET_GUARD_NAME = 'time_budget';

/** What a caller should do once the soft budget is exceeded (CTP `DegradeAction`). */
export const DegradeAction = {
  DisableRetries: 'disable_retries',
  ReduceParallelism: 'reduce_parallelism',
  SkipOptional: 'skip_optional',
  ReduceTimeout: 'reduce_timeout',
} as const;
export type DegradeAction = (typeof DegradeAction)[keyof typeof DegradeAction];
export const DegradeActionSchema = z.enum(DegradeAction);

export const TimeBudgetStatus = { Ok: 'ok', SoftLimit: 'soft_limit', HardLimit: 'hard_limit' } as const;
export type TimeBudgetStatus = (typeof TimeBudgetStatus)[keyof typeof TimeBudgetStatus];

export const TimeBudgetConfigSchema = z
  .object({
    perTurnBudgetMs: z.number().int().positive().default(30_000).describe('wall-clock budget of one turn (one user prompt)'),
    perPlanBudgetMs: z.number().int().positive().nullable().default(null).describe('wall-clock budget of a plan started with startPlan(); null = none'),
    softBudgetRatio: z.number().gt(0).max(1).default(0.8).describe('share of a budget after which the guard warns and degrades'),
    degradeActions: z
      .array(DegradeActionSchema)
      .default([DegradeAction.DisableRetries, DegradeAction.ReduceParallelism])
      .describe('actions switched on past the soft budget'),
    mode: EnforcementLevelSchema.default(EnforcementLevel.Block).describe('past the hard budget: block, warn, or off (the guard always allows)'),
  })
  .strict();
export type TimeBudgetConfig = z.infer<typeof TimeBudgetConfigSchema>;
export type TimeBudgetConfigInput = z.input<typeof TimeBudgetConfigSchema>;

/** A snapshot of the budget (wire form in snake_case like the other guard statuses). */
export interface TimeBudgetState {
  turn_started: boolean;
  turn_elapsed_ms: number;
  plan_elapsed_ms: number | null;
  remaining_ms: number;
  executions: number;
  total_execution_ms: number;
  status: TimeBudgetStatus;
  active_degrade_actions: DegradeAction[];
}

/** Parse a time-budget configuration; `InvalidInput` names the offending field. */
export function parseTimeBudgetConfig(input: unknown, field = 'timeBudget'): TimeBudgetConfig {
  const parsed = TimeBudgetConfigSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue !== undefined && issue.path.length > 0 ? `${field}.${issue.path.join('.')}` : field;
  throw new InvalidInput({ field: path, reason: issue?.message ?? 'invalid', issues: parsed.error.issues });
}

/**
 * Per-turn wall-clock budget (CTP `TimeoutBudgetGuard`, §17.7). The turn starts with `startTurn()` (the tool state
 * manager calls it in `resetForNewPrompt`), or at the first check. Past `softBudgetRatio` of a budget the guard
 * WARNs and switches the degrade actions on; past the budget it BLOCKs (or WARNs with `mode: "warn"`).
 */
export class TimeBudgetGuard implements Guard {
  readonly name = TIME_BUDGET_GUARD_NAME;
  readonly config: TimeBudgetConfig;
  private readonly clock: () => Date;
  private turnStart: number | null = null;
  private planStart: number | null = null;
  private executions = 0;
  private totalExecutionMs = 0;
  private status: TimeBudgetStatus = TimeBudgetStatus.Ok;
  private degrade: DegradeAction[] = [];

  constructor(config: TimeBudgetConfigInput = {}, opts: { clock?: () => Date } = {}) {
    this.config = parseTimeBudgetConfig(config);
    this.clock = opts.clock ?? defaultClock;
  }

  private now(): number {
    return this.clock().getTime();
  }

  /** Start timing a new turn: elapsed time, executions and degrade actions restart. */
  startTurn(): void {
    this.turnStart = this.now();
    this.executions = 0;
    this.totalExecutionMs = 0;
    this.status = TimeBudgetStatus.Ok;
    this.degrade = [];
  }

  /** Start timing a plan (spans turns until `endPlan`). */
  startPlan(): void {
    this.planStart = this.now();
  }

  /** Stop timing the turn; returns its final state. */
  endTurn(): TimeBudgetState {
    const state = this.getState();
    this.turnStart = null;
    return state;
  }

  endPlan(): TimeBudgetState {
    const state = this.getState();
    this.planStart = null;
    return state;
  }

  /** Account one tool execution (statistics; the budget itself is wall-clock). */
  recordExecution(durationMs: number): void {
    if (!Number.isFinite(durationMs) || durationMs < 0) {
      throw new InvalidInput({ field: 'durationMs', reason: `must be a finite number >= 0, got ${durationMs}` });
    }
    this.executions++;
    this.totalExecutionMs += durationMs;
  }

  private turnElapsed(): number {
    return this.turnStart === null ? 0 : this.now() - this.turnStart;
  }

  private planElapsed(): number | null {
    return this.planStart === null ? null : this.now() - this.planStart;
  }

  /** Time left in the turn (and the plan, when one runs); the whole turn budget before the turn starts. */
  remainingMs(): number {
    const turn = this.config.perTurnBudgetMs - this.turnElapsed();
    const planElapsed = this.planElapsed();
    const plan = this.config.perPlanBudgetMs === null || planElapsed === null ? Number.POSITIVE_INFINITY : this.config.perPlanBudgetMs - planElapsed;
    return Math.max(0, Math.min(turn, plan));
  }

  getState(): TimeBudgetState {
    return {
      turn_started: this.turnStart !== null,
      turn_elapsed_ms: this.turnElapsed(),
      plan_elapsed_ms: this.planElapsed(),
      remaining_ms: this.remainingMs(),
      executions: this.executions,
      total_execution_ms: this.totalExecutionMs,
      status: this.status,
      active_degrade_actions: [...this.degrade],
    };
  }

  isDegraded(): boolean {
    return this.status === TimeBudgetStatus.SoftLimit;
  }

  shouldDisableRetries(): boolean {
    return this.degrade.includes(DegradeAction.DisableRetries);
  }

  shouldReduceParallelism(): boolean {
    return this.degrade.includes(DegradeAction.ReduceParallelism);
  }

  check(): GuardResult {
    if (this.config.mode === EnforcementLevel.Off) return allowResult(this.name);
    if (this.turnStart === null) this.startTurn();
    const { perTurnBudgetMs, perPlanBudgetMs, softBudgetRatio } = this.config;
    const turn = this.turnElapsed();
    const plan = this.planElapsed();
    if (turn >= perTurnBudgetMs) return this.hardLimit('Turn', turn, perTurnBudgetMs);
    if (perPlanBudgetMs !== null && plan !== null && plan >= perPlanBudgetMs) return this.hardLimit('Plan', plan, perPlanBudgetMs);
    const softTurn = Math.floor(perTurnBudgetMs * softBudgetRatio);
    if (turn >= softTurn) return this.softLimit('turn', turn, softTurn);
    if (perPlanBudgetMs !== null && plan !== null) {
      const softPlan = Math.floor(perPlanBudgetMs * softBudgetRatio);
      if (plan >= softPlan) return this.softLimit('plan', plan, softPlan);
    }
    return allowResult(this.name);
  }

  private hardLimit(kind: 'Turn' | 'Plan', elapsed: number, limit: number): GuardResult {
    this.status = TimeBudgetStatus.HardLimit;
    const reason = `${kind} time budget exceeded (${elapsed}ms >= ${limit}ms). No more tool calls; answer with the values already computed.`;
    const details = { elapsed_ms: elapsed, limit_ms: limit, budget: kind.toLowerCase() };
    return this.config.mode === EnforcementLevel.Warn ? warnResult(this.name, reason, details) : blockResult(this.name, reason, details);
  }

  private softLimit(kind: 'turn' | 'plan', elapsed: number, soft: number): GuardResult {
    this.status = TimeBudgetStatus.SoftLimit;
    this.degrade = [...this.config.degradeActions];
    return warnResult(this.name, `Soft ${kind} time budget exceeded (${elapsed}ms >= ${soft}ms), entering degraded mode (${this.degrade.join(', ') || 'no actions'})`, {
      elapsed_ms: elapsed,
      soft_limit_ms: soft,
      remaining_ms: this.remainingMs(),
      degrade_actions: [...this.degrade],
    });
  }

  /** Forget the turn and the plan; the next check starts a new turn. */
  reset(): void {
    this.turnStart = null;
    this.planStart = null;
    this.executions = 0;
    this.totalExecutionMs = 0;
    this.status = TimeBudgetStatus.Ok;
    this.degrade = [];
  }
}

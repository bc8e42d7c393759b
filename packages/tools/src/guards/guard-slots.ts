import type { BindingManager } from './bindings.js';
import { BudgetGuard } from './budget.js';
import type { ToolClassifier } from './classification.js';
import type { RuntimeLimits } from './limits.js';
import { PerToolGuard } from './per-tool.js';
import { PreconditionGuard } from './precondition.js';
import { RunawayGuard } from './runaway.js';
import type { TimeBudgetGuard } from './time-budget.js';
import { UngroundedGuard } from './ungrounded.js';

/** Numbers a parameterized tool may take without grounding. */
export const PRECONDITION_SAFE_VALUES: ReadonlySet<number> = new Set([0, 1]);
export const PRECONDITION_TOLERANCE = 1e-9;

/** The guards a tool state manager runs; a slot set to null switches that guard off. */
export interface GuardSlots {
  preconditionGuard: PreconditionGuard | null;
  budgetGuard: BudgetGuard | null;
  ungroundedGuard: UngroundedGuard | null;
  runawayGuard: RunawayGuard | null;
  perToolGuard: PerToolGuard | null;
  /** Optional (§17.7): none by default. */
  timeBudgetGuard: TimeBudgetGuard | null;
}

/** What the default guards read from the manager's state. */
export interface GuardSources {
  classifier: ToolClassifier;
  bindings: BindingManager;
  userLiterals: ReadonlySet<number>;
  limits: RuntimeLimits;
}

/** The default guards, wired to the bindings, the user literals and the classifier. */
export function createGuardSlots(src: GuardSources): GuardSlots {
  const c = src.classifier;
  const isExempt = (t: string): boolean => c.isDiscovery(t) || c.isIdempotent(t);
  return {
    preconditionGuard: new PreconditionGuard(
      {
        getBindingCount: () => src.bindings.size,
        getBindingValues: () => src.bindings.getNumericValues(),
        getUserLiterals: () => src.userLiterals,
      },
      { isParameterized: (t) => c.isParameterized(t), safeValues: PRECONDITION_SAFE_VALUES, floatTolerance: PRECONDITION_TOLERANCE },
    ),
    budgetGuard: new BudgetGuard({}, c),
    ungroundedGuard: new UngroundedGuard({ getUserLiterals: () => src.userLiterals, bindings: src.bindings }, { isExempt }),
    runawayGuard: new RunawayGuard(src.limits.runaway ?? {}),
    perToolGuard: new PerToolGuard({ isExempt }),
    timeBudgetGuard: null,
  };
}

/** Pushes the limits into every guard that is switched on (counters are kept). */
export function applyLimitsToGuards(g: GuardSlots, l: RuntimeLimits): void {
  if (g.budgetGuard !== null) {
    g.budgetGuard.config = { discoveryBudget: l.discovery_budget, executionBudget: l.execution_budget, totalBudget: l.tool_budget_total };
  }
  if (g.ungroundedGuard !== null) {
    g.ungroundedGuard.config = { ...g.ungroundedGuard.config, graceCalls: l.ungrounded_grace_calls, mode: l.require_bindings };
  }
  if (g.perToolGuard !== null) g.perToolGuard.config = { ...g.perToolGuard.config, defaultLimit: l.per_tool_cap };
  if (g.runawayGuard !== null && l.runaway !== undefined) g.runawayGuard.config = l.runaway;
}

/** Resets the counters of every guard that keeps one (the precondition guard has none); the time budget restarts its turn. */
export function resetGuardCounters(g: GuardSlots): void {
  g.budgetGuard?.reset();
  g.ungroundedGuard?.reset();
  g.runawayGuard?.reset();
  g.perToolGuard?.reset();
  g.timeBudgetGuard?.startTurn();
}

import type { BudgetGuard } from './budget.js';
import type { ToolClassifier } from './classification.js';
import { BudgetKind, GuardVerdict, RunawayPattern } from './enums.js';
import type { GuardResult } from './guard.js';
import type { BudgetStatus, RunawayStatus, ToolBudgetBranch } from './models.js';

const emptyBranch = (): ToolBudgetBranch => ({ used: 0, limit: 0, remaining: 0 });

const baseStatus = (): RunawayStatus => ({
  should_stop: false,
  reason: null,
  budget_exhausted: false,
  degenerate_detected: false,
  saturation_detected: false,
  repeat_detected: false,
  loop_detected: false,
  budget_kind: null,
  calls_remaining: 0,
});

/** The three budget branches; all zero when the budget guard is switched off. */
export function budgetStatusOf(guard: BudgetGuard | null): BudgetStatus {
  const s = guard?.getStatus();
  return s === undefined
    ? { discovery: emptyBranch(), execution: emptyBranch(), total: emptyBranch() }
    : { discovery: s.discovery, execution: s.execution, total: s.total };
}

/** The runaway guard's block as a stop status. */
function patternStatus(r: GuardResult): RunawayStatus {
  const pattern = r.details.pattern as RunawayPattern;
  return {
    ...baseStatus(),
    should_stop: true,
    reason: r.reason,
    saturation_detected: pattern === RunawayPattern.Saturation,
    degenerate_detected: pattern === RunawayPattern.Degenerate || pattern === RunawayPattern.Repeat,
    repeat_detected: pattern === RunawayPattern.Repeat,
    loop_detected: pattern === RunawayPattern.RepeatedCall || pattern === RunawayPattern.PingPong,
  };
}

export interface StopStatusInput {
  /** The runaway guard's verdict (undefined when that guard is off). */
  runaway: GuardResult | undefined;
  /** The budget guard (null when off). */
  budgetGuard: BudgetGuard | null;
  classifier: ToolClassifier;
  tool: string | undefined;
}

/** Should tool use stop? A runaway block first, then the tool's own budget branch, then the total. */
export function stopStatus({ runaway, budgetGuard, classifier, tool }: StopStatusInput): RunawayStatus {
  if (runaway !== undefined && runaway.verdict === GuardVerdict.Block) return patternStatus(runaway);
  if (budgetGuard === null) return baseStatus();
  const { discovery, execution, total } = budgetStatusOf(budgetGuard);
  const exhausted = (reason: string, kind: BudgetKind): RunawayStatus => ({
    ...baseStatus(),
    should_stop: true,
    reason,
    budget_exhausted: true,
    budget_kind: kind,
  });
  if (tool !== undefined) {
    if (classifier.isDiscovery(tool)) {
      if (discovery.used >= discovery.limit) return exhausted('Discovery budget exhausted', BudgetKind.Discovery);
    } else if (execution.used >= execution.limit) {
      return exhausted('Execution budget exhausted', BudgetKind.Execution);
    }
  }
  if (discovery.used + execution.used >= total.limit) return exhausted('Total tool budget exhausted', BudgetKind.Total);
  return { ...baseStatus(), calls_remaining: total.limit - total.used };
}

import { InvalidInput } from '@chuk/models';
import type { GuardSlots } from './guard-slots.js';
import { ToolStateSnapshotSchema } from './snapshot.js';
import type { ToolStateSnapshot } from './snapshot.js';

/** The snapshot fields that hold guard counters. */
export type GuardCounterSnapshot = Pick<ToolStateSnapshot, 'budget' | 'per_tool_counts' | 'ungrounded_count' | 'runaway'>;

/** Validates a `ToolStateManager.toJSON()` snapshot; throws `InvalidInput` on field `snapshot`. */
export function parseToolStateSnapshot(data: unknown): ToolStateSnapshot {
  const parsed = ToolStateSnapshotSchema.safeParse(data);
  if (!parsed.success) throw new InvalidInput({ field: 'snapshot', reason: parsed.error.message, issues: parsed.error.issues });
  return parsed.data;
}

export function snapshotGuardCounters(g: GuardSlots): GuardCounterSnapshot {
  return {
    budget: g.budgetGuard?.toJSON() ?? null,
    per_tool_counts: g.perToolGuard?.toJSON() ?? {},
    ungrounded_count: g.ungroundedGuard?.count ?? 0,
    runaway: g.runawayGuard?.toJSON() ?? null,
  };
}

export function restoreGuardCounters(g: GuardSlots, s: GuardCounterSnapshot): void {
  if (s.budget !== null) g.budgetGuard?.restore(s.budget);
  g.perToolGuard?.restore(s.per_tool_counts);
  if (g.ungroundedGuard !== null) g.ungroundedGuard.count = s.ungrounded_count;
  if (s.runaway !== null) g.runawayGuard?.restore(s.runaway);
}

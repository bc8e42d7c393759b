import { z } from 'zod';
import { canonicalJson } from '../common/json.js';
import { entryIsFailure, entryIsSuccess, MAX_SUCCESS_PATTERNS } from './models.js';
import type { SuccessPattern, ToolLogEntry, ToolPattern } from './models.js';

/** `notes` of the success pattern the memory maintains from successful calls (§17.8). */
export const AUTO_HINTS_NOTE = 'auto: derived from successful calls';
/** Successful calls needed before hints are derived. */
export const HINT_MIN_SUCCESSES = 3;
/** Share of successful calls a key must appear in to be `must_include`. */
export const HINT_PRESENCE_RATIO = 0.8;
/** Failures of one (tool, arguments) before the formatter adds an `<avoid>` line. */
export const AVOID_MIN_FAILURES = 3;

/** The shape of automatic `arg_hints`. */
export const ArgHintsSchema = z.object({
  must_include: z.array(z.string()).describe(`keys present in >= ${HINT_PRESENCE_RATIO * 100}% of successful calls`),
  typical_values: z.record(z.string(), z.unknown()).describe('per must_include key, the most frequent value among successes'),
});
export type ArgHints = z.infer<typeof ArgHintsSchema>;

/** Hints of the automatic shape (`{must_include, typical_values}`), else null (free-form hints added by a caller). */
export function asArgHints(hints: Record<string, unknown>): ArgHints | null {
  const parsed = ArgHintsSchema.safeParse(hints);
  return parsed.success ? parsed.data : null;
}

export const isAutoHintsPattern = (p: SuccessPattern): boolean => p.notes === AUTO_HINTS_NOTE;

/**
 * `must_include`: keys present in at least 80% of the successful calls; `typical_values`: for each of them the
 * most frequent value (the most recent one on a tie). Null with fewer than `minSuccesses` calls.
 */
export function deriveArgHints(successArgs: readonly Record<string, unknown>[], minSuccesses = HINT_MIN_SUCCESSES): ArgHints | null {
  const n = successArgs.length;
  if (n < Math.max(1, minSuccesses)) return null;
  const presence = new Map<string, number>();
  const values = new Map<string, Map<string, { value: unknown; count: number; last: number }>>();
  successArgs.forEach((args, i) => {
    for (const [k, v] of Object.entries(args)) {
      presence.set(k, (presence.get(k) ?? 0) + 1);
      let byValue = values.get(k);
      if (byValue === undefined) {
        byValue = new Map();
        values.set(k, byValue);
      }
      const key = canonicalJson(v);
      const seen = byValue.get(key);
      byValue.set(key, { value: v, count: (seen?.count ?? 0) + 1, last: i });
    }
  });
  const mustInclude = [...presence].filter(([, c]) => c / n >= HINT_PRESENCE_RATIO).map(([k]) => k);
  const typical: Record<string, unknown> = {};
  for (const k of mustInclude) {
    let best: { value: unknown; count: number; last: number } | undefined;
    for (const candidate of values.get(k)?.values() ?? []) {
      if (best === undefined || candidate.count > best.count || (candidate.count === best.count && candidate.last > best.last)) best = candidate;
    }
    typical[k] = best?.value;
  }
  return { must_include: mustInclude, typical_values: typical };
}

/**
 * Refresh the tool's automatic success pattern for the entry's goal from the successful calls in the log with the
 * same tool and goal. The pattern moves to the end (newest) of the bounded success-pattern list.
 */
export function updateAutoHints(pattern: ToolPattern, log: readonly ToolLogEntry[], entry: ToolLogEntry): SuccessPattern | null {
  const goal = entry.context_goal;
  const successes = log.filter((e) => e.tool_name === entry.tool_name && e.context_goal === goal && entryIsSuccess(e)).map((e) => e.arguments);
  const hints = deriveArgHints(successes);
  if (hints === null) return null;
  const kept = pattern.success_patterns.filter((p) => !(isAutoHintsPattern(p) && p.goal_match === goal));
  const auto: SuccessPattern = { goal_match: goal, arg_hints: hints, notes: AUTO_HINTS_NOTE, example_call_id: entry.id, delta_that_fixed: null };
  pattern.success_patterns = [...kept, auto].slice(-MAX_SUCCESS_PATTERNS);
  return auto;
}

/** Arguments that keep failing: the formatter's `<avoid>` lines. */
export interface RepeatedFailure {
  tool_name: string;
  arguments: Record<string, unknown>;
  arguments_hash: string;
  failures: number;
  /** Distinct error types, in order of first occurrence. */
  error_types: string[];
}

/**
 * (tool, arguments) pairs of the log that failed at least `minFailures` times and have not succeeded since
 * their last failure; most failures first, then the most recent.
 */
export function repeatedFailures(log: readonly ToolLogEntry[], toolName: string, minFailures = AVOID_MIN_FAILURES): RepeatedFailure[] {
  const groups = new Map<string, RepeatedFailure & { lastFailure: number; lastSuccess: number }>();
  log.forEach((e, i) => {
    if (e.tool_name !== toolName) return;
    const hash = e.arguments_hash !== '' ? e.arguments_hash : canonicalJson(e.arguments);
    let g = groups.get(hash);
    if (g === undefined) {
      g = { tool_name: toolName, arguments: e.arguments, arguments_hash: hash, failures: 0, error_types: [], lastFailure: -1, lastSuccess: -1 };
      groups.set(hash, g);
    }
    if (entryIsSuccess(e)) g.lastSuccess = i;
    else if (entryIsFailure(e)) {
      g.failures++;
      g.lastFailure = i;
      const type = e.error_type ?? 'unknown';
      if (!g.error_types.includes(type)) g.error_types.push(type);
    }
  });
  return [...groups.values()]
    .filter((g) => g.failures >= Math.max(1, minFailures) && g.lastSuccess < g.lastFailure)
    .sort((a, b) => b.failures - a.failures || b.lastFailure - a.lastFailure)
    .map(({ lastFailure: _f, lastSuccess: _s, ...rest }) => rest);
}

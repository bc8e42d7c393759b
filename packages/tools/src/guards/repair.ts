import { TOOL_NAME_ARG } from './constants.js';
import { SoftBlockReason } from './enums.js';
import type { UngroundedCallResult, ValueBinding } from './models.js';

/** A literal matches a binding when they differ by less than this. */
export const REPAIR_MATCH_TOLERANCE = 1e-9;

export interface SoftBlockRepairResult {
  proceed: boolean;
  repairedArgs: Record<string, unknown> | null;
  fallback: string | null;
}

const NO_REPAIR: SoftBlockRepairResult = { proceed: false, repairedArgs: null, fallback: null };

/**
 * Replace ungrounded numeric literals with `$vN` references to bindings of the same value (identity on values;
 * documents provenance). The caller records the rewrite (`repaired_from`), so it is never silent.
 */
export function softBlockRepair(
  tool: string,
  args: Record<string, unknown>,
  reason: SoftBlockReason | UngroundedCallResult,
  ctx: { bindings: readonly ValueBinding[]; userLiterals: ReadonlySet<number> },
): SoftBlockRepairResult {
  let numericArgs: string[];
  if (typeof reason === 'object') {
    if (!reason.has_bindings) return NO_REPAIR;
    numericArgs = reason.numeric_args;
  } else if (reason === SoftBlockReason.UngroundedArgs) {
    numericArgs = Object.entries(args)
      .filter(([k, v]) => k !== TOOL_NAME_ARG && typeof v === 'number' && !ctx.userLiterals.has(v))
      .map(([k, v]) => `${k}=${String(v)}`);
    if (numericArgs.length === 0 || ctx.bindings.length === 0) {
      return { proceed: false, repairedArgs: null, fallback: `Cannot call ${tool} with literal values. Please compute the required values first.` };
    }
  } else {
    return NO_REPAIR;
  }
  const repaired: Record<string, unknown> = { ...args };
  let changed = false;
  for (const entry of numericArgs) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    const text = entry.slice(eq + 1).trim();
    const v = text === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(v)) continue;
    const match = ctx.bindings.find((b) => typeof b.raw_value === 'number' && Math.abs(b.raw_value - v) < REPAIR_MATCH_TOLERANCE);
    if (match !== undefined) {
      repaired[key] = `$${match.id}`;
      changed = true;
    }
  }
  if (changed) return { proceed: true, repairedArgs: repaired, fallback: null };
  return {
    proceed: false,
    repairedArgs: null,
    fallback: `Cannot auto-repair call to ${tool}. No matching bindings found for [${numericArgs.join(', ')}]`,
  };
}

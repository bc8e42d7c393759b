import { allowResult, blockResult } from './guard.js';
import type { Guard, GuardResult } from './guard.js';
import { TOOL_NAME_ARG } from './constants.js';

export const PRECONDITION_GUARD_NAME = 'precondition';
const MAX_LISTED_VALUES = 10;

export interface PreconditionGuardConfig {
  /** Whether the tool needs computed inputs (the manager passes the classifier's `isParameterized`). */
  isParameterized: (toolName: string) => boolean;
  lenientMode: boolean;
  floatTolerance: number;
  /** Numbers that never need grounding (the manager passes 0 and 1). */
  safeValues: ReadonlySet<number>;
}

export interface PreconditionCallbacks {
  getBindingCount: () => number;
  getBindingValues: () => ReadonlySet<number>;
  getUserLiterals: () => ReadonlySet<number>;
}

/** Parameterized tools (distribution functions, tests) may only be called with computed or user-given numbers. */
export class PreconditionGuard implements Guard {
  readonly name = PRECONDITION_GUARD_NAME;
  config: PreconditionGuardConfig;

  constructor(
    private readonly callbacks: PreconditionCallbacks,
    config: Partial<PreconditionGuardConfig> = {},
  ) {
    this.config = { isParameterized: () => false, lenientMode: false, floatTolerance: 1e-9, safeValues: new Set(), ...config };
  }

  check(toolName: string, args: Record<string, unknown>): GuardResult {
    if (!this.config.isParameterized(toolName)) return allowResult(this.name);
    const numeric: Array<[string, number]> = [];
    for (const [k, v] of Object.entries(args)) {
      if (k === TOOL_NAME_ARG || typeof v !== 'number' || this.config.safeValues.has(v)) continue;
      numeric.push([k, v]);
    }
    if (numeric.length === 0) return allowResult(this.name);
    const numericArgs = Object.fromEntries(numeric);
    const rendered = numeric.map(([k, v]) => `${k}=${v}`).join(', ');
    if (this.callbacks.getBindingCount() === 0) {
      return blockResult(
        this.name,
        `PRECONDITION_FAILED: \`${toolName}\` was called with numeric arguments (${rendered}) but no intermediate values have been computed yet. Compute the inputs first.`,
        { tool_name: toolName, numeric_args: numericArgs },
      );
    }
    if (this.config.lenientMode) return allowResult(this.name);
    const allowed = [...this.callbacks.getBindingValues(), ...this.callbacks.getUserLiterals()];
    const tol = this.config.floatTolerance;
    const ungrounded = numeric.filter(([, v]) => !allowed.some((a) => Math.abs(v - a) < tol));
    if (ungrounded.length === 0) return allowResult(this.name);
    const available = [...new Set(allowed)].sort((a, b) => a - b).slice(0, MAX_LISTED_VALUES);
    return blockResult(
      this.name,
      `PRECONDITION_FAILED: \`${toolName}\` arguments ${ungrounded.map(([k, v]) => `${k}=${v}`).join(', ')} were not computed by an earlier tool or given by the user. Available values: ${available.join(', ')}. Compute them first or ask the user.`,
      { tool_name: toolName, ungrounded_args: Object.fromEntries(ungrounded), available_values: available },
    );
  }
}

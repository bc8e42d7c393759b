import { isNumericString } from '../common/numbers.js';
import { TOOL_NAME_ARG } from './constants.js';
import { EnforcementLevel } from './enums.js';
import { allowResult, blockResult, warnResult } from './guard.js';
import type { Guard, GuardResult } from './guard.js';
import { isPlainObject } from '../common/json.js';
import { findReferences } from './references.js';

export const UNGROUNDED_GUARD_NAME = 'ungrounded';

export interface UngroundedGuardConfig {
  graceCalls: number;
  mode: EnforcementLevel;
  /** Tools never checked (the manager passes discovery ∪ idempotent tools of its classifier). */
  isExempt: (toolName: string) => boolean;
  /** Also scan nested objects and arrays for numeric literals. */
  deep: boolean;
  /** Relative tolerance when comparing with user literals (0 = exact). */
  literalTolerance: number;
}

/** What the guard needs to know about bindings. */
export interface BindingView {
  readonly size: number;
  isReferenceName(name: string): boolean;
  all(): ReadonlyArray<{ id: string }>;
}

export interface UngroundedCallbacks {
  getUserLiterals: () => ReadonlySet<number>;
  bindings: BindingView;
}

/** Catches numeric literals that should have come from an earlier computation. Detects, never fixes. */
export class UngroundedGuard implements Guard {
  readonly name = UNGROUNDED_GUARD_NAME;
  config: UngroundedGuardConfig;
  private ungroundedCount = 0;

  constructor(
    private readonly callbacks: UngroundedCallbacks,
    config: Partial<UngroundedGuardConfig> = {},
  ) {
    this.config = { graceCalls: 1, mode: EnforcementLevel.Warn, isExempt: () => false, deep: false, literalTolerance: 0, ...config };
  }

  get count(): number {
    return this.ungroundedCount;
  }

  set count(n: number) {
    this.ungroundedCount = n;
  }

  private isUserLiteral(v: number): boolean {
    const literals = this.callbacks.getUserLiterals();
    if (literals.has(v)) return true;
    const tol = this.config.literalTolerance;
    if (tol <= 0) return false;
    for (const a of literals) {
      if (Math.abs(a - v) <= tol * Math.max(Math.abs(a), Math.abs(v))) return true;
    }
    return false;
  }

  private numericOf(value: unknown): number | null {
    if (typeof value === 'number') return Number.isFinite(value) ? value : null;
    if (typeof value === 'string' && isNumericString(value)) return Number(value.trim());
    return null;
  }

  /** `key → number` of literals that are neither user-given nor references. */
  numericArgs(args: Record<string, unknown>): Record<string, number> {
    const out: Record<string, number> = {};
    const visit = (key: string, value: unknown, depth: number): void => {
      if (depth === 0 && key === TOOL_NAME_ARG) return;
      const n = this.numericOf(value);
      if (n !== null) {
        if (!this.isUserLiteral(n)) out[key] = n;
        return;
      }
      if (!this.config.deep) return;
      if (Array.isArray(value)) {
        value.forEach((v: unknown, i) => {
          visit(`${key}/${i}`, v, depth + 1);
        });
      }
      else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) visit(`${key}/${k}`, v, depth + 1);
    };
    for (const [k, v] of Object.entries(args)) visit(k, v, 0);
    return out;
  }

  check(toolName: string, args: Record<string, unknown>): GuardResult {
    if (this.config.mode === EnforcementLevel.Off || this.config.isExempt(toolName)) return allowResult(this.name);
    const numeric = this.numericArgs(args);
    const keys = Object.keys(numeric);
    if (keys.length === 0) return allowResult(this.name);
    const bindings = this.callbacks.bindings;
    if (findReferences(args).some((r) => bindings.isReferenceName(r.name))) return allowResult(this.name);

    this.ungroundedCount++;
    const hasBindings = bindings.size > 0;
    const names = keys.map((k) => `\`${k}\``).join(', ');
    const numericArgs = Object.entries(numeric).map(([k, v]) => `${k}=${v}`);
    const message = hasBindings
      ? `Ungrounded call: \`${toolName}\` was called with literal ${names} and no $vN reference was used. Available values: ${bindings
          .all()
          .map((b) => `$${b.id}`)
          .join(', ')}. Use a computed value instead of a literal.`
      : `Ungrounded call: \`${toolName}\` was called with literal ${names}, but there are no prior computations yet. Compute the inputs first.`;
    if (this.config.mode === EnforcementLevel.Block && this.ungroundedCount > this.config.graceCalls) {
      return blockResult(this.name, message, { ungrounded_count: this.ungroundedCount, numeric_args: numericArgs, has_bindings: hasBindings });
    }
    return warnResult(this.name, message, {
      ungrounded_count: this.ungroundedCount,
      grace_remaining: Math.max(0, this.config.graceCalls - this.ungroundedCount + 1),
      numeric_args: numericArgs,
      has_bindings: hasBindings,
    });
  }

  reset(): void {
    this.ungroundedCount = 0;
  }
}

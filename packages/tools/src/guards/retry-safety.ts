import { InvalidInput } from '@chuk/models';
import { z } from 'zod';
import { defaultClock } from '../common/defaults.js';
import { canonicalJson } from '../common/json.js';
import { baseToolName } from '../common/names.js';
import {
  IDEMPOTENCY_KEY_ARG,
  idempotencyKeyOf,
  NON_IDEMPOTENT_MAX_RETRIES,
  NON_RETRYABLE_ERROR_CLASSES,
  RetryErrorClass,
  RetryErrorClassSchema,
  retryErrorClassOf,
  SAFE_RETRY_BACKOFF_MULTIPLIER,
  SAFE_RETRY_MAX_BACKOFF_MS,
  SAFE_RETRY_MIN_BACKOFF_MS,
  UNKNOWN_OUTCOME_ERROR_CLASSES,
  withoutIdempotencyKey,
} from '../execution/retry-safety.js';
import type { ErrorInfo } from '../execution/errors.js';
import { EnforcementLevel, EnforcementLevelSchema } from './enums.js';
import { allowResult, blockResult, warnResult } from './guard.js';
import type { Guard, GuardResult } from './guard.js';

export const RETRY_SAFETY_GUARD_NAME = 'retry_safety';

export const RetrySafetyConfigSchema = z
  .object({
    mode: EnforcementLevelSchema.default(EnforcementLevel.Block).describe('verdict of a violation (backoff violations always warn); off = always allow'),
    requireIdempotencyKey: z.boolean().default(false).describe('a repeat of a non-idempotent call must carry an idempotency key'),
    idempotencyKeyArg: z.string().min(1).default(IDEMPOTENCY_KEY_ARG).describe('argument holding the key; excluded from call signatures'),
    nonRetryableErrors: z.array(RetryErrorClassSchema).default([...NON_RETRYABLE_ERROR_CLASSES]).describe('error classes whose identical repeat is blocked'),
    maxSameSignatureRetries: z.number().int().min(0).default(NON_IDEMPOTENT_MAX_RETRIES).describe('repeats of one failing (tool, args) signature'),
    blockUnknownOutcomeRetries: z
      .boolean()
      .default(true)
      .describe('block repeating a non-idempotent call whose last attempt timed out or lost its connection (it may have taken effect) unless it carries a key'),
    enforceBackoff: z.boolean().default(true).describe('warn when a repeat comes before its backoff elapsed'),
    minBackoffMs: z.number().min(0).default(SAFE_RETRY_MIN_BACKOFF_MS).describe('backoff before the first repeat'),
    maxBackoffMs: z.number().min(0).default(SAFE_RETRY_MAX_BACKOFF_MS).describe('cap on the backoff'),
    backoffMultiplier: z.number().min(1).default(SAFE_RETRY_BACKOFF_MULTIPLIER).describe('backoff growth per repeat'),
    idempotentTools: z.array(z.string()).default([]).describe('tools known to be safe to repeat (base names, case-insensitive)'),
    nonIdempotentTools: z.array(z.string()).default([]).describe('tools known not to be'),
  })
  .strict();
export type RetrySafetyConfig = z.infer<typeof RetrySafetyConfigSchema>;
export type RetrySafetyConfigInput = z.input<typeof RetrySafetyConfigSchema>;

export interface RetrySafetyGuardOptions {
  clock?: () => Date;
  /** Whether a tool may run twice; `undefined` = unknown (the idempotency rules do not apply). Default: the two tool lists. */
  isIdempotent?: (toolName: string) => boolean | undefined;
}

/** What the guard remembers of one failing (tool, args) signature. */
export interface RetryState {
  tool_name: string;
  attempt_count: number;
  first_attempt_ms: number;
  last_attempt_ms: number;
  last_error_class: RetryErrorClass | null;
}

/**
 * Model-level retry safety (§17.5, CTP `RetrySafetyGuard`): the model re-issuing a call that failed. Blocks the
 * identical repeat after a non-retryable error (validation, auth, permission, not_found), after
 * `maxSameSignatureRetries` repeats, and — for non-idempotent tools — after a failure whose outcome is unknown
 * (timeout, network) or without a required idempotency key; warns when a repeat comes before its backoff
 * (`minBackoffMs × multiplier^(n−1)`, capped). Record outcomes with `recordResult`; a success clears the signature.
 */
export class RetrySafetyGuard implements Guard {
  readonly name = RETRY_SAFETY_GUARD_NAME;
  readonly config: RetrySafetyConfig;
  private readonly clock: () => Date;
  private readonly isIdempotentFn: (toolName: string) => boolean | undefined;
  private readonly states = new Map<string, RetryState>();

  constructor(config: RetrySafetyConfigInput = {}, opts: RetrySafetyGuardOptions = {}) {
    const parsed = RetrySafetyConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue !== undefined && issue.path.length > 0 ? `retrySafety.${issue.path.join('.')}` : 'retrySafety';
      throw new InvalidInput({ field: path, reason: issue?.message ?? 'invalid', issues: parsed.error.issues });
    }
    this.config = parsed.data;
    this.clock = opts.clock ?? defaultClock;
    const idem = new Set(this.config.idempotentTools.map((t) => t.toLowerCase()));
    const nonIdem = new Set(this.config.nonIdempotentTools.map((t) => t.toLowerCase()));
    this.isIdempotentFn =
      opts.isIdempotent ??
      ((tool) => {
        const base = baseToolName(tool).toLowerCase();
        if (idem.has(base) || idem.has(tool.toLowerCase())) return true;
        if (nonIdem.has(base) || nonIdem.has(tool.toLowerCase())) return false;
        return undefined;
      });
  }

  /** `tool:canonical-args`, without the idempotency key (a repeat with a new key is still a repeat). */
  signature(toolName: string, args: Record<string, unknown>): string {
    return `${toolName}:${canonicalJson(withoutIdempotencyKey(args, this.config.idempotencyKeyArg))}`;
  }

  /** `opts.idempotent` (e.g. from the tool's definition) overrides the configured lists. */
  check(toolName: string, args: Record<string, unknown>, opts: { idempotent?: boolean } = {}): GuardResult {
    if (this.config.mode === EnforcementLevel.Off) return allowResult(this.name);
    const state = this.states.get(this.signature(toolName, args));
    if (state === undefined) return allowResult(this.name);
    const cls = state.last_error_class;
    const details = { tool: toolName, attempts: state.attempt_count, ...(cls !== null ? { error_class: cls } : {}) };
    if (cls !== null && this.config.nonRetryableErrors.includes(cls)) {
      return this.violation(`The identical \`${toolName}\` call already failed with a ${cls} error; repeating it cannot help. Change the arguments or stop.`, details);
    }
    const idempotent = opts.idempotent ?? this.isIdempotentFn(toolName);
    const hasKey = idempotencyKeyOf(args, this.config.idempotencyKeyArg) !== null;
    if (idempotent === false && !hasKey) {
      if (this.config.requireIdempotencyKey) {
        return this.violation(`Repeating the non-idempotent \`${toolName}\` call needs an \`${this.config.idempotencyKeyArg}\` argument.`, details);
      }
      if (this.config.blockUnknownOutcomeRetries && cls !== null && UNKNOWN_OUTCOME_ERROR_CLASSES.includes(cls)) {
        return this.violation(
          `The previous identical \`${toolName}\` call ended with a ${cls} error and may have taken effect; check its effect before repeating it, or pass an \`${this.config.idempotencyKeyArg}\` argument.`,
          details,
        );
      }
    }
    if (state.attempt_count > this.config.maxSameSignatureRetries) {
      return this.violation(
        `Maximum retries exceeded for \`${toolName}\` with these arguments (${state.attempt_count - 1} of ${this.config.maxSameSignatureRetries}). Change the arguments or answer without this tool.`,
        details,
      );
    }
    if (this.config.enforceBackoff) {
      const required = this.backoffFor(state.attempt_count);
      const elapsed = this.clock().getTime() - state.last_attempt_ms;
      if (elapsed < required) {
        return warnResult(this.name, `Backoff required before retrying \`${toolName}\`: ${required - elapsed}ms remaining (retry ${state.attempt_count}).`, {
          ...details,
          required_backoff_ms: required,
          elapsed_ms: elapsed,
          remaining_ms: required - elapsed,
        });
      }
    }
    return allowResult(this.name);
  }

  private violation(reason: string, details: Record<string, unknown>): GuardResult {
    return this.config.mode === EnforcementLevel.Warn ? warnResult(this.name, reason, details) : blockResult(this.name, reason, details);
  }

  /** Backoff before retry `n` (1-based): `min × multiplier^(n−1)`, capped at `maxBackoffMs`. */
  private backoffFor(n: number): number {
    return Math.min(this.config.minBackoffMs * this.config.backoffMultiplier ** Math.max(0, n - 1), this.config.maxBackoffMs);
  }

  /** Record a failed attempt of the signature (`errorClass` null = unclassified). */
  recordAttempt(toolName: string, args: Record<string, unknown>, errorClass: RetryErrorClass | null = null): RetryState {
    const sig = this.signature(toolName, args);
    const now = this.clock().getTime();
    const prev = this.states.get(sig);
    const state: RetryState =
      prev === undefined
        ? { tool_name: toolName, attempt_count: 1, first_attempt_ms: now, last_attempt_ms: now, last_error_class: errorClass }
        : { ...prev, attempt_count: prev.attempt_count + 1, last_attempt_ms: now, last_error_class: errorClass };
    this.states.set(sig, state);
    return state;
  }

  /** A success clears the signature. */
  recordSuccess(toolName: string, args: Record<string, unknown>): void {
    this.states.delete(this.signature(toolName, args));
  }

  /** Record an executed call's outcome (`error_info` null = success). */
  recordResult(toolName: string, args: Record<string, unknown>, errorInfo: Pick<ErrorInfo, 'category' | 'message'> | null): void {
    if (errorInfo === null) this.recordSuccess(toolName, args);
    else this.recordAttempt(toolName, args, retryErrorClassOf(errorInfo));
  }

  /** Failed attempts recorded for the signature. */
  getRetryCount(toolName: string, args: Record<string, unknown>): number {
    return this.states.get(this.signature(toolName, args))?.attempt_count ?? 0;
  }

  /** Backoff the next repeat of the signature should wait (0 when nothing failed). */
  getRequiredBackoffMs(toolName: string, args: Record<string, unknown>): number {
    const state = this.states.get(this.signature(toolName, args));
    return state === undefined ? 0 : this.backoffFor(state.attempt_count);
  }

  resetCall(toolName: string, args: Record<string, unknown>): void {
    this.states.delete(this.signature(toolName, args));
  }

  /** Per-prompt reset: a new user request may repeat what failed before. */
  reset(): void {
    this.states.clear();
  }
}

export { RetryErrorClass };

import { ToolErrorCategory } from '@chuk/models';
import { z } from 'zod';
import { SideEffect } from '../guards/enums.js';
import type { ErrorInfo } from './errors.js';
import type { AnyToolDefinition } from './registry.js';
import type { RetryPolicy } from './retry.js';

/** The argument that carries a caller-chosen idempotency key (CTP default); never part of a call's signature. */
export const IDEMPOTENCY_KEY_ARG = '_idempotency_key';
/** Retries of one non-idempotent call, at most (§17.5). */
export const NON_IDEMPOTENT_MAX_RETRIES = 3;
/** Enforced backoff before retry n of a non-idempotent call: `100 ms × 2^(n−1)`, capped at 30 s. */
export const SAFE_RETRY_MIN_BACKOFF_MS = 100;
export const SAFE_RETRY_MAX_BACKOFF_MS = 30_000;
export const SAFE_RETRY_BACKOFF_MULTIPLIER = 2;

/** Error classes of retry decisions (CTP `ErrorClass`). */
export const RetryErrorClass = {
  Validation: 'validation',
  Auth: 'auth',
  Permission: 'permission',
  NotFound: 'not_found',
  RateLimit: 'rate_limit',
  Timeout: 'timeout',
  ServerError: 'server_error',
  Network: 'network',
  Unknown: 'unknown',
} as const;
export type RetryErrorClass = (typeof RetryErrorClass)[keyof typeof RetryErrorClass];
export const RetryErrorClassSchema = z.enum(RetryErrorClass);

/** Retrying cannot help: the same call fails the same way. */
export const NON_RETRYABLE_ERROR_CLASSES: readonly RetryErrorClass[] = [
  RetryErrorClass.Validation,
  RetryErrorClass.Auth,
  RetryErrorClass.Permission,
  RetryErrorClass.NotFound,
];
/** The outcome is unknown: the call may have taken effect before it failed. */
export const UNKNOWN_OUTCOME_ERROR_CLASSES: readonly RetryErrorClass[] = [RetryErrorClass.Timeout, RetryErrorClass.Network];

const AUTH_PATTERN = /\b(unauthori[sz]ed|unauthenticated|authentication (failed|required)|invalid (api )?key|401)\b/i;
const PERMISSION_PATTERN = /\b(forbidden|permission denied|not permitted|access denied|403)\b/i;

/** The retry class of a failure: from its category, and for execution errors from auth / permission wording. */
export function retryErrorClassOf(info: Pick<ErrorInfo, 'category' | 'message'>): RetryErrorClass {
  switch (info.category) {
    case ToolErrorCategory.Validation:
      return RetryErrorClass.Validation;
    case ToolErrorCategory.NotFound:
      return RetryErrorClass.NotFound;
    case ToolErrorCategory.Timeout:
      return RetryErrorClass.Timeout;
    case ToolErrorCategory.Connection:
      return RetryErrorClass.Network;
    case ToolErrorCategory.RateLimit:
    case ToolErrorCategory.CircuitOpen:
    case ToolErrorCategory.BulkheadFull:
      return RetryErrorClass.RateLimit;
    case ToolErrorCategory.Configuration:
      return RetryErrorClass.Permission;
    case ToolErrorCategory.Cancelled:
      return RetryErrorClass.Unknown;
    default:
      if (AUTH_PATTERN.test(info.message)) return RetryErrorClass.Auth;
      if (PERMISSION_PATTERN.test(info.message)) return RetryErrorClass.Permission;
      return RetryErrorClass.ServerError;
  }
}

/** Safe to run twice: declared idempotent or read-only (a side effect guessed from the name does not count). */
export const isRetrySafeTool = (def: Pick<AnyToolDefinition, 'idempotent' | 'sideEffect'>): boolean =>
  def.idempotent === true || def.sideEffect === SideEffect.ReadOnly;

/** The idempotency key of a call's arguments (a non-empty string under `arg`), else null. */
export function idempotencyKeyOf(args: Record<string, unknown>, arg: string = IDEMPOTENCY_KEY_ARG): string | null {
  const v = args[arg];
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

/** The arguments without the idempotency key (what the tool validates and receives, and what signatures use). */
export function withoutIdempotencyKey(args: Record<string, unknown>, arg: string = IDEMPOTENCY_KEY_ARG): Record<string, unknown> {
  if (!Object.hasOwn(args, arg)) return args;
  const { [arg]: _key, ...rest } = args;
  return rest;
}

/** `100 ms × 2^(n−1)` capped at 30 s, for retry `n` (1-based). */
export function safeRetryBackoffMs(retry: number): number {
  return Math.min(SAFE_RETRY_MIN_BACKOFF_MS * SAFE_RETRY_BACKOFF_MULTIPLIER ** Math.max(0, retry - 1), SAFE_RETRY_MAX_BACKOFF_MS);
}

/**
 * Why attempt `attempt` (0-based) of a non-idempotent tool must not be followed by a retry, or null when it may
 * (§17.5 applied by the executor): never after a non-retryable class, at most 3 retries, an idempotency key when
 * the policy requires one, and never after a failure whose outcome is unknown (timeout, network) unless the call
 * carries an idempotency key or the policy says `retryNonIdempotent`.
 */
export function nonIdempotentRetryBlock(policy: RetryPolicy, attempt: number, info: Pick<ErrorInfo, 'category' | 'message'>, hasKey: boolean): string | null {
  const cls = retryErrorClassOf(info);
  if (NON_RETRYABLE_ERROR_CLASSES.includes(cls)) return `${cls} errors are not retried`;
  if (attempt >= NON_IDEMPOTENT_MAX_RETRIES) return `at most ${NON_IDEMPOTENT_MAX_RETRIES} retries of a non-idempotent call`;
  if (policy.requireIdempotencyKey && !hasKey) return `retrying a non-idempotent call needs an ${policy.idempotencyKeyArg} argument`;
  if (UNKNOWN_OUTCOME_ERROR_CLASSES.includes(cls) && !hasKey && !policy.retryNonIdempotent) {
    return `the call may have taken effect before the ${cls} error; not retried without an ${policy.idempotencyKeyArg} argument`;
  }
  return null;
}

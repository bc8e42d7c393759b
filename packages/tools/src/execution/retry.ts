import type { ToolErrorCategory } from '@chuk/models';
import { z } from 'zod';
import { RETRYABLE_CATEGORIES } from './errors.js';

export const JITTER_MIN = 0.5;
export const JITTER_SPAN = 1;
const BACKOFF_FACTOR = 2;

export const RetryPolicySchema = z
  .object({
    maxRetries: z.number().int().min(0).default(2).describe('retries after the first attempt'),
    baseDelayMs: z.number().min(0).default(1000).describe('delay before the first retry'),
    maxDelayMs: z.number().min(0).default(60_000).describe('cap on one delay'),
    backoff: z.enum(['exponential', 'fixed']).default('exponential').describe('exponential: base * 2^attempt'),
    jitter: z.boolean().default(true).describe('multiply each delay by a factor uniform in [0.5, 1.5)'),
    retryOnErrorSubstrings: z.array(z.string()).default([]).describe('if non-empty, retry only errors containing one (case-sensitive)'),
    skipRetryOnErrorSubstrings: z.array(z.string()).default([]).describe('never retry errors containing one (case-insensitive)'),
    retryOnCategories: z.array(z.string()).optional().describe('categories that may be retried (default: the retryable ones)'),
    retryNonIdempotent: z
      .boolean()
      .default(false)
      .describe('retry non-idempotent tools after a failure whose outcome is unknown (timeout, network), even without an idempotency key'),
    requireIdempotencyKey: z.boolean().default(false).describe('retry non-idempotent tools only when the call carries an idempotency key'),
    idempotencyKeyArg: z.string().min(1).default('_idempotency_key').describe('argument holding the idempotency key (taken out before validation)'),
  })
  .strict();
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;
export type RetryPolicyInput = z.input<typeof RetryPolicySchema>;

/** May attempt `attempt` (0-based) be followed by another? */
export function shouldRetry(policy: RetryPolicy, attempt: number, error: string, category: ToolErrorCategory): boolean {
  if (attempt >= policy.maxRetries) return false;
  const lower = error.toLowerCase();
  if (policy.skipRetryOnErrorSubstrings.some((s) => lower.includes(s.toLowerCase()))) return false;
  const categories: ReadonlySet<string> = policy.retryOnCategories !== undefined ? new Set(policy.retryOnCategories) : RETRYABLE_CATEGORIES;
  if (!categories.has(category)) return false;
  if (policy.retryOnErrorSubstrings.length === 0) return true;
  return policy.retryOnErrorSubstrings.some((s) => error.includes(s));
}

/** `min(base * 2^attempt, max)` × jitter, at least `retryAfterMs` when the error carries one. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number, retryAfterMs: number | null = null): number {
  const raw = policy.backoff === 'fixed' ? policy.baseDelayMs : policy.baseDelayMs * BACKOFF_FACTOR ** attempt;
  let delay = Math.min(raw, policy.maxDelayMs);
  if (policy.jitter) delay *= JITTER_MIN + random() * JITTER_SPAN;
  return Math.max(delay, retryAfterMs ?? 0);
}

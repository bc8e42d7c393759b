import { InvalidInput } from '@chuk/models';
import { z } from 'zod';
import { GuardVerdict } from './enums.js';
import { allowResult, blockResult } from './guard.js';
import type { Guard, GuardResult } from './guard.js';
import { limitOutput, OutputSizeLimitsSchema } from './output-size.js';
import type { OutputSizeLimits, OutputSizeLimitsInput } from './output-size.js';

export const OUTPUT_SIZE_GUARD_NAME = 'output_size';

export const TruncationMode = { Truncate: 'truncate', Error: 'error' } as const;
export type TruncationMode = (typeof TruncationMode)[keyof typeof TruncationMode];
export const TruncationModeSchema = z.enum(TruncationMode);

/**
 * Post-execution size check (§17.4, CTP `OutputSizeGuard`) for `GuardChain.checkOutputAll`: a result over the limits
 * is a REPAIR whose `fallback_response` is the truncated value as JSON (`truncate`, the default), or a BLOCK
 * (`error`). Results within the limits pass. Pre-execution `check` always allows.
 */
export class OutputSizeGuard implements Guard {
  readonly name = OUTPUT_SIZE_GUARD_NAME;
  readonly limits: OutputSizeLimits;
  readonly mode: TruncationMode;

  constructor(opts: { limits?: OutputSizeLimitsInput; mode?: TruncationMode } = {}) {
    const limits = OutputSizeLimitsSchema.safeParse(opts.limits ?? {});
    if (!limits.success) {
      const issue = limits.error.issues[0];
      throw new InvalidInput({ field: ['limits', ...(issue?.path ?? [])].join('.'), reason: issue?.message ?? 'invalid', issues: limits.error.issues });
    }
    const mode = TruncationModeSchema.safeParse(opts.mode ?? TruncationMode.Truncate);
    if (!mode.success) throw new InvalidInput({ field: 'mode', reason: `expected ${Object.values(TruncationMode).join(' or ')}`, issues: mode.error.issues });
    this.limits = limits.data;
    this.mode = mode.data;
  }

  check(): GuardResult {
    return allowResult(this.name);
  }

  checkOutput(toolName: string, _args: Record<string, unknown>, result: unknown): GuardResult {
    const limited = limitOutput(result, this.limits);
    if (!limited.truncated) return allowResult(this.name);
    const text = JSON.stringify(result) as string | undefined;
    const bytes = text === undefined ? 0 : new TextEncoder().encode(text).length;
    const details = { bytes, max_bytes: this.limits.maxBytes };
    if (this.mode === TruncationMode.Error) {
      return blockResult(this.name, `Output of ${toolName} exceeds the size limits (${bytes} bytes); request less data (filter, paginate or summarise).`, details);
    }
    return {
      verdict: GuardVerdict.Repair,
      reason: `Output of ${toolName} truncated to the size limits`,
      details,
      repaired_args: null,
      fallback_response: typeof limited.value === 'string' ? limited.value : JSON.stringify(limited.value),
      guard: this.name,
    };
  }
}

/**
 * Conditional-write parameters (spec §14.3) and the pause between lost races. With
 * `conditionalWrites` off every helper returns no condition (last writer wins).
 */

/** Upper bound of the random pause before conditional retry n is n × this (ms), to break lockstep. */
export const CONDITIONAL_BACKOFF_MS = 20;
/** The pause stops growing after this many lost races. */
export const MAX_BACKOFF_STEPS = 8;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Random pause after losing conditional race number `attempt`. */
export function conditionalBackoff(attempt: number): Promise<void> {
  return sleep(Math.random() * CONDITIONAL_BACKOFF_MS * Math.min(attempt, MAX_BACKOFF_STEPS));
}

/** Create-only: the write fails when the object exists. */
export function ifAbsent(enabled: boolean): { IfNoneMatch?: string } {
  return enabled ? { IfNoneMatch: '*' } : {};
}

/** Replace-only-this-version: the write fails when the object's ETag moved. */
export function ifEtag(enabled: boolean, etag: string | undefined): { IfMatch?: string } {
  return enabled && etag !== undefined ? { IfMatch: etag } : {};
}

/** A copy onto itself that fails when the object's ETag moved. */
export function copyIfEtag(enabled: boolean, etag: string | undefined): { CopySourceIfMatch?: string; IfMatch?: string } {
  return enabled && etag !== undefined ? { CopySourceIfMatch: etag, IfMatch: etag } : {};
}

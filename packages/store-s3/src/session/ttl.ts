/** Sliding session expiry kept in the header's `expires-at` metadata (spec §14.2, §14.3). */
const MS_PER_SECOND = 1000;

/** `now + seconds` as an ISO timestamp. */
export function expiryAfter(now: Date, seconds: number): string {
  return new Date(now.getTime() + seconds * MS_PER_SECOND).toISOString();
}

/** The expiry a write at `now` sets: none without a TTL. */
export function nextExpiry(now: Date, ttlSeconds: number | null): string | undefined {
  return ttlSeconds === null ? undefined : expiryAfter(now, ttlSeconds);
}

/** True when `expiresAt` (ISO, may be missing or empty) is at or before `now`. An unparsable value never expires. */
export function isExpiredAt(expiresAt: string | undefined, now: Date): boolean {
  if (expiresAt === undefined || expiresAt === '') return false;
  const at = Date.parse(expiresAt);
  return !Number.isNaN(at) && at <= now.getTime();
}

/** `expiresAt` pushed `additionalSeconds` later; from `now` when it is missing or unparsable. */
export function extendedExpiry(expiresAt: string | undefined, now: Date, additionalSeconds: number): string {
  const current = Date.parse(expiresAt ?? '');
  const base = Number.isNaN(current) ? now.getTime() : current;
  return new Date(base + additionalSeconds * MS_PER_SECOND).toISOString();
}

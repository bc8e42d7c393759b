/** Checks shared by the hand-written wire decoders (header, event, token usage). */

/** A plain object (what `JSON.parse` makes), not an array, class instance or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Length of a `toISOString()` text (`2024-01-02T03:04:05.678Z`). */
const CANONICAL_TIMESTAMP_LENGTH = 24;

/** A timestamp already in the canonical `toISOString()` form (what every writer stores), else null. */
export function canonicalTimestamp(value: unknown): string | null {
  if (typeof value !== 'string' || value.length !== CANONICAL_TIMESTAMP_LENGTH || !value.endsWith('Z')) return null;
  const ms = Date.parse(value);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === value ? value : null;
}

/**
 * A free-form record shallow-copied as `z.record` does (`{}` when absent); null when it is not a plain object
 * or has an own `__proto__` key (the schema's copy would differ), so the schema decides.
 */
export function freeRecord(value: unknown): Record<string, unknown> | null {
  if (value === undefined) return {};
  return isPlainObject(value) && !Object.hasOwn(value, '__proto__') ? { ...value } : null;
}

/** Code-point aware string helpers (Python `len` / slicing semantics) and small shared utilities. */

const HIGH_SURROGATE_MIN = 0xd800;
const HIGH_SURROGATE_MAX = 0xdbff;
const SURROGATE_RE = /[\uD800-\uDFFF]/;

/** Number of Unicode code points in `s`. O(n), no allocation. */
export function codePointLength(s: string): number {
  if (!SURROGATE_RE.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= HIGH_SURROGATE_MIN && c <= HIGH_SURROGATE_MAX && i + 1 < s.length) i++;
    n++;
  }
  return n;
}

/** First `n` code points of `s` (never splits a surrogate pair). */
export function codePointSlice(s: string, n: number): string {
  if (n <= 0) return '';
  if (!SURROGATE_RE.test(s)) return s.slice(0, n);
  let units = 0;
  let count = 0;
  while (units < s.length && count < n) {
    const c = s.charCodeAt(units);
    units += c >= HIGH_SURROGATE_MIN && c <= HIGH_SURROGATE_MAX && units + 1 < s.length ? 2 : 1;
    count++;
  }
  return s.slice(0, units);
}

/** Truncate to `maxChars` code points, appending `"..."` when cut. */
export function truncateWithEllipsis(s: string, maxChars: number): string {
  if (s.length <= maxChars || codePointLength(s) <= maxChars) return s;
  return `${codePointSlice(s, maxChars)}...`;
}

const HEX_ID_LENGTH = 8;

/** 8 random hex characters (page id suffixes). */
export function randomHex8(): string {
  return globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, HEX_ID_LENGTH);
}

/** Default id generator: a random UUID. */
export function randomId(): string {
  return globalThis.crypto.randomUUID();
}

let lastNow = new Date(0);

/**
 * Default clock: the current time. Calls within the same millisecond return the same `Date` object, so the
 * pages and entries stamped by a burst of operations share their timestamps instead of each keeping its own
 * (a `Date` is ~100 bytes). VM timestamps are never mutated in place.
 */
export function systemClock(): Date {
  const now = Date.now();
  if (now !== lastNow.getTime()) lastNow = new Date(now);
  return lastNow;
}

const ZONE_RE = /(Z|[+-]\d{2}:?\d{2})$/i;

/** Parse an ISO-8601 timestamp; naive timestamps (no zone, e.g. the reference's) are read as UTC. */
export function parseTimestamp(value: string): Date {
  const iso = ZONE_RE.test(value) ? value : `${value}Z`;
  const ms = Date.parse(iso.replace(/(\.\d{3})\d+/, '$1'));
  return new Date(ms);
}

/** True for plain objects (not arrays, dates or class instances). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Python-default-separator JSON (", " and ": ") used by the reference's token estimate of objects. */
export function pythonJson(value: unknown): string {
  return JSON.stringify(value).replace(/("(?:[^"\\]|\\.)*")|([,:])/g, (_m, str: string | undefined, sep: string | undefined) =>
    str ?? `${sep ?? ''} `,
  );
}

/** Text form of page content: strings as-is, null/undefined as "", anything else as JSON. */
export function contentText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}

import { InvalidInput } from '../errors/errors.js';
import type { Clock } from './clock.js';

const ISO_RE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses an ISO-8601 timestamp as the reference writes them: 0–9 fractional digits, `Z`, `±hh:mm`
 * or no designator (naive, read as UTC). Returns epoch milliseconds or `NaN`.
 */
export function parseTimestamp(text: string): number {
  const m = ISO_RE.exec(text);
  if (m === null) return Number.NaN;
  const [, date, time, frac, zone] = m;
  const ms = frac === undefined ? '' : `.${frac.slice(0, 3).padEnd(3, '0')}`;
  const hms = time !== undefined && time.length === 5 ? `${time}:00` : (time ?? '');
  let z = zone ?? 'Z';
  if (z === 'z') z = 'Z';
  else if (z.length === 5) z = `${z.slice(0, 3)}:${z.slice(3)}`;
  return Date.parse(`${date ?? ''}T${hms}${ms}${z}`);
}

/** Canonical form used by every writer: `new Date(ms).toISOString()`. */
export function toIsoTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

let lastMs = Number.NaN;
let lastIso = '';

/**
 * Current time of `clock` in the canonical form. The text of the last millisecond is reused (many events
 * share one), so formatting costs once per millisecond; an invalid date still throws `RangeError`.
 */
export function nowIso(clock: Clock): string {
  const date = clock();
  const ms = date.getTime();
  if (ms === lastMs) return lastIso;
  const iso = date.toISOString();
  lastMs = ms;
  lastIso = iso;
  return iso;
}

/** Normalises a tolerant timestamp to the canonical form; throws `InvalidInput` naming `field`. */
export function normalizeTimestamp(text: string, field: string): string {
  const ms = parseTimestamp(text);
  if (Number.isNaN(ms)) throw new InvalidInput({ field, reason: `not an ISO-8601 timestamp: ${text}` });
  return toIsoTimestamp(ms);
}

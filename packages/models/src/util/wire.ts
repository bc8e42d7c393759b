/** Checks shared by the hand-written wire decoders (header, event, token usage). */

/** A plain object (what `JSON.parse` makes), not an array, class instance or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Length of a `toISOString()` text (`2024-01-02T03:04:05.678Z`). */
const CANONICAL_TIMESTAMP_LENGTH = 24;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Positions of the separators of a `toISOString()` text and the character each must be. */
const SEPARATORS: readonly (readonly [number, string])[] = [
  [4, '-'], [7, '-'], [10, 'T'], [13, ':'], [16, ':'], [19, '.'], [23, 'Z'],
];
/** Per position: the character code a separator must have, or `ANY_DIGIT`. */
const ANY_DIGIT = -1;
const SHAPE: readonly number[] = Array.from(
  { length: CANONICAL_TIMESTAMP_LENGTH },
  (_, i) => SEPARATORS.find(([at]) => at === i)?.[1].charCodeAt(0) ?? ANY_DIGIT,
);
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
const FEBRUARY = 2;
const LAST_HOUR = 23;
const LAST_MINUTE = 59;

/** The number of the decimal digits `text[from, to)` (already checked to be digits). */
function digitsAt(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (text.charCodeAt(i) - DIGIT_0);
  return n;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * A timestamp already in the canonical `toISOString()` form (what every writer stores), else null. Exactly the
 * texts `new Date(Date.parse(s)).toISOString() === s` accepts (years 0000–9999, real calendar dates, hours to 23),
 * checked character by character, without building a Date.
 */
export function canonicalTimestamp(value: unknown): string | null {
  if (typeof value !== 'string' || value.length !== CANONICAL_TIMESTAMP_LENGTH) return null;
  for (let i = 0; i < CANONICAL_TIMESTAMP_LENGTH; i++) {
    const c = value.charCodeAt(i);
    const want = SHAPE[i];
    if (want === ANY_DIGIT ? c < DIGIT_0 || c > DIGIT_9 : c !== want) return null;
  }
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 7);
  const day = digitsAt(value, 8, 10);
  if (month < 1 || month > DAYS_IN_MONTH.length || day < 1) return null;
  const monthDays = month === FEBRUARY && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day > monthDays) return null;
  if (digitsAt(value, 11, 13) > LAST_HOUR || digitsAt(value, 14, 16) > LAST_MINUTE || digitsAt(value, 17, 19) > LAST_MINUTE) return null;
  return value;
}

/**
 * A free-form record shallow-copied as `z.record` does (`{}` when absent); null when it is not a plain object
 * or has an own `__proto__` key (the schema's copy would differ), so the schema decides.
 */
export function freeRecord(value: unknown): Record<string, unknown> | null {
  if (value === undefined) return {};
  return isPlainObject(value) && !Object.hasOwn(value, '__proto__') ? { ...value } : null;
}

const NUMERIC_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** Values below this magnitude (or above the upper one) are rendered in scientific notation. */
export const SCI_LOWER_BOUND = 0.0001;
export const SCI_UPPER_BOUND = 10000;
const DECIMALS = 6;

/** True for a trimmed decimal / exponent literal with a finite value (`"nan"`, `"inf"`, `"1_000"` are not numeric). */
export function isNumericString(s: string): boolean {
  const t = s.trim();
  return NUMERIC_RE.test(t) && Number.isFinite(Number(t));
}

/** Finite numbers and numeric strings as numbers; booleans and everything else `null`. */
export function toNumberOrNull(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && isNumericString(value)) return Number(value.trim());
  return null;
}

export function fmtFixed6(x: number): string {
  return x.toFixed(DECIMALS);
}

/** `123456` → `1.234560e+05` (exponent with at least two digits). */
export function fmtSci6(x: number): string {
  const [mantissa = '', exponent = '+0'] = x.toExponential(DECIMALS).split('e');
  const sign = exponent.startsWith('-') ? '-' : '+';
  const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
  return `${mantissa}e${sign}${digits}`;
}

/** Scientific for tiny/huge values (and 0, a reference quirk), fixed otherwise. */
export function fmtModelNumber(x: number): string {
  const abs = Math.abs(x);
  return abs < SCI_LOWER_BOUND || abs > SCI_UPPER_BOUND ? fmtSci6(x) : fmtFixed6(x);
}

export function fmtPercent0(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

/** `1.23e-13`-style rendering with two decimals (Python `%.2e` look). */
export function fmtSci2(x: number): string {
  const [mantissa = '', exponent = '+0'] = x.toExponential(2).split('e');
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

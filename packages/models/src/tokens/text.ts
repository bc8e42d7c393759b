/**
 * The text that is counted for a value: `null`/`undefined` → `""`, strings as they are, numbers, booleans
 * and bigints through `String`, objects and arrays as JSON (never `"[object Object]"`); values that cannot be
 * stringified (cycles) → `""`.
 */
export function toCountableText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'symbol' || typeof value === 'function') return '';
  try {
    // JSON.stringify returns undefined for values without a JSON form, despite its declared type
    const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) as string | undefined;
    return text ?? '';
  } catch {
    return '';
  }
}

/** Number of Unicode code points of `text` (Python `len` semantics). */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // a high surrogate followed by a low surrogate is one code point
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Characters per token of the estimate. */
export const ESTIMATE_CHARS_PER_TOKEN = 4;

/** The chars/4 estimate: `ceil(codePoints / 4)`, never 0 for non-empty text. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(codePointLength(text) / ESTIMATE_CHARS_PER_TOKEN);
}

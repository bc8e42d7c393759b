/** Deterministic JSON: sorted keys, no whitespace, `undefined` dropped, non-JSON values stringified. */

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

export { isPlainObject };

/** `String(v)` that never throws (null-prototype objects have no `toString`). */
export function stringOf(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  const s = (v as { toString?: unknown }).toString;
  return typeof s === 'function' ? (v as { toString(): string }).toString() : Object.prototype.toString.call(v);
}

function encode(value: unknown, seen: Set<object>): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'object':
      break;
    default:
      return JSON.stringify(stringOf(value));
  }
  const obj = value;
  if (Array.isArray(obj)) {
    if (seen.has(obj)) throw new TypeError('canonicalJson: cyclic structure');
    seen.add(obj);
    const items = obj.map((item: unknown) => encode(item, seen) ?? 'null');
    seen.delete(obj);
    return `[${items.join(',')}]`;
  }
  if (!isPlainObject(obj)) return JSON.stringify(stringOf(obj));
  if (seen.has(obj)) throw new TypeError('canonicalJson: cyclic structure');
  seen.add(obj);
  const keys = Object.keys(obj).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const encoded = encode(obj[key], seen);
    if (encoded !== undefined) parts.push(`${JSON.stringify(key)}:${encoded}`);
  }
  seen.delete(obj);
  return `{${parts.join(',')}}`;
}

/**
 * Canonical JSON text of a value: object keys sorted by code point, arrays in order, no whitespace,
 * `undefined` members dropped, functions / symbols / bigints / class instances rendered with `String()`,
 * non-finite numbers as `null`. Throws `TypeError` on cycles.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, new Set()) ?? 'null';
}

/** A JSON-safe deep copy (through canonical JSON); `undefined` becomes `null`. */
export function toJsonSafe(value: unknown): unknown {
  return JSON.parse(canonicalJson(value)) as unknown;
}

/** Deep equality by canonical JSON. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Render a value for model-facing text: strings raw, numbers via `String`, others as JSON. */
export function renderValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'function' || typeof value === 'symbol') return stringOf(value);
  try {
    return JSON.stringify(value);
  } catch {
    return stringOf(value);
  }
}

/** A JSON-safe value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Deep copy of a JSON-like value (plain objects and arrays are copied, everything else is kept),
 * optionally frozen. Much cheaper than a JSON round trip for the small objects sessions hold.
 */
export function cloneJson<T>(value: T, freeze = false): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i] as unknown, freeze);
    return (freeze ? Object.freeze(out) : out) as T;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = cloneJson((value as Record<string, unknown>)[key], freeze);
  return (freeze ? Object.freeze(out) : out) as T;
}


import { z } from 'zod';
import { isPlainObject } from '../common/json.js';

export const OutputSizeLimitsSchema = z
  .object({
    maxBytes: z.number().int().positive().default(100_000).describe('UTF-8 size of the JSON; larger results are truncated in the event too'),
    maxTokens: z.number().int().positive().nullable().default(null).describe('model-facing text budget (chars / 4)'),
    maxArrayLength: z.number().int().positive().default(1000).describe('array items kept'),
    maxDepth: z.number().int().positive().default(20).describe('nesting kept'),
    maxStringLength: z.number().int().positive().default(10_000).describe('characters kept per string'),
  })
  .strict();
export type OutputSizeLimits = z.infer<typeof OutputSizeLimitsSchema>;
export type OutputSizeLimitsInput = z.input<typeof OutputSizeLimitsSchema>;

const CHARS_PER_TOKEN = 4;
const encoder = new TextEncoder();
const byteLength = (s: string): number => encoder.encode(s).length;

export interface LimitedOutput {
  value: unknown;
  truncated: boolean;
}

/** Truncate a tool result to the limits: arrays end with `"… <n> more items"`, strings with `"… [truncated <n> chars]"`. */
export function limitOutput(value: unknown, limits: OutputSizeLimitsInput = {}): LimitedOutput {
  const l = OutputSizeLimitsSchema.parse(limits);
  let truncated = false;
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      if (v.length <= l.maxStringLength) return v;
      truncated = true;
      return `${v.slice(0, l.maxStringLength)}… [truncated ${v.length - l.maxStringLength} chars]`;
    }
    if (Array.isArray(v) || isPlainObject(v)) {
      if (depth >= l.maxDepth) {
        truncated = true;
        return '… [max depth]';
      }
      if (Array.isArray(v)) {
        const items = (v as unknown[]).slice(0, l.maxArrayLength).map((x) => walk(x, depth + 1));
        if (v.length > l.maxArrayLength) {
          truncated = true;
          items.push(`… ${v.length - l.maxArrayLength} more items`);
        }
        return items;
      }
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, depth + 1)]));
    }
    return v;
  };
  let out = walk(value, 0);
  const text = JSON.stringify(out) as string | undefined;
  if (text !== undefined && byteLength(text) > l.maxBytes) {
    truncated = true;
    out = `${text.slice(0, l.maxBytes)}… [truncated ${text.length - l.maxBytes} chars]`;
  }
  return { value: out, truncated };
}

/** Cut model-facing text to a token budget (chars / 4). */
export function limitText(text: string, maxTokens: number | null): { text: string; truncated: boolean } {
  if (maxTokens === null) return { text, truncated: false };
  const max = maxTokens * CHARS_PER_TOKEN;
  return text.length <= max ? { text, truncated: false } : { text: `${text.slice(0, max)}… [truncated ${text.length - max} chars]`, truncated: true };
}

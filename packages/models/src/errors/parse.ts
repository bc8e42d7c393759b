import type { z } from 'zod';
import { InvalidInput } from './errors.js';
import type { InputIssue } from './errors.js';

/** Joins a base field name and an issue path into a dotted path (`events.3.token_usage.prompt_tokens`). */
export function joinFieldPath(base: string | undefined, path: readonly PropertyKey[]): string {
  const parts: string[] = [];
  if (base !== undefined && base !== '') parts.push(base);
  for (const p of path) parts.push(typeof p === 'symbol' ? p.toString() : String(p));
  return parts.length === 0 ? 'input' : parts.join('.');
}

/** Converts a zod error into `InvalidInput`, naming the first failing field. */
export function invalidInputFromZod(error: z.ZodError, field?: string): InvalidInput {
  const issues: readonly InputIssue[] = error.issues;
  const first = issues[0];
  return new InvalidInput({
    field: joinFieldPath(field, first?.path ?? []),
    reason: first?.message ?? 'invalid value',
    issues,
    cause: error,
  });
}

/**
 * Parses `value` with `schema`; on failure throws `InvalidInput` whose `field` is `field` followed by
 * the path of the first zod issue.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, field?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidInputFromZod(result.error, field);
}

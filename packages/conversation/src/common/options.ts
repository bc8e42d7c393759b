import type { z } from 'zod';
import { InvalidInput } from '@chuk/models';

/** Parses an options object with its schema; failures become `InvalidInput` naming the field. */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).map(String).join('.');
  const field = [prefix, path].filter((p) => p !== undefined && p !== '').join('.') || 'options';
  throw new InvalidInput({ field, reason: issue?.message ?? 'invalid value', issues: result.error.issues, cause: result.error });
}

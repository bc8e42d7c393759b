import { sha256Hex } from '@chuk/models';
import { canonicalJson } from './json.js';

/** Length of the argument hash stored on bindings. */
export const ARGS_HASH_LENGTH = 16;
/** Length of the argument hash stored in procedural memory. */
export const MEMORY_ARGS_HASH_LENGTH = 12;
/** Length of the idempotency key of a tool call. */
export const IDEMPOTENCY_KEY_LENGTH = 16;

/** First 16 hex chars of SHA-256 over the canonical JSON of the arguments (key-order independent). */
export function computeArgsHash(args: unknown): string {
  return sha256Hex(canonicalJson(args)).slice(0, ARGS_HASH_LENGTH);
}

/** First 12 hex chars of SHA-256 over canonical JSON; `""` when the value cannot be serialised. */
export function hashArguments(args: unknown): string {
  try {
    return sha256Hex(canonicalJson(args)).slice(0, MEMORY_ARGS_HASH_LENGTH);
  } catch {
    return '';
  }
}

/** Idempotency key of a call: SHA-256/16 of `{tool, namespace, arguments}`. */
export function idempotencyKey(call: { tool: string; namespace?: string; arguments: Record<string, unknown> }): string {
  const payload = { tool: call.tool, namespace: call.namespace ?? 'default', arguments: call.arguments };
  return sha256Hex(canonicalJson(payload)).slice(0, IDEMPOTENCY_KEY_LENGTH);
}

import { isPlainObject } from '../common/json.js';
import type { BindingManager } from './bindings.js';
import { BINDING_SOURCE_ASSISTANT_TEXT, BINDING_SOURCE_EXTRACTED } from './constants.js';
import { extractAssignments } from './literals.js';
import type { ValueBinding } from './models.js';

/** Binds `name = number` assignments stated in prose; with `dedupe`, skips ones already bound to that value. */
export function bindStatedAssignments(bindings: BindingManager, text: string, dedupe: boolean): ValueBinding[] {
  const out: ValueBinding[] = [];
  for (const { name, value } of extractAssignments(text)) {
    if (dedupe) {
      const existing = bindings.get(name);
      if (existing !== undefined && existing.raw_value === value && existing.aliases.includes(name)) continue;
    }
    out.push(bindings.bind(BINDING_SOURCE_ASSISTANT_TEXT, { source: BINDING_SOURCE_EXTRACTED }, value, [name]));
  }
  return out;
}

/** Tool names a discovery result announces (`{results: [{name}]}` or `{function: {name}}`), in order. */
export function discoveredToolNames(result: unknown): string[] {
  if (!isPlainObject(result)) return [];
  const { results, function: fn } = result;
  if (Array.isArray(results)) {
    return results.flatMap((item: unknown) => (isPlainObject(item) && typeof item.name === 'string' ? [item.name] : []));
  }
  return isPlainObject(fn) && typeof fn.name === 'string' ? [fn.name] : [];
}

import { z } from 'zod';
import { defaultClock } from '../common/defaults.js';
import { computeArgsHash } from '../common/hash.js';
import { toNumberOrNull } from '../common/numbers.js';
import { classifyValueType, formatBindingForModel, typedValue, ValueBindingSchema } from './models.js';
import type { ReferenceCheckResult, ValueBinding } from './models.js';
import { findReferences, isBindingId, resolveStructurally } from './references.js';
import type { ResolvedArgs } from './references.js';

export const DEFAULT_USED_IN = 'arg_resolution';
/** Relative tolerance of `findByValue`. */
export const FIND_BY_VALUE_TOLERANCE = 0.0001;
const NEAR_ZERO = 1e-10;

export const BindingSnapshotSchema = z.object({
  bindings: z.array(ValueBindingSchema),
  alias_to_id: z.record(z.string(), z.string()),
  next_id: z.number().int().min(1),
});
export type BindingSnapshot = z.infer<typeof BindingSnapshotSchema>;

export interface BindingManagerOptions {
  clock?: () => Date;
}

/** `$vN` value bindings: tool outputs tracked without being interpreted. */
export class BindingManager {
  private readonly bindings = new Map<string, ValueBinding>();
  private readonly aliasToId = new Map<string, string>();
  private nextId = 1;
  private readonly clock: () => Date;

  constructor(opts: BindingManagerOptions = {}) {
    this.clock = opts.clock ?? defaultClock;
  }

  /** The number the next binding will get. */
  get nextIdNumber(): number {
    return this.nextId;
  }

  bind(toolName: string, args: Record<string, unknown>, value: unknown, aliases: readonly string[] = []): ValueBinding {
    const id = `v${this.nextId}`;
    this.nextId++;
    const binding: ValueBinding = {
      id,
      tool_name: toolName,
      args_hash: computeArgsHash(args),
      raw_value: value,
      value_type: classifyValueType(value),
      timestamp: this.clock().toISOString(),
      aliases: [...aliases],
      used: false,
      used_in: [],
    };
    this.bindings.set(id, binding);
    for (const alias of aliases) this.aliasToId.set(alias, id);
    return binding;
  }

  /** By id (`v1`, no `$`) first, then by alias. */
  get(ref: string): ValueBinding | undefined {
    const direct = this.bindings.get(ref);
    if (direct !== undefined) return direct;
    const id = this.aliasToId.get(ref);
    return id === undefined ? undefined : this.bindings.get(id);
  }

  isAlias(name: string): boolean {
    const id = this.aliasToId.get(name);
    return id !== undefined && this.bindings.has(id);
  }

  addAlias(id: string, alias: string): boolean {
    const b = this.bindings.get(id);
    if (b === undefined) return false;
    if (!b.aliases.includes(alias)) b.aliases.push(alias);
    this.aliasToId.set(alias, id);
    return true;
  }

  markUsed(ref: string, usedIn: string): void {
    const b = this.get(ref);
    if (b === undefined) return;
    b.used = true;
    b.used_in.push(usedIn);
  }

  /** Numeric values of all bindings (numbers and numeric strings). */
  getNumericValues(): Set<number> {
    const out = new Set<number>();
    for (const b of this.bindings.values()) {
      const n = toNumberOrNull(b.raw_value);
      if (n !== null) out.add(n);
    }
    return out;
  }

  /** First binding (creation order) equal to `value` within a relative tolerance. */
  findByValue(value: number, tolerance = FIND_BY_VALUE_TOLERANCE): ValueBinding | undefined {
    for (const b of this.bindings.values()) {
      const n = toNumberOrNull(typedValue(b));
      if (n === null) continue;
      if (n === value) return b;
      if (Math.abs(value) > NEAR_ZERO && Math.abs(n) > NEAR_ZERO) {
        if (Math.abs(value - n) / Math.max(Math.abs(value), Math.abs(n)) < tolerance) return b;
      }
    }
    return undefined;
  }

  getUnused(): ValueBinding[] {
    return [...this.bindings.values()].filter((b) => !b.used);
  }

  all(): ValueBinding[] {
    return [...this.bindings.values()];
  }

  /** Read-only view keyed by id. */
  get map(): ReadonlyMap<string, ValueBinding> {
    return this.bindings;
  }

  get size(): number {
    return this.bindings.size;
  }

  get isEmpty(): boolean {
    return this.bindings.size === 0;
  }

  /** A name is a binding reference when it is an id (`v\d+`) or a registered alias. */
  isReferenceName(name: string): boolean {
    return isBindingId(name) || this.isAlias(name);
  }

  /** Unknown `$vN` → missing; other unknown names ignored; aliases resolved. */
  checkReferences(args: Record<string, unknown>): ReferenceCheckResult {
    const missing: string[] = [];
    const resolved: Record<string, unknown> = {};
    for (const ref of findReferences(args)) {
      const b = this.get(ref.name);
      if (b !== undefined) resolved[`$${ref.name}`] = typedValue(b);
      else if (isBindingId(ref.name) && !missing.includes(`$${ref.name}`)) missing.push(`$${ref.name}`);
    }
    return {
      valid: missing.length === 0,
      missing_refs: missing,
      resolved_refs: resolved,
      message: missing.length > 0 ? `Missing references: ${missing.join(', ')}` : 'All references valid',
    };
  }

  resolveReferencesDetailed(args: Record<string, unknown>, usedIn: string = DEFAULT_USED_IN): ResolvedArgs {
    const result = resolveStructurally(args, (name) => {
      const b = this.get(name);
      return b === undefined ? { found: false } : { found: true, value: typedValue(b) };
    });
    for (const r of result.resolved) this.markUsed(r.ref, usedIn);
    return result;
  }

  resolveReferences(args: Record<string, unknown>, usedIn: string = DEFAULT_USED_IN): Record<string, unknown> {
    return this.resolveReferencesDetailed(args, usedIn).args;
  }

  formatForModel(): string {
    if (this.bindings.size === 0) return '';
    const lines = ['**Available Values (reference with $vN):**'];
    for (const b of this.bindings.values()) lines.push(`  ${b.used ? '✓' : '○'} ${formatBindingForModel(b)}`);
    return lines.join('\n');
  }

  formatUnusedWarning(): string {
    const unused = this.getUnused();
    if (unused.length === 0) return '';
    const ids = unused.map((b) => `$${b.id}`).join(', ');
    return `**Note:** tools produced ${ids} but you haven't referenced them yet. Use them in later calls or explain why not.`;
  }

  /** Clear bindings and aliases; numbering restarts at `v1` unless `keepNumbering`. */
  reset(opts: { keepNumbering?: boolean } = {}): void {
    this.bindings.clear();
    this.aliasToId.clear();
    if (opts.keepNumbering !== true) this.nextId = 1;
  }

  toJSON(): BindingSnapshot {
    return {
      bindings: [...this.bindings.values()].map((b) => ({ ...b, aliases: [...b.aliases], used_in: [...b.used_in] })),
      alias_to_id: Object.fromEntries(this.aliasToId),
      next_id: this.nextId,
    };
  }

  static fromJSON(data: unknown, opts: BindingManagerOptions = {}): BindingManager {
    const snap = BindingSnapshotSchema.parse(data);
    const m = new BindingManager(opts);
    for (const b of snap.bindings) m.bindings.set(b.id, b);
    for (const [alias, id] of Object.entries(snap.alias_to_id)) m.aliasToId.set(alias, id);
    m.nextId = snap.next_id;
    return m;
  }
}

import { InvalidInput } from '@chuk/models';
import type { z } from 'zod';
import type { SideEffect } from '../guards/enums.js';
import type { ToolClassOverride, ToolFlagsSource } from '../guards/classification.js';
import { DEFAULT_NAMESPACE } from './call.js';
import type { RetryPolicyInput } from './retry.js';

/** A JSON Schema object describing a tool's arguments. */
export type JsonSchemaObject = Record<string, unknown>;

export interface ToolContext {
  callId: string;
  attempt: number;
  signal: AbortSignal;
  sessionId?: string;
  /** The call's `_idempotency_key` argument (taken out of the arguments), for tools that deduplicate by it. */
  idempotencyKey?: string;
}

export interface ToolDefinition<I = Record<string, unknown>, O = unknown> {
  /** `[A-Za-z0-9_-]{1,64}` recommended (provider name limits). */
  name: string;
  namespace?: string;
  description?: string;
  /** Preferred: a zod schema for the arguments. */
  inputSchema?: z.ZodType<I>;
  /** Alternative: a JSON Schema for the arguments object (validated with ajv). */
  parameters?: JsonSchemaObject;
  execute(args: I, ctx: ToolContext): Promise<O> | O | AsyncIterable<O>;
  /** Per-attempt timeout override. */
  timeoutMs?: number;
  retry?: RetryPolicyInput | false;
  /** Only opts a tool out: tools are cached when declared idempotent or read-only. */
  cacheable?: boolean;
  cacheTtlMs?: number | null;
  idempotent?: boolean;
  discovery?: boolean;
  parameterized?: boolean;
  sideEffect?: SideEffect;
  rateLimit?: { limit: number; periodMs: number };
  maxConcurrency?: number;
  /** Exempt from duplicate-batch detection. */
  polling?: boolean;
}

/** A definition with erased argument and result types, as stored in the registry. */
export type AnyToolDefinition = Omit<ToolDefinition<never>, 'inputSchema'> & { inputSchema?: z.ZodType };

export interface ResolvedTool {
  def: AnyToolDefinition;
  namespace: string;
}

/** Tools by namespace and name. No globals: each registry is its own. */
export class ToolRegistry implements ToolFlagsSource {
  private readonly namespaces = new Map<string, Map<string, AnyToolDefinition>>();

  register<I, O>(def: ToolDefinition<I, O>, opts: { replace?: boolean } = {}): void {
    if (typeof def.name !== 'string' || def.name === '') throw new InvalidInput({ field: 'name', reason: 'a tool needs a non-empty name' });
    const ns = def.namespace ?? DEFAULT_NAMESPACE;
    let tools = this.namespaces.get(ns);
    if (tools === undefined) {
      tools = new Map();
      this.namespaces.set(ns, tools);
    }
    if (tools.has(def.name) && opts.replace !== true) {
      throw new InvalidInput({ field: 'name', reason: `tool '${ns}.${def.name}' is already registered` });
    }
    tools.set(def.name, def);
  }

  unregister(name: string, namespace: string = DEFAULT_NAMESPACE): boolean {
    return this.namespaces.get(namespace)?.delete(name) ?? false;
  }

  get(name: string, namespace: string = DEFAULT_NAMESPACE): AnyToolDefinition | undefined {
    return this.namespaces.get(namespace)?.get(name);
  }

  /**
   * Dotted names (and exported `ns__name` names) are split on the first separator and looked up exactly;
   * otherwise the preferred namespace, then `default`, then every other namespace in registration order.
   */
  resolve(name: string, preferredNamespace?: string): ResolvedTool | undefined {
    const sep = name.indexOf('__');
    if (sep > 0 && name.indexOf('.') < 0 && this.namespaces.has(name.slice(0, sep)) && this.resolve(name.slice(0, sep) + '.' + name.slice(sep + 2)) !== undefined) {
      return this.resolve(`${name.slice(0, sep)}.${name.slice(sep + 2)}`);
    }
    const dot = name.indexOf('.');
    if (dot > 0) {
      const ns = name.slice(0, dot);
      const def = this.get(name.slice(dot + 1), ns);
      return def === undefined ? undefined : { def, namespace: ns };
    }
    const order = [preferredNamespace, DEFAULT_NAMESPACE, ...this.namespaces.keys()].filter((n): n is string => n !== undefined);
    for (const ns of new Set(order)) {
      const def = this.get(name, ns);
      if (def !== undefined) return { def, namespace: ns };
    }
    return undefined;
  }

  list(): Array<{ namespace: string; name: string }> {
    const out: Array<{ namespace: string; name: string }> = [];
    for (const [namespace, tools] of this.namespaces) for (const name of tools.keys()) out.push({ namespace, name });
    return out;
  }

  definitions(): ResolvedTool[] {
    const out: ResolvedTool[] = [];
    for (const [namespace, tools] of this.namespaces) for (const def of tools.values()) out.push({ def, namespace });
    return out;
  }

  listNamespaces(): string[] {
    return [...this.namespaces.keys()];
  }

  get size(): number {
    let n = 0;
    for (const tools of this.namespaces.values()) n += tools.size;
    return n;
  }

  /** Classification flags declared on the definition (for `RegistryToolClassifier`). */
  flagsFor(toolName: string): ToolClassOverride | undefined {
    const def = this.resolve(toolName)?.def;
    if (def === undefined) return undefined;
    const flags: ToolClassOverride = {};
    if (def.discovery !== undefined) flags.discovery = def.discovery;
    if (def.idempotent !== undefined) flags.idempotent = def.idempotent;
    if (def.parameterized !== undefined) flags.parameterized = def.parameterized;
    if (def.sideEffect !== undefined) flags.sideEffect = def.sideEffect;
    return flags;
  }
}

/** Cacheable when declared idempotent or read-only and not opted out (README D6). */
export const isCacheableTool = (def: AnyToolDefinition): boolean =>
  def.cacheable !== false && (def.idempotent === true || def.sideEffect === 'read_only');

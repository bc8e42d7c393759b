import { baseToolName } from '../common/names.js';
import { SideEffect } from './enums.js';

export const DISCOVERY_TOOLS: ReadonlySet<string> = new Set(['list_tools', 'search_tools', 'get_tool_schema', 'get_tool_schemas']);
export const IDEMPOTENT_MATH_TOOLS: ReadonlySet<string> = new Set([
  'add', 'subtract', 'multiply', 'divide', 'sqrt', 'pow', 'power', 'log', 'exp', 'sin', 'cos', 'tan', 'abs', 'floor', 'ceil', 'round',
]);
export const PARAMETERIZED_TOOLS: ReadonlySet<string> = new Set([
  'normal_cdf', 'normal_pdf', 'normal_sf', 't_cdf', 't_sf', 't_test', 'chi_cdf', 'chi_sf', 'chi_square',
]);
/** CTP's substring patterns for budget discovery classification (opt-in via `discoveryPatterns`). */
export const CTP_DISCOVERY_PATTERNS: readonly string[] = [
  'search_', '_search', 'list_', '_list', '_schema', 'schema_', '_tools', 'tools_', 'get_tool', 'find_tool', 'discover', 'browse',
];
export const READ_ONLY_PATTERNS: readonly string[] = [
  'get', 'list', 'search', 'read', 'fetch', 'query', 'describe', 'show', 'find', 'lookup', 'check', 'validate', 'verify', 'count', 'exists',
];
export const WRITE_PATTERNS: readonly string[] = [
  'create', 'update', 'put', 'post', 'write', 'save', 'set', 'add', 'insert', 'modify', 'patch', 'upload', 'send', 'submit',
];
export const DESTRUCTIVE_PATTERNS: readonly string[] = [
  'delete', 'remove', 'drop', 'truncate', 'destroy', 'purge', 'clear', 'reset', 'wipe', 'revoke', 'terminate', 'kill',
];
export const NETWORK_PATTERNS: readonly string[] = ['http', 'fetch', 'request', 'api', 'webhook', 'curl', 'download', 'upload', 'socket', 'connect'];

export const isDiscoveryTool = (name: string): boolean => DISCOVERY_TOOLS.has(baseToolName(name));
export const isIdempotentMathTool = (name: string): boolean => IDEMPOTENT_MATH_TOOLS.has(baseToolName(name));
export const isParameterizedTool = (name: string): boolean => PARAMETERIZED_TOOLS.has(baseToolName(name));

/** Side effect guessed from the base name: destructive patterns first, then read-only, default write. */
export function classifySideEffect(name: string): SideEffect {
  const base = baseToolName(name);
  if (DESTRUCTIVE_PATTERNS.some((p) => base.includes(p))) return SideEffect.Destructive;
  if (READ_ONLY_PATTERNS.some((p) => base.includes(p))) return SideEffect.ReadOnly;
  return SideEffect.Write;
}

export const isNetworkTool = (name: string): boolean => NETWORK_PATTERNS.some((p) => baseToolName(name).includes(p));

/** One classifier shared by every guard, so budgets, runaway checks and exemptions agree. */
export interface ToolClassifier {
  isDiscovery(toolName: string): boolean;
  /** Exempt from per-tool limits, safe to auto-rebind. */
  isIdempotent(toolName: string): boolean;
  /** The precondition guard applies. */
  isParameterized(toolName: string): boolean;
  sideEffect(toolName: string): SideEffect;
}

export interface ToolClassOverride {
  discovery?: boolean;
  idempotent?: boolean;
  parameterized?: boolean;
  sideEffect?: SideEffect;
}

export interface DefaultToolClassifierOptions {
  discoveryTools?: Iterable<string>;
  /** Substring patterns (CTP budget semantics); default off. */
  discoveryPatterns?: Iterable<string> | false;
  idempotentTools?: Iterable<string>;
  parameterizedTools?: Iterable<string>;
  /** Keyed by base name. */
  overrides?: Record<string, ToolClassOverride>;
}

const lowerSet = (items: Iterable<string>): Set<string> => new Set([...items].map((s) => s.toLowerCase()));

export class DefaultToolClassifier implements ToolClassifier {
  private readonly discovery: Set<string>;
  private readonly patterns: string[];
  private readonly idempotent: Set<string>;
  private readonly parameterized: Set<string>;
  private readonly overrides: Map<string, ToolClassOverride>;

  constructor(opts: DefaultToolClassifierOptions = {}) {
    this.discovery = lowerSet(opts.discoveryTools ?? DISCOVERY_TOOLS);
    this.patterns = opts.discoveryPatterns === false || opts.discoveryPatterns === undefined ? [] : [...opts.discoveryPatterns];
    this.idempotent = lowerSet(opts.idempotentTools ?? IDEMPOTENT_MATH_TOOLS);
    this.parameterized = lowerSet(opts.parameterizedTools ?? PARAMETERIZED_TOOLS);
    this.overrides = new Map(Object.entries(opts.overrides ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  }

  private override(name: string): ToolClassOverride | undefined {
    return this.overrides.get(baseToolName(name));
  }

  isDiscovery(toolName: string): boolean {
    const o = this.override(toolName)?.discovery;
    if (o !== undefined) return o;
    if (this.discovery.has(baseToolName(toolName))) return true;
    const full = toolName.toLowerCase();
    return this.patterns.some((p) => full.includes(p));
  }

  isIdempotent(toolName: string): boolean {
    return this.override(toolName)?.idempotent ?? this.idempotent.has(baseToolName(toolName));
  }

  isParameterized(toolName: string): boolean {
    return this.override(toolName)?.parameterized ?? this.parameterized.has(baseToolName(toolName));
  }

  sideEffect(toolName: string): SideEffect {
    return this.override(toolName)?.sideEffect ?? classifySideEffect(toolName);
  }
}

/** Flags a registered tool definition may declare. */
export interface ToolFlagsSource {
  flagsFor(toolName: string): ToolClassOverride | undefined;
}

/** Consults tool-definition flags first, then a fallback classifier. */
export class RegistryToolClassifier implements ToolClassifier {
  constructor(
    private readonly source: ToolFlagsSource,
    private readonly fallback: ToolClassifier = new DefaultToolClassifier(),
  ) {}

  isDiscovery(toolName: string): boolean {
    return this.source.flagsFor(toolName)?.discovery ?? this.fallback.isDiscovery(toolName);
  }
  isIdempotent(toolName: string): boolean {
    return this.source.flagsFor(toolName)?.idempotent ?? this.fallback.isIdempotent(toolName);
  }
  isParameterized(toolName: string): boolean {
    return this.source.flagsFor(toolName)?.parameterized ?? this.fallback.isParameterized(toolName);
  }
  sideEffect(toolName: string): SideEffect {
    return this.source.flagsFor(toolName)?.sideEffect ?? this.fallback.sideEffect(toolName);
  }}

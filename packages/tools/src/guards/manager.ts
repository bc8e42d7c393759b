import { InvalidInput, noopLogger } from '@chuk/models';
import type { Logger } from '@chuk/models';
import { defaultClock } from '../common/defaults.js';
import { canonicalJson, isPlainObject } from '../common/json.js';
import { fmtModelNumber } from '../common/numbers.js';
import { ToolResultCache } from '../execution/cache.js';
import { BindingManager } from './bindings.js';
import type { ToolClassifier } from './classification.js';
import { DefaultToolClassifier } from './classification.js';
import { BudgetGuard } from './budget.js';
import { BINDING_SOURCE_ASSISTANT_TEXT, BINDING_SOURCE_EXTRACTED } from './constants.js';
import { BudgetKind, GuardVerdict, RunawayPattern, RuntimeMode, RuntimeModeSchema } from './enums.js';
import type { RunawayPattern as RunawayPatternT } from './enums.js';
import { allowResult, runChain } from './guard.js';
import type { Guard, GuardChainResult, GuardResult } from './guard.js';
import { parseRuntimeLimits, runtimeLimitsPreset } from './limits.js';
import type { RuntimeLimits, RuntimeLimitsInput } from './limits.js';
import { extractAssignments, extractUserLiterals } from './literals.js';
import type { UserLiteralOptions } from './literals.js';
import type {
  BudgetStatus,
  CacheStats,
  CachedToolResult,
  NamedVariable,
  PerToolCallStatus,
  ReferenceCheckResult,
  RunawayStatus,
  ToolBudgetBranch,
  UngroundedCallResult,
  ValueBinding,
} from './models.js';
import { PerToolGuard } from './per-tool.js';
import { PreconditionGuard } from './precondition.js';
import { RunawayGuard } from './runaway.js';
import { UngroundedGuard } from './ungrounded.js';
import type { ResolvedArgs } from './references.js';
import { softBlockRepair } from './repair.js';
import type { SoftBlockReason } from './enums.js';
import type { SoftBlockRepairResult } from './repair.js';
import { ToolStateSnapshotSchema } from './snapshot.js';
import type { ToolStateSnapshot } from './snapshot.js';

export const BindingIdPolicy = { RestartPerPrompt: 'restart-per-prompt', Monotonic: 'monotonic' } as const;
export type BindingIdPolicy = (typeof BindingIdPolicy)[keyof typeof BindingIdPolicy];

/** Numbers a parameterized tool may take without grounding. */
export const PRECONDITION_SAFE_VALUES: ReadonlySet<number> = new Set([0, 1]);
export const PRECONDITION_TOLERANCE = 1e-9;
const MAX_UNUSED_LISTED = 5;
const DEFAULT_STATE_ITEMS = 10;

export interface ToolStateManagerOptions {
  limits?: RuntimeLimitsInput;
  classifier?: ToolClassifier;
  cache?: ToolResultCache;
  bindings?: BindingManager;
  /** Default `"monotonic"`: `$vN` ids are never reused within a session. */
  bindingIdPolicy?: BindingIdPolicy;
  clock?: () => Date;
  logger?: Logger;
}

const emptyBranch = (): ToolBudgetBranch => ({ used: 0, limit: 0, remaining: 0 });

const baseStatus = (): RunawayStatus => ({
  should_stop: false,
  reason: null,
  budget_exhausted: false,
  degenerate_detected: false,
  saturation_detected: false,
  repeat_detected: false,
  loop_detected: false,
  budget_kind: null,
  calls_remaining: 0,
});

/**
 * Coordinates `$vN` bindings, the result cache, user literals and the guards (precondition, budget,
 * ungrounded, per-tool, runaway). Guards block or warn; they never rewrite a call.
 */
export class ToolStateManager {
  readonly bindings: BindingManager;
  readonly cache: ToolResultCache;
  readonly classifier: ToolClassifier;
  readonly bindingIdPolicy: BindingIdPolicy;
  preconditionGuard: PreconditionGuard | null;
  budgetGuard: BudgetGuard | null;
  ungroundedGuard: UngroundedGuard | null;
  runawayGuard: RunawayGuard | null;
  perToolGuard: PerToolGuard | null;
  private currentLimits: RuntimeLimits;
  private readonly literals = new Set<number>();
  private readonly toolCounts = new Map<string, number>();
  private ungroundedMemo: { key: string; result: GuardResult } | null = null;
  private readonly clock: () => Date;
  private readonly logger: Logger;

  constructor(opts: ToolStateManagerOptions = {}) {
    this.clock = opts.clock ?? defaultClock;
    this.logger = opts.logger ?? noopLogger;
    this.currentLimits = parseRuntimeLimits(opts.limits);
    this.classifier = opts.classifier ?? new DefaultToolClassifier();
    this.bindings = opts.bindings ?? new BindingManager({ clock: this.clock });
    this.cache = opts.cache ?? new ToolResultCache({ clock: this.clock, scope: this.currentLimits.cache_scope });
    this.bindingIdPolicy = opts.bindingIdPolicy ?? BindingIdPolicy.Monotonic;
    const c = this.classifier;
    this.preconditionGuard = new PreconditionGuard(
      {
        getBindingCount: () => this.bindings.size,
        getBindingValues: () => this.bindings.getNumericValues(),
        getUserLiterals: () => this.literals,
      },
      { isParameterized: (t) => c.isParameterized(t), safeValues: PRECONDITION_SAFE_VALUES, floatTolerance: PRECONDITION_TOLERANCE },
    );
    this.budgetGuard = new BudgetGuard({}, c);
    this.ungroundedGuard = new UngroundedGuard(
      { getUserLiterals: () => this.literals, bindings: this.bindings },
      { isExempt: (t) => c.isDiscovery(t) || c.isIdempotent(t) },
    );
    this.runawayGuard = new RunawayGuard(this.currentLimits.runaway ?? {});
    this.perToolGuard = new PerToolGuard({ isExempt: (t) => c.isDiscovery(t) || c.isIdempotent(t) });
    this.applyLimits();
  }

  get limits(): RuntimeLimits {
    return this.currentLimits;
  }

  get userLiterals(): ReadonlySet<number> {
    return this.literals;
  }

  private applyLimits(): void {
    const l = this.currentLimits;
    if (this.budgetGuard !== null) {
      this.budgetGuard.config = { discoveryBudget: l.discovery_budget, executionBudget: l.execution_budget, totalBudget: l.tool_budget_total };
    }
    if (this.ungroundedGuard !== null) {
      this.ungroundedGuard.config = { ...this.ungroundedGuard.config, graceCalls: l.ungrounded_grace_calls, mode: l.require_bindings };
    }
    if (this.perToolGuard !== null) this.perToolGuard.config = { ...this.perToolGuard.config, defaultLimit: l.per_tool_cap };
    if (this.runawayGuard !== null && l.runaway !== undefined) this.runawayGuard.config = l.runaway;
    this.ungroundedMemo = null;
  }

  private resetCounters(): void {
    this.budgetGuard?.reset();
    this.ungroundedGuard?.reset();
    this.runawayGuard?.reset();
    this.perToolGuard?.reset();
    this.toolCounts.clear();
    this.ungroundedMemo = null;
  }

  // ── configuration ────────────────────────────────────────────────────────────────────────────

  /** Replace the limits; guard counters are kept unless `resetCounters`. */
  async configure(limits: RuntimeLimitsInput, opts: { resetCounters?: boolean } = {}): Promise<void> {
    this.currentLimits = parseRuntimeLimits(limits);
    this.applyLimits();
    if (opts.resetCounters === true) this.resetCounters();
  }

  /** Apply the `smooth` or `strict` preset (case-insensitive). */
  async setMode(mode: string): Promise<void> {
    const parsed = RuntimeModeSchema.safeParse(mode.toLowerCase());
    if (!parsed.success) {
      throw new InvalidInput({ field: 'mode', reason: `expected ${Object.values(RuntimeMode).join(' or ')}, got "${mode}"`, issues: parsed.error.issues });
    }
    await this.configure(runtimeLimitsPreset(parsed.data));
  }

  /** Change the three budgets only; every other limit is kept. */
  async setBudget(n: number): Promise<void> {
    await this.configure({ ...this.currentLimits, discovery_budget: n, execution_budget: n, tool_budget_total: n });
  }

  // ── guard checks ─────────────────────────────────────────────────────────────────────────────

  private memoUngrounded(tool: string, args: Record<string, unknown>, callId?: string): GuardResult {
    const guard = this.ungroundedGuard;
    if (guard === null) return allowResult();
    const key = `${callId ?? ''}|${tool}:${canonicalJson(args)}`;
    if (this.ungroundedMemo?.key === key) return this.ungroundedMemo.result;
    const result = guard.check(tool, args);
    this.ungroundedMemo = { key, result };
    return result;
  }

  /** Precondition → budget → ungrounded → per-tool; the first BLOCK wins, warnings are aggregated. */
  async checkAllGuards(tool: string, args: Record<string, unknown>, opts: { callId?: string } = {}): Promise<GuardChainResult> {
    const entries: Array<{ name: string; guard: Guard }> = [];
    if (this.preconditionGuard !== null) entries.push({ name: this.preconditionGuard.name, guard: this.preconditionGuard });
    if (this.budgetGuard !== null) entries.push({ name: this.budgetGuard.name, guard: this.budgetGuard });
    const ungrounded = this.ungroundedGuard;
    if (ungrounded !== null) {
      entries.push({ name: ungrounded.name, guard: { name: ungrounded.name, check: (t, a) => this.memoUngrounded(t, a, opts.callId) } });
    }
    if (this.perToolGuard !== null) entries.push({ name: this.perToolGuard.name, guard: this.perToolGuard });
    const result = await runChain(entries, args, (guard, working) => guard.check(tool, working));
    if (result.final_verdict !== GuardVerdict.Allow) {
      this.logger.debug({ tool, verdict: result.final_verdict, reason: result.final_reason }, 'tool guard verdict');
    }
    return result;
  }

  async checkPreconditions(tool: string, args: Record<string, unknown>): Promise<{ ok: boolean; reason: string | null }> {
    if (this.preconditionGuard === null) return { ok: true, reason: null };
    const r = this.preconditionGuard.check(tool, args);
    return r.verdict === GuardVerdict.Block ? { ok: false, reason: r.reason } : { ok: true, reason: null };
  }

  /** Alias of `checkPreconditions`. */
  async checkToolPreconditions(tool: string, args: Record<string, unknown>): Promise<{ ok: boolean; reason: string | null }> {
    return this.checkPreconditions(tool, args);
  }

  async checkPerToolLimit(tool: string): Promise<GuardResult> {
    return this.perToolGuard === null ? allowResult() : this.perToolGuard.check(tool);
  }

  async checkBudget(tool: string): Promise<GuardResult> {
    return this.budgetGuard === null ? allowResult() : this.budgetGuard.check(tool);
  }

  /** The ungrounded verdict as a result model (the guard's own numeric args; a call checked twice counts once). */
  async checkUngroundedCall(tool: string, args: Record<string, unknown>, opts: { callId?: string } = {}): Promise<UngroundedCallResult> {
    const r = this.memoUngrounded(tool, args, opts.callId);
    if (r.verdict === GuardVerdict.Allow) return { is_ungrounded: false, numeric_args: [], has_bindings: !this.bindings.isEmpty, message: '' };
    const numeric = r.details.numeric_args;
    return {
      is_ungrounded: true,
      numeric_args: Array.isArray(numeric) ? numeric.map(String) : [],
      has_bindings: r.details.has_bindings === true,
      message: r.reason,
    };
  }

  /** The last ungrounded verdict computed for this call, if any (for the runner's BLOCK/WARN decision). */
  async ungroundedVerdict(tool: string, args: Record<string, unknown>, opts: { callId?: string } = {}): Promise<GuardResult> {
    return this.memoUngrounded(tool, args, opts.callId);
  }

  // ── bindings ─────────────────────────────────────────────────────────────────────────────────

  async bindValue(tool: string, args: Record<string, unknown>, value: unknown, aliases?: readonly string[]): Promise<ValueBinding> {
    this.ungroundedMemo = null;
    return this.bindings.bind(tool, args, value, aliases);
  }

  getBinding(ref: string): ValueBinding | undefined {
    return this.bindings.get(ref.startsWith('$') ? ref.slice(1) : ref);
  }

  async resolveReferences(args: Record<string, unknown>, usedIn?: string): Promise<Record<string, unknown>> {
    return this.bindings.resolveReferences(args, usedIn);
  }

  async resolveReferencesDetailed(args: Record<string, unknown>, usedIn?: string): Promise<ResolvedArgs> {
    return this.bindings.resolveReferencesDetailed(args, usedIn);
  }

  async checkReferences(args: Record<string, unknown>): Promise<ReferenceCheckResult> {
    return this.bindings.checkReferences(args);
  }

  formatBindingsForModel(): string {
    return this.bindings.formatForModel();
  }

  /** Bind `name = number` assignments the assistant stated in prose (skipping ones already bound). */
  async extractBindingsFromText(text: string, opts: { dedupe?: boolean } = {}): Promise<ValueBinding[]> {
    const dedupe = opts.dedupe ?? true;
    const out: ValueBinding[] = [];
    for (const { name, value } of extractAssignments(text)) {
      if (dedupe) {
        const existing = this.bindings.get(name);
        if (existing !== undefined && existing.raw_value === value && existing.aliases.includes(name)) continue;
      }
      out.push(this.bindings.bind(BINDING_SOURCE_ASSISTANT_TEXT, { source: BINDING_SOURCE_EXTRACTED }, value, [name]));
    }
    if (out.length > 0) this.ungroundedMemo = null;
    return out;
  }

  shouldAutoRebound(tool: string): boolean {
    return this.classifier.isIdempotent(tool) && !this.bindings.isEmpty;
  }

  // ── user literals ────────────────────────────────────────────────────────────────────────────

  /** Numbers of the user's prompt become grounded; returns how many were matched and how many were new. */
  async registerUserLiterals(text: string, opts: UserLiteralOptions = {}): Promise<{ matched: number; added: number }> {
    const values = extractUserLiterals(text, opts);
    let added = 0;
    for (const v of values) {
      if (!this.literals.has(v)) {
        this.literals.add(v);
        added++;
      }
    }
    this.ungroundedMemo = null;
    return { matched: values.length, added };
  }

  // ── cache ────────────────────────────────────────────────────────────────────────────────────

  /** A hit counts a duplicate. */
  async getCachedResult(tool: string, args: Record<string, unknown>): Promise<CachedToolResult | undefined> {
    return this.cache.get(tool, args);
  }

  async cacheResult(tool: string, args: Record<string, unknown>, result: unknown, opts?: { ttlMs?: number | null }): Promise<CachedToolResult> {
    return this.cache.put(tool, args, result, opts);
  }

  async storeVariable(name: string, value: number, units?: string, sourceTool?: string, sourceArgs?: Record<string, unknown>): Promise<NamedVariable> {
    return this.cache.storeVariable(name, value, {
      ...(units !== undefined ? { units } : {}),
      ...(sourceTool !== undefined ? { sourceTool } : {}),
      ...(sourceArgs !== undefined ? { sourceArgs } : {}),
    });
  }

  getVariable(name: string): NamedVariable | undefined {
    return this.cache.getVariable(name);
  }

  getCacheStats(): CacheStats {
    return this.cache.getStats();
  }

  formatDuplicateMessage(tool: string, args: Record<string, unknown>): string {
    return this.cache.formatDuplicateMessage(tool, args);
  }

  getDuplicateCount(): number {
    return this.cache.duplicateCount;
  }

  // ── budgets and per-tool counts ──────────────────────────────────────────────────────────────

  /** The one mutator for call counts: budget, per-tool guard, manager counts, and (with arguments) loop history. */
  async recordToolCall(tool: string, args?: Record<string, unknown>): Promise<void> {
    this.budgetGuard?.recordCall(tool);
    this.perToolGuard?.recordCall(tool);
    if (args !== undefined) this.runawayGuard?.recordCall(tool, args);
    const key = tool.toLowerCase();
    this.toolCounts.set(key, (this.toolCounts.get(key) ?? 0) + 1);
    this.ungroundedMemo = null;
  }

  /** @deprecated Use `recordToolCall` (one counter, no double counting). */
  async incrementToolCall(tool: string): Promise<void> {
    await this.recordToolCall(tool);
  }

  async incrementDiscoveryCall(): Promise<void> {
    await this.recordToolCall('search_tools');
  }

  async incrementExecutionCall(): Promise<void> {
    await this.recordToolCall('execute_tool');
  }

  getToolCallCount(tool: string): number {
    return this.perToolGuard?.getCallCount(tool) ?? this.toolCounts.get(tool.toLowerCase()) ?? 0;
  }

  trackToolCall(tool: string): PerToolCallStatus {
    const count = this.getToolCallCount(tool);
    const max = this.currentLimits.per_tool_cap;
    return { tool_name: tool, call_count: count, max_calls: max, requires_justification: max > 0 && count >= max };
  }

  formatToolLimitWarning(tool: string): string {
    const s = this.trackToolCall(tool);
    return `\`${tool}\` has been called ${s.call_count} times (limit: ${s.max_calls}). Use the cached or computed values instead of calling it again.`;
  }

  getBudgetStatus(): BudgetStatus {
    const s = this.budgetGuard?.getStatus();
    return s === undefined
      ? { discovery: emptyBranch(), execution: emptyBranch(), total: emptyBranch() }
      : { discovery: s.discovery, execution: s.execution, total: s.total };
  }

  getDiscoveryStatus(): ToolBudgetBranch {
    return this.getBudgetStatus().discovery;
  }

  getExecutionStatus(): ToolBudgetBranch {
    return this.getBudgetStatus().execution;
  }

  isDiscoveryExhausted(): boolean {
    const b = this.getDiscoveryStatus();
    return this.budgetGuard !== null && b.used >= b.limit;
  }

  isExecutionExhausted(): boolean {
    const b = this.getExecutionStatus();
    return this.budgetGuard !== null && b.used >= b.limit;
  }

  async registerDiscoveredTool(name: string): Promise<void> {
    this.budgetGuard?.registerDiscoveredTool(name);
  }

  getDiscoveredTools(): Set<string> {
    return new Set(this.budgetGuard?.discoveredTools ?? []);
  }

  isToolDiscovered(name: string): boolean {
    return this.budgetGuard?.discoveredTools.has(name) ?? false;
  }

  /** Register tools named in a discovery result (`{results: [{name}]}` or `{function: {name}}`). */
  async classifyByResult(_tool: string, result: unknown): Promise<void> {
    if (!isPlainObject(result)) return;
    const { results, function: fn } = result;
    if (Array.isArray(results)) {
      for (const item of results) {
        if (isPlainObject(item) && typeof item.name === 'string') await this.registerDiscoveredTool(item.name);
      }
    } else if (isPlainObject(fn) && typeof fn.name === 'string') {
      await this.registerDiscoveredTool(fn.name);
    }
  }

  async recordNumericResult(value: unknown): Promise<void> {
    this.runawayGuard?.recordResult(value);
  }

  get recentNumericResults(): readonly number[] {
    return this.runawayGuard?.recentValues ?? [];
  }

  formatBudgetStatus(): string {
    if (this.budgetGuard === null) return '';
    const { discovery: d, execution: e } = this.getBudgetStatus();
    return `Discovery: ${d.used}/${d.limit} | Execution: ${e.used}/${e.limit}`;
  }

  // ── runaway ──────────────────────────────────────────────────────────────────────────────────

  /** Should tool use stop? Runaway patterns (and loops, when a call is given), then budgets. */
  async checkRunaway(tool?: string, args?: Record<string, unknown>): Promise<RunawayStatus> {
    const r = this.runawayGuard?.check(tool, args);
    if (r !== undefined && r.verdict === GuardVerdict.Block) {
      const pattern = r.details.pattern as RunawayPatternT;
      return {
        ...baseStatus(),
        should_stop: true,
        reason: r.reason,
        saturation_detected: pattern === RunawayPattern.Saturation,
        degenerate_detected: pattern === RunawayPattern.Degenerate || pattern === RunawayPattern.Repeat,
        repeat_detected: pattern === RunawayPattern.Repeat,
        loop_detected: pattern === RunawayPattern.RepeatedCall || pattern === RunawayPattern.PingPong,
      };
    }
    if (this.budgetGuard === null) return baseStatus();
    const { discovery, execution, total } = this.getBudgetStatus();
    const exhausted = (reason: string, kind: BudgetKind): RunawayStatus => ({
      ...baseStatus(),
      should_stop: true,
      reason,
      budget_exhausted: true,
      budget_kind: kind,
    });
    if (tool !== undefined) {
      if (this.classifier.isDiscovery(tool)) {
        if (discovery.used >= discovery.limit) return exhausted('Discovery budget exhausted', BudgetKind.Discovery);
      } else if (execution.used >= execution.limit) {
        return exhausted('Execution budget exhausted', BudgetKind.Execution);
      }
    }
    if (discovery.used + execution.used >= total.limit) return exhausted('Total tool budget exhausted', BudgetKind.Total);
    return { ...baseStatus(), calls_remaining: total.limit - total.used };
  }

  // ── soft-block repair ────────────────────────────────────────────────────────────────────────

  /** Rebind literal arguments to existing `$vN` bindings of equal value (recorded by the runner, never silent). */
  async trySoftBlockRepair(tool: string, args: Record<string, unknown>, reason: SoftBlockReason | UngroundedCallResult): Promise<SoftBlockRepairResult> {
    return softBlockRepair(tool, args, reason, { bindings: this.bindings.all(), userLiterals: this.literals });
  }

  // ── formatting ───────────────────────────────────────────────────────────────────────────────

  formatStateForModel(maxItems = DEFAULT_STATE_ITEMS): string {
    return [this.bindings.formatForModel(), this.cache.formatState(maxItems)].filter((s) => s !== '').join('\n\n');
  }

  private withState(lines: string[]): string {
    const state = this.formatStateForModel();
    return [...lines.slice(0, 2), ...(state === '' ? [] : ['', state]), '', ...lines.slice(2)].join('\n');
  }

  formatDiscoveryExhaustedMessage(): string {
    return this.withState([
      '**Discovery budget exhausted**',
      'No more tool discovery calls are allowed in this prompt.',
      'Proceed with the tool schemas you already know.',
    ]);
  }

  formatExecutionExhaustedMessage(): string {
    return this.withState([
      '**Execution budget exhausted**',
      'No more tool executions are allowed in this prompt.',
      'Give the final answer using the computed values.',
    ]);
  }

  formatBudgetExhaustedMessage(): string {
    return this.withState([
      '**Tool budget exhausted**',
      'The tool-call budget for this prompt is used up.',
      'Give the final answer using the computed values.',
    ]);
  }

  formatSaturationMessage(lastValue: number): string {
    return this.withState([
      `**Numeric saturation detected.** Last value: ${fmtModelNumber(lastValue)}`,
      'The values have converged or reached the limits of numeric precision.',
      'Give the final answer using the computed values.',
    ]);
  }

  formatUnusedWarning(): string {
    const unused = this.bindings.getUnused();
    if (unused.length === 0) return '';
    const ids = unused.slice(0, MAX_UNUSED_LISTED).map((b) => `$${b.id}`);
    const more = unused.length > MAX_UNUSED_LISTED ? ` (+${unused.length - MAX_UNUSED_LISTED} more)` : '';
    return `Unused tool results: ${ids.join(', ')}${more}. Consider using these values.`;
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────────

  /** Per user prompt: clears bindings (numbering per policy), literals, counters; turn-scoped cache results. */
  async resetForNewPrompt(): Promise<void> {
    this.bindings.reset({ keepNumbering: this.bindingIdPolicy === BindingIdPolicy.Monotonic });
    this.literals.clear();
    this.resetCounters();
    if (this.currentLimits.cache_scope === 'turn') this.cache.clearResults();
  }

  /** New conversation: everything, numbering restarts at `v1`. */
  async clear(): Promise<void> {
    this.bindings.reset();
    this.cache.reset();
    this.literals.clear();
    await this.resetForNewPrompt();
  }

  // ── persistence ──────────────────────────────────────────────────────────────────────────────

  toJSON(): ToolStateSnapshot {
    return {
      schema_version: 1,
      limits: this.currentLimits,
      binding_id_policy: this.bindingIdPolicy,
      bindings: this.bindings.toJSON(),
      cache: this.cache.toJSON(),
      user_literals: [...this.literals],
      budget: this.budgetGuard?.toJSON() ?? null,
      per_tool_counts: this.perToolGuard?.toJSON() ?? {},
      ungrounded_count: this.ungroundedGuard?.count ?? 0,
      runaway: this.runawayGuard?.toJSON() ?? null,
      tool_counts: Object.fromEntries(this.toolCounts),
    };
  }

  static fromJSON(data: unknown, opts: Omit<ToolStateManagerOptions, 'limits' | 'bindings' | 'cache' | 'bindingIdPolicy'> = {}): ToolStateManager {
    const parsed = ToolStateSnapshotSchema.safeParse(data);
    if (!parsed.success) throw new InvalidInput({ field: 'snapshot', reason: parsed.error.message, issues: parsed.error.issues });
    const s = parsed.data;
    const clockOpt = opts.clock !== undefined ? { clock: opts.clock } : {};
    const m = new ToolStateManager({
      ...opts,
      limits: s.limits,
      bindingIdPolicy: s.binding_id_policy,
      bindings: BindingManager.fromJSON(s.bindings, clockOpt),
      cache: ToolResultCache.fromJSON(s.cache, clockOpt),
    });
    for (const v of s.user_literals) m.literals.add(v);
    if (s.budget !== null) m.budgetGuard?.restore(s.budget);
    m.perToolGuard?.restore(s.per_tool_counts);
    if (m.ungroundedGuard !== null) m.ungroundedGuard.count = s.ungrounded_count;
    if (s.runaway !== null) m.runawayGuard?.restore(s.runaway);
    for (const [k, v] of Object.entries(s.tool_counts)) m.toolCounts.set(k, v);
    return m;
  }
}


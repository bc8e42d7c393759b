import { InvalidInput, noopLogger } from '@chuk/models';
import type { Logger } from '@chuk/models';
import { defaultClock } from '../common/defaults.js';
import { canonicalJson } from '../common/json.js';
import { ToolResultCache } from '../execution/cache.js';
import { BindingManager } from './bindings.js';
import type { BudgetGuard } from './budget.js';
import type { ToolClassifier } from './classification.js';
import { DefaultToolClassifier } from './classification.js';
import { GuardVerdict, RuntimeMode, RuntimeModeSchema } from './enums.js';
import type { SoftBlockReason } from './enums.js';
import { allowResult, runChain } from './guard.js';
import type { Guard, GuardChainResult, GuardResult } from './guard.js';
import { applyLimitsToGuards, createGuardSlots, resetGuardCounters } from './guard-slots.js';
import type { GuardSlots } from './guard-slots.js';
import { parseRuntimeLimits, runtimeLimitsPreset } from './limits.js';
import type { RuntimeLimits, RuntimeLimitsInput } from './limits.js';
import { extractUserLiterals } from './literals.js';
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
import type { PerToolGuard } from './per-tool.js';
import type { PreconditionGuard } from './precondition.js';
import type { ResolvedArgs } from './references.js';
import { softBlockRepair } from './repair.js';
import type { SoftBlockRepairResult } from './repair.js';
import type { RunawayGuard } from './runaway.js';
import type { ToolStateSnapshot } from './snapshot.js';
import { parseToolStateSnapshot, restoreGuardCounters, snapshotGuardCounters } from './state-persistence.js';
import {
  BUDGET_EXHAUSTED_LINES,
  DISCOVERY_EXHAUSTED_LINES,
  EXECUTION_EXHAUSTED_LINES,
  budgetStatusLine,
  saturationLines,
  toolLimitWarning,
  unusedWarning,
  withState,
} from './state-messages.js';
import { bindStatedAssignments, discoveredToolNames } from './stated-values.js';
import { TimeBudgetGuard } from './time-budget.js';
import type { TimeBudgetConfigInput } from './time-budget.js';
import { budgetStatusOf, stopStatus } from './stop-status.js';
import type { UngroundedGuard } from './ungrounded.js';

export { PRECONDITION_SAFE_VALUES, PRECONDITION_TOLERANCE } from './guard-slots.js';

export const BindingIdPolicy = { RestartPerPrompt: 'restart-per-prompt', Monotonic: 'monotonic' } as const;
export type BindingIdPolicy = (typeof BindingIdPolicy)[keyof typeof BindingIdPolicy];

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
  /** Per-turn wall-clock budget (§17.7), restarted by `resetForNewPrompt`; off when absent. */
  timeBudget?: TimeBudgetGuard | TimeBudgetConfigInput;
}

/**
 * Coordinates `$vN` bindings, the result cache, user literals and the guards (precondition, budget,
 * ungrounded, per-tool, runaway). Guards block or warn; they never rewrite a call.
 */
export class ToolStateManager implements GuardSlots {
  readonly bindings: BindingManager;
  readonly cache: ToolResultCache;
  readonly classifier: ToolClassifier;
  readonly bindingIdPolicy: BindingIdPolicy;
  preconditionGuard: PreconditionGuard | null;
  budgetGuard: BudgetGuard | null;
  ungroundedGuard: UngroundedGuard | null;
  runawayGuard: RunawayGuard | null;
  perToolGuard: PerToolGuard | null;
  timeBudgetGuard: TimeBudgetGuard | null;
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
    const guards = createGuardSlots({ classifier: this.classifier, bindings: this.bindings, userLiterals: this.literals, limits: this.currentLimits });
    this.preconditionGuard = guards.preconditionGuard;
    this.budgetGuard = guards.budgetGuard;
    this.ungroundedGuard = guards.ungroundedGuard;
    this.runawayGuard = guards.runawayGuard;
    this.perToolGuard = guards.perToolGuard;
    const tb = opts.timeBudget;
    this.timeBudgetGuard = tb === undefined ? null : tb instanceof TimeBudgetGuard ? tb : new TimeBudgetGuard(tb, { clock: this.clock });
    this.applyLimits();
  }

  get limits(): RuntimeLimits {
    return this.currentLimits;
  }

  get userLiterals(): ReadonlySet<number> {
    return this.literals;
  }

  private applyLimits(): void {
    applyLimitsToGuards(this, this.currentLimits);
    this.ungroundedMemo = null;
  }

  private resetCounters(): void {
    resetGuardCounters(this);
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

  /** Precondition → budget → ungrounded → per-tool → time budget; the first BLOCK wins, warnings are aggregated. */
  async checkAllGuards(tool: string, args: Record<string, unknown>, opts: { callId?: string } = {}): Promise<GuardChainResult> {
    const entries: Array<{ name: string; guard: Guard }> = [];
    if (this.preconditionGuard !== null) entries.push({ name: this.preconditionGuard.name, guard: this.preconditionGuard });
    if (this.budgetGuard !== null) entries.push({ name: this.budgetGuard.name, guard: this.budgetGuard });
    const ungrounded = this.ungroundedGuard;
    if (ungrounded !== null) {
      entries.push({ name: ungrounded.name, guard: { name: ungrounded.name, check: (t, a) => this.memoUngrounded(t, a, opts.callId) } });
    }
    if (this.perToolGuard !== null) entries.push({ name: this.perToolGuard.name, guard: this.perToolGuard });
    if (this.timeBudgetGuard !== null) entries.push({ name: this.timeBudgetGuard.name, guard: this.timeBudgetGuard });
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
    const out = bindStatedAssignments(this.bindings, text, opts.dedupe ?? true);
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
    return toolLimitWarning(tool, this.trackToolCall(tool));
  }

  getBudgetStatus(): BudgetStatus {
    return budgetStatusOf(this.budgetGuard);
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
    for (const name of discoveredToolNames(result)) await this.registerDiscoveredTool(name);
  }

  async recordNumericResult(value: unknown): Promise<void> {
    this.runawayGuard?.recordResult(value);
  }

  get recentNumericResults(): readonly number[] {
    return this.runawayGuard?.recentValues ?? [];
  }

  formatBudgetStatus(): string {
    if (this.budgetGuard === null) return '';
    return budgetStatusLine(this.getBudgetStatus());
  }

  // ── runaway ──────────────────────────────────────────────────────────────────────────────────

  /** Should tool use stop? Runaway patterns (and loops, when a call is given), then budgets. */
  async checkRunaway(tool?: string, args?: Record<string, unknown>): Promise<RunawayStatus> {
    const runaway = this.runawayGuard?.check(tool, args);
    return stopStatus({ runaway, budgetGuard: this.budgetGuard, classifier: this.classifier, tool });
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

  formatDiscoveryExhaustedMessage(): string {
    return withState(this.formatStateForModel(), DISCOVERY_EXHAUSTED_LINES);
  }

  formatExecutionExhaustedMessage(): string {
    return withState(this.formatStateForModel(), EXECUTION_EXHAUSTED_LINES);
  }

  formatBudgetExhaustedMessage(): string {
    return withState(this.formatStateForModel(), BUDGET_EXHAUSTED_LINES);
  }

  formatSaturationMessage(lastValue: number): string {
    return withState(this.formatStateForModel(), saturationLines(lastValue));
  }

  formatUnusedWarning(): string {
    return unusedWarning(this.bindings.getUnused());
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
      ...snapshotGuardCounters(this),
      tool_counts: Object.fromEntries(this.toolCounts),
    };
  }

  static fromJSON(data: unknown, opts: Omit<ToolStateManagerOptions, 'limits' | 'bindings' | 'cache' | 'bindingIdPolicy'> = {}): ToolStateManager {
    const s = parseToolStateSnapshot(data);
    const clockOpt = opts.clock !== undefined ? { clock: opts.clock } : {};
    const m = new ToolStateManager({
      ...opts,
      limits: s.limits,
      bindingIdPolicy: s.binding_id_policy,
      bindings: BindingManager.fromJSON(s.bindings, clockOpt),
      cache: ToolResultCache.fromJSON(s.cache, clockOpt),
    });
    for (const v of s.user_literals) m.literals.add(v);
    restoreGuardCounters(m, s);
    for (const [k, v] of Object.entries(s.tool_counts)) m.toolCounts.set(k, v);
    return m;
  }
}


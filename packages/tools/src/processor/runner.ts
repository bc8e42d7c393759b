import { noopLogger, ToolErrorCategory } from '@chuk/models';
import type { Logger } from '@chuk/models';
import { canonicalJson, isPlainObject } from '../common/json.js';
import { fmtModelNumber, toNumberOrNull } from '../common/numbers.js';
import { createErrorResult, ResultMachine } from '../execution/call.js';
import type { ToolCall, ToolResult } from '../execution/call.js';
import { makeErrorInfo, ToolErrorCode } from '../execution/errors.js';
import type { ExecuteOptions, ToolExecutor } from '../execution/executor.js';
import { isCacheableTool } from '../execution/registry.js';
import { isRetrySafeTool } from '../execution/retry-safety.js';
import { jsonSchemaOf } from '../execution/validation.js';
import { resultText } from '../formats/render.js';
import { TOOL_NAME_ARG } from '../guards/constants.js';
import { BudgetKind, EnforcementLevel, GuardVerdict, UnusedResultAction } from '../guards/enums.js';
import { blockResult } from '../guards/guard.js';
import type { GuardResult } from '../guards/guard.js';
import type { ToolStateManager } from '../guards/manager.js';
import type { RetrySafetyGuard } from '../guards/retry-safety.js';
import type { UnresolvedReferenceGuard } from '../guards/unresolved.js';
import { typedValue } from '../guards/models.js';
import type { ValueBinding } from '../guards/models.js';
import { errorTypeOf, outcomeOf } from './outcome.js';
import type { ToolCallRecorder } from './outcome.js';

export const DEFAULT_MAX_CONSECUTIVE_DUPLICATES = 3;

export const GuardedCallOutcome = {
  Executed: 'executed',
  Cached: 'cached',
  Blocked: 'blocked',
  Repaired: 'repaired',
  Fallback: 'fallback',
  Error: 'error',
} as const;
export type GuardedCallOutcome = (typeof GuardedCallOutcome)[keyof typeof GuardedCallOutcome];

/** Names of the pipeline steps that can block a call (guard metadata and `guard:<name>` error types). */
export const PipelineGuard = {
  InvalidArgs: 'invalid_args',
  References: 'references',
  UnusedResults: 'unused_results',
  Stop: 'stop',
} as const;

export interface GuardedCallResult {
  call: ToolCall;
  resolvedArgs: Record<string, unknown>;
  outcome: GuardedCallOutcome;
  /** Always set: blocked calls get an explanatory error result (every provider call id gets an answer). */
  result: ToolResult;
  binding: ValueBinding | null;
  guard: GuardResult | null;
  /** The arguments before a soft-block repair rewrote literals to `$vN` references (recorded, never silent). */
  repairedFrom: Record<string, unknown> | null;
  modelText: string;
}

export interface GuardedBatchResult {
  stopped: boolean;
  stopMessage: string | null;
  calls: GuardedCallResult[];
}

export interface GuardedToolRunnerOptions {
  state: ToolStateManager;
  executor: ToolExecutor;
  /** When set, every executed or blocked call is recorded (cache hits are not). */
  memory?: ToolCallRecorder;
  dedupeMessage?: boolean;
  bindResults?: 'all' | 'numeric' | 'none';
  maxConsecutiveDuplicates?: number;
  autoRepair?: boolean;
  /** Checked after reference resolution: placeholders the model left in the arguments warn or block. */
  unresolvedGuard?: UnresolvedReferenceGuard;
  /** Model-level retry safety (§17.5): repeats of failed calls are blocked or warned; reset per prompt. */
  retrySafety?: RetrySafetyGuard;
  clock?: () => Date;
  idGenerator?: () => string;
  logger?: Logger;
}

const nullAllowed = (schema: Record<string, unknown> | null, key: string): boolean => {
  if (schema === null || !isPlainObject(schema.properties)) return false;
  const prop = schema.properties[key];
  if (!isPlainObject(prop)) return false;
  const types = Array.isArray(prop.type) ? prop.type : [prop.type];
  if (types.includes('null') || prop.nullable === true) return true;
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
  const variants = [...list(prop.anyOf), ...list(prop.oneOf)];
  return variants.some((v) => isPlainObject(v) && v.type === 'null');
};

/**
 * The per-call guarded pipeline (§11.11): null-argument check, references, ungrounded / precondition, per-tool
 * limit, budget, loop detection, reference resolution, result cache, execution, then bindings and counters.
 * Guards block or warn; a soft-block repair is recorded in `repairedFrom`.
 */
export class GuardedToolRunner {
  private readonly state: ToolStateManager;
  private readonly executor: ToolExecutor;
  private readonly opts: GuardedToolRunnerOptions;
  private readonly clock: () => Date;
  private readonly logger: Logger;
  private previousBatch: string | null = null;
  private consecutiveDuplicates = 0;
  private turnsInPrompt = 0;
  private readonly warnedUnused = new Set<string>();

  constructor(opts: GuardedToolRunnerOptions) {
    this.opts = opts;
    this.state = opts.state;
    this.executor = opts.executor;
    this.clock = opts.clock ?? (() => new Date());
    this.logger = opts.logger ?? noopLogger;
  }

  /** Per user prompt: reset the per-prompt state and ground the user's numbers. */
  async beginPrompt(userText: string): Promise<void> {
    await this.state.resetForNewPrompt();
    await this.state.registerUserLiterals(userText);
    this.previousBatch = null;
    this.consecutiveDuplicates = 0;
    this.turnsInPrompt = 0;
    this.warnedUnused.clear();
    this.opts.unresolvedGuard?.reset();
    this.opts.retrySafety?.reset();
  }

  private blocked(call: ToolCall, guard: GuardResult, message: string, args: Record<string, unknown> = call.arguments): GuardedCallResult {
    const now = this.clock();
    const info = makeErrorInfo(ToolErrorCode.TOOL_VALIDATION_ERROR, message, {
      retryable: false,
      details: { guard: guard.guard ?? 'guard', verdict: guard.verdict, ...guard.details },
    });
    const result = createErrorResult(call.tool, info, { id: `${call.id}:blocked`, callId: call.id, start: now, end: now, machine: ResultMachine.Guard, attempts: 0, args });
    return { call, resolvedArgs: args, outcome: GuardedCallOutcome.Blocked, result, binding: null, guard, repairedFrom: null, modelText: resultText(result) };
  }

  private async stopMessage(calls: readonly ToolCall[]): Promise<string | null> {
    const discovery = calls.find((c) => this.state.classifier.isDiscovery(c.tool));
    const execution = calls.find((c) => !this.state.classifier.isDiscovery(c.tool));
    if (discovery !== undefined && (await this.state.checkRunaway(discovery.tool)).budget_kind === BudgetKind.Discovery) {
      return this.state.formatDiscoveryExhaustedMessage();
    }
    if (execution !== undefined && (await this.state.checkRunaway(execution.tool)).budget_kind === BudgetKind.Execution) {
      return this.state.formatExecutionExhaustedMessage();
    }
    const s = await this.state.checkRunaway();
    if (!s.should_stop) return null;
    if (s.budget_exhausted) return this.state.formatBudgetExhaustedMessage();
    const last = this.state.recentNumericResults.at(-1);
    if ((s.saturation_detected || s.degenerate_detected) && last !== undefined) return this.state.formatSaturationMessage(last);
    const summary = this.state.formatStateForModel();
    return `Tool execution stopped: ${s.reason ?? 'unknown reason'}${summary === '' ? '' : `\n\n${summary}`}`;
  }

  private duplicateBatch(calls: readonly ToolCall[]): boolean {
    const signature = JSON.stringify(calls.map((c) => `${c.tool}:${canonicalJson(c.arguments)}`).sort());
    const allPolling = calls.every((c) => this.executor.registry.resolve(c.tool, c.namespace)?.def.polling === true);
    if (signature === this.previousBatch && !allPolling) this.consecutiveDuplicates++;
    else this.consecutiveDuplicates = 0;
    this.previousBatch = signature;
    return this.consecutiveDuplicates >= (this.opts.maxConsecutiveDuplicates ?? DEFAULT_MAX_CONSECUTIVE_DUPLICATES);
  }

  /** Run one assistant turn's calls (in order). Every call gets a result, executed or not. */
  async runBatch(calls: readonly ToolCall[], ctx: { signal?: AbortSignal; contextGoal?: string } = {}): Promise<GuardedBatchResult> {
    const firstTurn = this.turnsInPrompt === 0;
    this.turnsInPrompt++;
    let stop = await this.stopMessage(calls);
    if (stop === null && calls.length > 0 && this.duplicateBatch(calls)) {
      const summary = this.state.formatStateForModel();
      stop = `The same tool calls were requested ${this.consecutiveDuplicates + 1} times in a row. Stop calling tools and answer with the values you have.${summary === '' ? '' : `\n\n${summary}`}`;
    }
    if (stop !== null) {
      const guard = blockResult(PipelineGuard.Stop, stop);
      const results = calls.map((c) => this.blocked(c, guard, stop));
      await this.record(results, ctx.contextGoal);
      return { stopped: true, stopMessage: stop, calls: results };
    }
    let unusedNote = '';
    if (!firstTurn) {
      const fresh = this.state.bindings.getUnused().filter((b) => !this.warnedUnused.has(b.id));
      if (fresh.length > 0 && this.state.limits.unused_results !== UnusedResultAction.Off) {
        for (const b of fresh) this.warnedUnused.add(b.id);
        unusedNote = this.state.formatUnusedWarning();
      }
    }
    const out: GuardedCallResult[] = [];
    for (const [i, call] of calls.entries()) {
      if (i === 0 && unusedNote !== '' && this.state.limits.unused_results === UnusedResultAction.BlockNextTool) {
        out.push(this.blocked(call, blockResult(PipelineGuard.UnusedResults, unusedNote), unusedNote));
        continue;
      }
      const r = await this.runCall(call, ctx.signal);
      if (i === 0 && unusedNote !== '') r.modelText += `\n\n${unusedNote}`;
      out.push(r);
    }
    await this.record(out, ctx.contextGoal);
    return { stopped: false, stopMessage: null, calls: out };
  }

  private async record(results: readonly GuardedCallResult[], goal: string | undefined): Promise<void> {
    const memory = this.opts.memory;
    if (memory === undefined) return;
    let preceding: string | null = null;
    for (const r of results) {
      if (r.outcome === GuardedCallOutcome.Cached) continue;
      const entry = await memory.recordCall({
        toolName: r.call.tool,
        arguments: r.resolvedArgs,
        result: r.result.result,
        outcome: outcomeOf(r.result),
        contextGoal: goal ?? null,
        errorType: errorTypeOf(r.result),
        errorMessage: r.result.error,
        executionTimeMs: r.result.duration_ms,
        precedingCallId: preceding,
      });
      preceding = entry.id;
    }
  }

  private async runCall(call: ToolCall, signal: AbortSignal | undefined): Promise<GuardedCallResult> {
    const state = this.state;
    const tool = call.tool;
    let args = call.arguments;
    let repairedFrom: Record<string, unknown> | null = null;
    let outcome: GuardedCallOutcome = GuardedCallOutcome.Executed;
    const warnings: string[] = [];
    const resolvedDef = this.executor.registry.resolve(tool, call.namespace);

    if (call.parse_error === null) {
      const schema = resolvedDef === undefined ? null : jsonSchemaOf(resolvedDef.def);
      const nulls = Object.entries(args).filter(([k, v]) => v === null && k !== TOOL_NAME_ARG && !nullAllowed(schema, k)).map(([k]) => k);
      if (nulls.length > 0) {
        const msg = `INVALID_ARGS: ${tool} was called with null for ${nulls.map((k) => `\`${k}\``).join(', ')}. Provide actual values.`;
        return this.blocked(call, blockResult(PipelineGuard.InvalidArgs, msg, { null_args: nulls }), msg);
      }
      const refs = await state.checkReferences(args);
      if (!refs.valid) {
        const bindings = state.formatBindingsForModel();
        const msg = `**Blocked**: ${refs.message}${bindings === '' ? '' : `\n\n${bindings}`}`;
        return this.blocked(call, blockResult(PipelineGuard.References, refs.message, { missing_refs: refs.missing_refs }), msg);
      }
      const exempt = state.classifier.isDiscovery(tool) || state.classifier.isIdempotent(tool);
      if (!exempt) {
        const u = await state.checkUngroundedCall(tool, args, { callId: call.id });
        if (u.is_ungrounded) {
          const verdict = await state.ungroundedVerdict(tool, args, { callId: call.id });
          if (state.classifier.isParameterized(tool)) {
            const pre = await state.checkPreconditions(tool, args);
            if (!pre.ok) {
              const reason = pre.reason ?? 'precondition failed';
              return this.blocked(call, blockResult('precondition', reason), `**Blocked**: ${reason}`);
            }
          } else if (verdict.verdict === GuardVerdict.Block) {
            const repair = this.opts.autoRepair === false ? null : await state.trySoftBlockRepair(tool, args, u);
            if (repair?.proceed === true && repair.repairedArgs !== null) {
              repairedFrom = args;
              args = repair.repairedArgs;
              outcome = GuardedCallOutcome.Repaired;
              this.logger.info({ tool, callId: call.id, repairedFrom, repaired: args }, 'ungrounded call repaired with existing bindings');
            } else if (repair?.fallback != null) {
              const r = this.blocked(call, verdict, repair.fallback);
              return { ...r, outcome: GuardedCallOutcome.Fallback };
            } else {
              const bindings = state.formatBindingsForModel();
              const msg = `**Blocked**: ${tool} arguments require computed values. ${verdict.reason}${bindings === '' ? '' : `\n\n${bindings}`}`;
              return this.blocked(call, verdict, msg);
            }
          } else {
            warnings.push(verdict.reason);
          }
        }
      }
      for (const check of [await state.checkPerToolLimit(tool), await state.checkBudget(tool)]) {
        if (check.verdict === GuardVerdict.Block) return this.blocked(call, check, check.reason);
        if (check.verdict === GuardVerdict.Warn) warnings.push(check.reason);
      }
      const loop = await state.checkRunaway(tool, args);
      if (loop.loop_detected) {
        const reason = loop.reason ?? 'tool-call loop detected';
        return this.blocked(call, blockResult('runaway', reason), reason);
      }
    }

    const resolved = call.parse_error === null ? await state.resolveReferencesDetailed(args, call.id) : { args, resolved: [], missing: [] };
    const resolvedArgs = resolved.args;
    const leftover = call.parse_error === null ? this.opts.unresolvedGuard?.check(tool, resolvedArgs) : undefined;
    if (leftover?.verdict === GuardVerdict.Block) return this.blocked(call, leftover, leftover.reason, resolvedArgs);
    if (leftover?.verdict === GuardVerdict.Warn) warnings.push(leftover.reason);
    const retryGuard = call.parse_error === null ? this.opts.retrySafety : undefined;
    const repeat = retryGuard?.check(tool, resolvedArgs, resolvedDef === undefined ? {} : { idempotent: isRetrySafeTool(resolvedDef.def) });
    if (repeat?.verdict === GuardVerdict.Block) return this.blocked(call, repeat, repeat.reason, resolvedArgs);
    if (repeat?.verdict === GuardVerdict.Warn) warnings.push(repeat.reason);
    const withWarnings = (text: string): string => (warnings.length === 0 ? text : `${text}\n\n${warnings.map((w) => `Warning: ${w}`).join('\n')}`);

    if (call.parse_error === null) {
      const hit = await state.getCachedResult(tool, resolvedArgs);
      if (hit !== undefined) {
        state.runawayGuard?.recordCall(tool, resolvedArgs);
        const now = this.clock();
        const result: ToolResult = {
          id: `${call.id}:cached`,
          call_id: call.id,
          tool,
          result: hit.result,
          arguments: resolvedArgs,
          error: null,
          error_info: null,
          start_time: now.toISOString(),
          end_time: now.toISOString(),
          duration_ms: 0,
          machine: ResultMachine.Cache,
          cached: true,
          attempts: 0,
          stream_id: null,
          is_partial: false,
        };
        const text = this.opts.dedupeMessage === false ? resultText(result) : `${resultText(result)}\n\n${state.formatDuplicateMessage(tool, resolvedArgs)}`;
        return { call, resolvedArgs, outcome: GuardedCallOutcome.Cached, result, binding: null, guard: null, repairedFrom, modelText: withWarnings(text) };
      }
    }

    const time = state.timeBudgetGuard;
    if (time !== null && call.parse_error === null) {
      const t = time.check();
      if (t.verdict === GuardVerdict.Block) return this.blocked(call, t, t.reason, resolvedArgs);
      if (t.verdict === GuardVerdict.Warn) warnings.push(t.reason);
    }
    const execOpts: ExecuteOptions = { ...(signal !== undefined ? { signal } : {}), ...(time?.config.mode === EnforcementLevel.Block ? { deadlineMs: Math.max(1, time.remainingMs()) } : {}) };
    if (time?.shouldDisableRetries() === true) execOpts.retry = false;
    const [result] = await this.executor.execute([{ ...call, arguments: resolvedArgs }], execOpts);
    const r = result as ToolResult;
    time?.recordExecution(Math.max(0, r.duration_ms));
    retryGuard?.recordResult(tool, resolvedArgs, r.error === null ? null : (r.error_info ?? { category: ToolErrorCategory.Execution, message: r.error }));
    let binding: ValueBinding | null = null;
    if (r.error === null && call.parse_error === null) {
      const value = r.result;
      if (value !== null && resolvedDef !== undefined && isCacheableTool(resolvedDef.def)) await state.cacheResult(tool, resolvedArgs, value);
      const numeric = toNumberOrNull(value);
      const bindMode = this.opts.bindResults ?? 'all';
      if (!state.classifier.isDiscovery(tool) && value !== null && (bindMode === 'all' || (bindMode === 'numeric' && numeric !== null))) {
        binding = await state.bindValue(tool, resolvedArgs, value);
      }
      if (numeric !== null) await state.recordNumericResult(numeric);
      if (state.classifier.isDiscovery(tool)) await state.classifyByResult(tool, value);
    }
    if (call.parse_error === null) await state.recordToolCall(tool, resolvedArgs);
    let text = resultText(r);
    if (binding !== null) {
      const v = typedValue(binding);
      text += `\n**RESULT: $${binding.id} = ${typeof v === 'number' ? fmtModelNumber(v) : JSON.stringify(v)}**`;
    }
    return {
      call,
      resolvedArgs,
      outcome: r.error === null ? outcome : GuardedCallOutcome.Error,
      result: r,
      binding,
      guard: null,
      repairedFrom,
      modelText: withWarnings(text),
    };
  }
}

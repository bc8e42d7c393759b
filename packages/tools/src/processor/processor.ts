import {
  DEFAULT_TOKEN_MODEL,
  EventSource,
  EventType,
  InvalidInput,
  noopLogger,
  SessionEvent,
  SessionNotFound,
  TOOL_EXECUTION_MODEL,
  TokenUsage,
  ToolOutcome,
} from '@chuk/models';
import type { Logger, SessionStore, TokenCounter, ToolCallEventMessage } from '@chuk/models';
import { defaultClock, defaultIdGenerator } from '../common/defaults.js';
import { canonicalJson, isPlainObject, stringOf, toJsonSafe } from '../common/json.js';
import { createSuccessResult, ResultMachine, syncErrorFields } from '../execution/call.js';
import type { ToolCall, ToolResult } from '../execution/call.js';
import { ToolExecutor } from '../execution/executor.js';
import type { ToolRegistry } from '../execution/registry.js';
import type { ToolCallFormat } from '../formats/format.js';
import { parseToolCalls } from '../formats/parse.js';
import { resultText, toToolResultMessages } from '../formats/render.js';
import type { ToolStateManager } from '../guards/manager.js';
import type { RetrySafetyGuard } from '../guards/retry-safety.js';
import { saveToolStateToSession } from '../guards/session-state.js';
import type { UnresolvedReferenceGuard } from '../guards/unresolved.js';
import { limitOutput, limitText, OutputSizeLimitsSchema } from '../guards/output-size.js';
import type { OutputSizeLimits, OutputSizeLimitsInput } from '../guards/output-size.js';
import { errorTypeOf, outcomeOf } from './outcome.js';
import type { ToolCallRecorder } from './outcome.js';
import { GuardedCallOutcome, GuardedToolRunner } from './runner.js';
import type { GuardedCallResult } from './runner.js';
import { storeToolEventSink } from './sink.js';
import type { InternalToolHandler, SessionStateAccess, ToolEventSink } from './sink.js';

/** What the processor needs of procedural memory (`ToolMemoryManager` implements it). */
export interface ProcessorMemory extends ToolCallRecorder {
  saveToSession(session: SessionStateAccess): Promise<void>;
}

export interface SessionAwareToolProcessorOptions {
  sink?: ToolEventSink;
  sessionId?: string;
  store?: SessionStore;
  internalTools?: InternalToolHandler;
  registry?: ToolRegistry;
  executor?: ToolExecutor;
  enableCaching?: boolean;
  maxRetries?: number;
  retryDelayMs?: number;
  retryBackoff?: 'fixed' | 'exponential';
  timeoutMs?: number;
  maxConcurrency?: number;
  format?: ToolCallFormat | 'auto';
  invalidArguments?: 'error' | 'raw';
  tokenModel?: string;
  /** Counts the parent message and every tool-call event (default: the sink's `tokenCounter`, else the default counter). */
  counter?: TokenCounter;
  toolState?: ToolStateManager;
  /** With `toolState`: model-level retry safety for the guarded runner (§17.5). */
  retrySafety?: RetrySafetyGuard;
  /** With `toolState`: placeholders left in the arguments after reference resolution warn or block (§17.3). */
  unresolvedGuard?: UnresolvedReferenceGuard;
  /** With `toolState`: store its snapshot in the session state (`tool_state`) after every message, so a new process resumes the guards. */
  persistToolState?: boolean;
  toolMemory?: ProcessorMemory;
  saveMode?: 'per-event' | 'batch';
  emitTraceEvents?: boolean;
  stringifyResult?: (value: unknown) => string;
  /** Output-size limits: the model-facing text is truncated; the event result too when it exceeds `maxBytes`. */
  outputLimits?: OutputSizeLimitsInput | false;
  clock?: () => Date;
  idGenerator?: () => string;
  random?: () => number;
  logger?: Logger;
}

export interface ProcessOptions {
  signal?: AbortSignal;
  contextGoal?: string;
  llmAttempt?: number;
  parentMetadata?: Record<string, unknown>;
}

export interface ProcessOutcome {
  parentEventId: string;
  format: ToolCallFormat | null;
  calls: ToolCall[];
  results: ToolResult[];
  toolMessages: unknown[];
  stopMessage: string | null;
  eventIds: string[];
}

interface CallRecord {
  call: ToolCall;
  result: ToolResult;
  args: Record<string, unknown>;
  modelText: string;
  internal: boolean;
  guarded: GuardedCallResult | null;
}

const EXECUTOR_OPTION_KEYS = ['maxRetries', 'retryDelayMs', 'retryBackoff', 'timeoutMs', 'maxConcurrency', 'enableCaching'] as const;

/**
 * Parses an LLM message's tool calls, runs them (guarded when a `ToolStateManager` is given), and logs a parent
 * `message` event plus one `tool_call` event per call through a `ToolEventSink`.
 */
export class SessionAwareToolProcessor {
  readonly sink: ToolEventSink;
  readonly executor: ToolExecutor;
  private readonly runner: GuardedToolRunner | null;
  private readonly opts: SessionAwareToolProcessorOptions;
  private readonly clock: () => Date;
  private readonly idGenerator: () => string;
  private readonly logger: Logger;
  private readonly outputLimits: OutputSizeLimits | null;
  /** The counter of every event this processor writes (`undefined` = the default counter of `@chuk/models`). */
  readonly counter: TokenCounter | undefined;

  constructor(opts: SessionAwareToolProcessorOptions) {
    this.opts = opts;
    this.outputLimits = opts.outputLimits === false ? null : OutputSizeLimitsSchema.parse(opts.outputLimits ?? {});
    this.clock = opts.clock ?? defaultClock;
    this.idGenerator = opts.idGenerator ?? defaultIdGenerator;
    this.logger = opts.logger ?? noopLogger;
    if (opts.sink !== undefined) this.sink = opts.sink;
    else if (opts.store !== undefined && opts.sessionId !== undefined) this.sink = storeToolEventSink(opts.store, opts.sessionId);
    else throw new InvalidInput({ field: 'sink', reason: 'pass a sink, or a store and a sessionId' });
    this.counter = opts.counter ?? this.sink.tokenCounter;
    if (opts.executor !== undefined) {
      const conflicting = EXECUTOR_OPTION_KEYS.filter((k) => opts[k] !== undefined);
      if (conflicting.length > 0) {
        throw new InvalidInput({ field: conflicting[0] ?? 'executor', reason: `cannot be combined with an injected executor (${conflicting.join(', ')})` });
      }
      this.executor = opts.executor;
    } else if (opts.registry !== undefined) {
      this.executor = new ToolExecutor({
        registry: opts.registry,
        retry: {
          maxRetries: opts.maxRetries ?? 2,
          baseDelayMs: opts.retryDelayMs ?? 1000,
          backoff: opts.retryBackoff ?? 'exponential',
          jitter: (opts.retryBackoff ?? 'exponential') === 'exponential',
        },
        defaultTimeoutMs: opts.timeoutMs ?? 10_000,
        maxConcurrency: opts.maxConcurrency ?? 1,
        cache: opts.toolState !== undefined || opts.enableCaching === false ? false : {},
        clock: this.clock,
        idGenerator: this.idGenerator,
        logger: this.logger,
        sessionId: this.sink.id,
        ...(opts.random !== undefined ? { random: opts.random } : {}),
      });
    } else {
      throw new InvalidInput({ field: 'registry', reason: 'pass a registry or an executor' });
    }
    this.runner =
      opts.toolState === undefined
        ? null
        : new GuardedToolRunner({
            state: opts.toolState,
            executor: this.executor,
            clock: this.clock,
            logger: this.logger,
            ...(opts.retrySafety !== undefined ? { retrySafety: opts.retrySafety } : {}),
            ...(opts.unresolvedGuard !== undefined ? { unresolvedGuard: opts.unresolvedGuard } : {}),
          });
  }

  /** Store form: checks that the session exists (`SessionNotFound` otherwise). */
  static async create(opts: SessionAwareToolProcessorOptions): Promise<SessionAwareToolProcessor> {
    if (opts.sink === undefined && opts.store !== undefined && opts.sessionId !== undefined && !(await opts.store.exists(opts.sessionId))) {
      throw new SessionNotFound({ sessionId: opts.sessionId });
    }
    return new SessionAwareToolProcessor(opts);
  }

  get sessionId(): string {
    return this.sink.id;
  }

  /** The guarded runner (when a tool state was given), e.g. to call `beginPrompt` per user message. */
  get guardedRunner(): GuardedToolRunner | null {
    return this.runner;
  }

  async processLlmMessage(message: unknown, opts: ProcessOptions = {}): Promise<ToolResult[]> {
    return (await this.processLlmMessageDetailed(message, opts)).results;
  }

  async clearCache(): Promise<void> {
    await this.executor.invalidateCache();
    this.opts.toolState?.cache.clearResults();
  }

  private stringify = (r: ToolResult): string => {
    const custom = this.opts.stringifyResult;
    return custom === undefined ? resultText(r) : r.error === null ? custom(r.result) : resultText(r);
  };

  async processLlmMessageDetailed(message: unknown, opts: ProcessOptions = {}): Promise<ProcessOutcome> {
    const parsed = parseToolCalls(message, {
      format: this.opts.format ?? 'auto',
      invalidArguments: this.opts.invalidArguments ?? 'error',
      idGenerator: this.idGenerator,
    });
    const model = this.opts.tokenModel ?? DEFAULT_TOKEN_MODEL;
    const batch = this.opts.saveMode === 'batch';
    const pending: SessionEvent[] = [];
    const emit = async (events: SessionEvent[]): Promise<void> => {
      if (batch) pending.push(...events);
      else await this.sink.appendEvents(events);
    };
    const parent = await SessionEvent.createWithTokens({
      message: toJsonSafe(message),
      prompt: '',
      completion: canonicalJson(message),
      model,
      counter: this.counter,
      source: EventSource.Llm,
      type: EventType.Message,
      metadata: {
        tool_call_count: parsed.calls.length,
        tool_call_format: parsed.format,
        ...(opts.llmAttempt !== undefined ? { llm_attempt: opts.llmAttempt } : {}),
        ...opts.parentMetadata,
      },
      clock: this.clock,
      idGenerator: this.idGenerator,
    });
    await emit([parent]);

    const records = await this.runCalls(parsed.calls, opts);
    const stopMessage = records.stop;
    const eventIds: string[] = [];
    for (const rec of records.items) {
      const event = await this.toolEvent(rec, parent.id, model);
      eventIds.push(event.id);
      await emit([event]);
    }
    if (this.opts.toolMemory !== undefined) await this.recordMemory(records.items, opts.contextGoal, emit);
    if (batch) await this.sink.appendEvents(pending);
    if (this.opts.persistToolState === true && this.opts.toolState !== undefined) await saveToolStateToSession(this.opts.toolState, this.sink);

    const calls = records.items.map((r) => r.call);
    const results = records.items.map((r) => r.result);
    const format = parsed.format;
    const toolMessages =
      format === null ? [] : toToolResultMessages(format, calls, results, { stringify: (r) => records.items.find((x) => x.result === r)?.modelText ?? this.stringify(r) });
    return { parentEventId: parent.id, format, calls, results, toolMessages, stopMessage, eventIds };
  }

  private async runCalls(calls: readonly ToolCall[], opts: ProcessOptions): Promise<{ items: CallRecord[]; stop: string | null }> {
    const items = new Map<string, CallRecord>();
    const rest: ToolCall[] = [];
    for (const call of calls) {
      const handled = this.opts.internalTools !== undefined && call.parse_error === null ? await this.opts.internalTools(call.tool, call.arguments) : null;
      if (handled?.handled === true) {
        const now = this.clock();
        let value: unknown = handled.content;
        try {
          value = JSON.parse(handled.content);
        } catch {
          value = handled.content;
        }
        const base = createSuccessResult(call.tool, value, { id: this.idGenerator(), callId: call.id, start: now, end: now, machine: ResultMachine.Internal, args: call.arguments });
        const failed = isPlainObject(value) && 'error' in value;
        const result: ToolResult = failed ? syncErrorFields({ ...base, error: stringOf((value as { error: unknown }).error) }) : base;
        items.set(call.id, { call, result, args: call.arguments, modelText: handled.content, internal: true, guarded: null });
      } else {
        rest.push(call);
      }
    }
    let stop: string | null = null;
    if (this.runner !== null) {
      const batch = await this.runner.runBatch(rest, { ...(opts.signal !== undefined ? { signal: opts.signal } : {}), ...(opts.contextGoal !== undefined ? { contextGoal: opts.contextGoal } : {}) });
      stop = batch.stopMessage;
      for (const g of batch.calls) items.set(g.call.id, { call: g.call, result: g.result, args: g.resolvedArgs, modelText: g.modelText, internal: false, guarded: g });
    } else if (rest.length > 0) {
      const results = await this.executor.execute(rest, opts.signal !== undefined ? { signal: opts.signal } : {});
      rest.forEach((call, i) => {
        const result = results[i] as ToolResult;
        items.set(call.id, { call, result, args: call.arguments, modelText: this.stringify(result), internal: false, guarded: null });
      });
    }
    return { items: calls.map((c) => items.get(c.id)).filter((r): r is CallRecord => r !== undefined), stop };
  }

  private async toolEvent(rec: CallRecord, parentId: string, model: string): Promise<SessionEvent> {
    const { call, result } = rec;
    const success = result.error === null;
    // §17.1: the validated (default-filled / coerced, idempotency key taken out) arguments are what is logged
    const executed = rec.internal || result.arguments === null ? rec.args : result.arguments;
    const coerced = executed !== rec.args && canonicalJson(executed) !== canonicalJson(rec.args);
    const limited = this.outputLimits === null || rec.internal ? { value: result.result, truncated: false } : limitOutput(result.result, this.outputLimits);
    const rawText = rec.internal ? rec.modelText : this.stringify(limited.truncated ? { ...result, result: limited.value } : result);
    const cut = limitText(rawText, this.outputLimits?.maxTokens ?? null);
    const text = cut.text;
    const truncated = limited.truncated || cut.truncated;
    if (truncated) rec.modelText = limitText(rec.modelText.length > text.length ? text : rec.modelText, this.outputLimits?.maxTokens ?? null).text;
    const payload: ToolCallEventMessage = {
      tool: call.tool,
      arguments: executed,
      ...(call.raw_arguments !== null ? { raw_arguments: call.raw_arguments } : {}),
      result: toJsonSafe(limited.value),
      result_text: text,
      error: result.error,
      success,
      cached: result.cached,
      call_id: call.id,
      outcome: rec.internal && !success ? ToolOutcome.Failure : outcomeOf(result),
      attempts: result.attempts,
      duration_ms: result.duration_ms,
      ...(result.error_info !== null ? { error_category: result.error_info.category } : {}),
      ...(truncated ? { truncated: true } : {}),
    };
    const [promptTokens, completionTokens] = await Promise.all([
      TokenUsage.countTokens(`${call.tool}(${canonicalJson(executed)})`, model, this.counter),
      TokenUsage.countTokens(text, model, this.counter),
    ]);
    const g = rec.guarded;
    const guardName = g?.guard?.guard;
    return SessionEvent.create({
      message: payload,
      source: EventSource.System,
      type: EventType.ToolCall,
      parentEventId: parentId,
      metadata: {
        parent_event_id: parentId,
        call_id: call.id,
        attempt: result.cached ? 1 : Math.max(1, result.attempts),
        cached: result.cached,
        ...(success ? {} : { failed: true }),
        ...(guardName !== undefined ? { guard: guardName, guard_verdict: g?.guard?.verdict } : {}),
        ...(g?.repairedFrom != null ? { repaired_from: g.repairedFrom } : {}),
        ...(coerced ? { coerced_from: rec.args } : {}),
        ...(rec.internal ? { internal: true } : {}),
      },
      tokenUsage: TokenUsage.create({ promptTokens, completionTokens, model: TOOL_EXECUTION_MODEL }),
      clock: this.clock,
      idGenerator: this.idGenerator,
    });
  }

  private async recordMemory(items: readonly CallRecord[], goal: string | undefined, emit: (e: SessionEvent[]) => Promise<void>): Promise<void> {
    const memory = this.opts.toolMemory;
    if (memory === undefined) return;
    let preceding: string | null = null;
    for (const rec of items) {
      if (rec.internal || rec.result.cached || rec.guarded?.outcome === GuardedCallOutcome.Cached) continue;
      const entry = await memory.recordCall({
        toolName: rec.call.tool,
        arguments: rec.args,
        result: rec.result.result,
        outcome: outcomeOf(rec.result),
        contextGoal: goal ?? null,
        errorType: errorTypeOf(rec.result),
        errorMessage: rec.result.error,
        executionTimeMs: rec.result.duration_ms,
        precedingCallId: preceding,
      });
      preceding = entry.id;
      if (this.opts.emitTraceEvents === true) {
        const trace = [SessionEvent.create({ message: toJsonSafe(entry), source: EventSource.System, type: EventType.ToolTrace, clock: this.clock, idGenerator: this.idGenerator })];
        if (typeof entry.fix_for === 'string') {
          const relation = { failed_call_id: entry.fix_for, success_call_id: entry.id, delta_args: toJsonSafe(entry.delta_args ?? {}) };
          trace.push(SessionEvent.create({ message: relation, source: EventSource.System, type: EventType.ToolFix, clock: this.clock, idGenerator: this.idGenerator }));
        }
        await emit(trace);
      }
    }
    await memory.saveToSession(this.sink);
  }
}

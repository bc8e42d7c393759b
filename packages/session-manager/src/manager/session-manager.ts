/**
 * `SessionManager`: the facade (conversation-and-facade.md §5–§6). It records every message, tool
 * call and token of a conversation in one `SessionStore`, segments infinite conversations with
 * summaries, and optionally drives the virtual memory of `@chuk/vm`.
 *
 * Constructors do no I/O; the first operation awaits `ensureInitialized()`. Public methods run
 * under a per-manager queue and a per-(store, session) mutex; private bodies never re-lock.
 */
import type { ChatMessage, LlmCallback, Logger, SessionEvent, SessionStore, SessionStats, TokenCounter } from '@chuk/models';
import {
  EventType,
  InvalidInput,
  MessageRole,
  Mutex,
  SYSTEM_PROMPT_PROPERTY,
  Session,
  SessionAlreadyExists,
  getDefaultTokenCounter,
  noopLogger,
  parseInput,
  updateHeaderWithRetry,
} from '@chuk/models';
import { exceedsSegmentLimits, messageText, roleOfSource } from '@chuk/conversation';
import type { ToolEventSink } from '@chuk/tools';
import type { MemoryManager, VmContext, VmToolCallOutcome, VmToolDefinition } from '@chuk/vm';
import { VM_TOOL_NAMES } from '@chuk/vm';
import { getDefaultStore } from '../config/default-store.js';
import { defaultModelFromEnv } from '../config/env.js';
import { ChainLoader } from './chain.js';
import {
  assistantMessageEvent,
  toolCallEvent,
  toolCallMessage,
  userMessageEvent,
  type EventContext,
} from './events.js';
import { withSessionLock } from './mutex.js';
import type { ManagerRuntime } from './runtime.js';
import {
  OnLoadError,
  SessionManagerOptionsSchema,
  type AiRespondsOptions,
  type ConversationTurn,
  type SessionManagerOptions,
  type SessionManagerSettings,
  type ToolUsedOptions,
  resolveAiRespondsOptions,
} from './options.js';
import { rollover, summarize } from './rollover.js';
import { SegmentState } from './segment.js';
import { computeStats, type SessionManagerStats } from './stats.js';
import { appendAndApply, storeCall } from './store-ops.js';
import { boundedContextMessage } from './summary-budget.js';
import { VmBridge } from './vm-bridge.js';

const SETTINGS_KEYS = Object.keys(SessionManagerOptionsSchema.shape) as (keyof SessionManagerSettings)[];

function pickSettings(options: SessionManagerOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of SETTINGS_KEYS) if (options[key] !== undefined) out[key] = options[key];
  return out;
}

export class SessionManager implements ToolEventSink {
  private readonly settings: SessionManagerSettings;
  private readonly givenStore: SessionStore | undefined;
  private readonly eventContext: EventContext;
  private readonly counter: TokenCounter;
  private readonly logger: Logger;
  private readonly defaultModel: string;
  private readonly queue = new Mutex();
  private readonly initLock = new Mutex();
  private readonly vmBridge: VmBridge | null;
  private pendingId: string | undefined;
  private prompt: string | null;
  private promptDirty = false;
  private callback: LlmCallback | undefined;
  private runtime: ManagerRuntime | null = null;
  private loaded = false;

  constructor(options: SessionManagerOptions = {}) {
    this.settings = parseInput(SessionManagerOptionsSchema, pickSettings(options), 'options');
    this.givenStore = options.store;
    this.counter = options.counter ?? getDefaultTokenCounter();
    this.logger = options.logger ?? noopLogger;
    this.eventContext = {
      counter: this.counter,
      pricing: options.pricing,
      clock: options.clock ?? (() => new Date()),
      idGenerator: options.idGenerator ?? (() => crypto.randomUUID()),
    };
    this.defaultModel = this.settings.defaultModel ?? defaultModelFromEnv();
    this.pendingId = this.settings.sessionId;
    const fromMetadata = this.settings.metadata[SYSTEM_PROMPT_PROPERTY];
    this.prompt = this.settings.systemPrompt ?? (typeof fromMetadata === 'string' ? fromMetadata : null);
    this.callback = options.summaryCallback;
    this.vmBridge = this.settings.enableVm
      ? VmBridge.create({
          sessionId: this.sessionId,
          options: options.vm ?? {},
          clock: this.eventContext.clock,
          logger: this.logger,
        })
      : null;
  }

  // ---------------------------------------------------------------- properties (sync)

  /** Current segment id once initialised; before that the configured or a pre-generated UUID. */
  get sessionId(): string {
    if (this.runtime !== null) return this.runtime.segment.id;
    this.pendingId ??= this.eventContext.idGenerator();
    return this.pendingId;
  }

  /** `ToolEventSink.id` of `@chuk/tools`: the current segment id. */
  get id(): string {
    return this.sessionId;
  }

  get systemPrompt(): string | null {
    return this.prompt;
  }

  get isInfinite(): boolean {
    return this.settings.infiniteContext;
  }

  /** The `MemoryManager` of `@chuk/vm`, or `null` without `enableVm`. */
  get vm(): MemoryManager | null {
    return this.vmBridge?.manager ?? null;
  }

  /** True once initialisation found an existing session. */
  get loadedFromStorage(): boolean {
    return this.loaded;
  }

  /** The token counter in use (its `name` and `approximate` appear in stats). */
  get tokenCounter(): TokenCounter {
    return this.counter;
  }

  // ---------------------------------------------------------------- initialisation

  /** Resolves the store and loads or creates the session; runs once (double-checked under a lock). */
  async ensureInitialized(): Promise<void> {
    if (this.runtime !== null) return;
    await this.initLock.runExclusive(async () => {
      if (this.runtime === null) this.runtime = await this.initialize();
    });
  }

  private async initialize(): Promise<ManagerRuntime> {
    const store = this.givenStore ?? (await getDefaultStore());
    const id = this.sessionId;
    let session = await this.load(store, id);
    if (session === null) {
      try {
        session = await this.createSession(store, id);
      } catch (error) {
        if (!(error instanceof SessionAlreadyExists)) throw error;
        session = await storeCall(store, 'get', () => store.get(id));
        if (session === null) throw error;
        this.adopt(session);
      }
    }
    const segment = new SegmentState(session);
    const runtime: ManagerRuntime = {
      store,
      settings: this.settings,
      events: this.eventContext,
      logger: this.logger,
      counter: this.counter,
      segment,
      chain: ChainLoader.fresh(segment, !this.loaded),
      systemPrompt: this.prompt,
      summaryCallback: this.callback,
      vm: this.vmBridge,
    };
    if (this.promptDirty) await this.writePrompt(runtime);
    if (this.loaded && this.vmBridge !== null) {
      const ancestors = this.settings.infiniteContext ? await storeCall(store, 'get', () => session.ancestors(store)) : [];
      await this.vmBridge.rebuild([...ancestors.reverse(), session]);
    }
    return runtime;
  }

  private async load(store: SessionStore, id: string): Promise<Session | null> {
    try {
      const session = await storeCall(store, 'get', () => store.get(id));
      if (session !== null) this.adopt(session);
      return session;
    } catch (error) {
      if (this.settings.onLoadError === OnLoadError.Throw) throw error;
      this.logger.error({ sessionId: id, err: error }, 'session load failed; recreating it (onLoadError: recreate)');
      await storeCall(store, 'delete', () => store.delete(id));
      return null;
    }
  }

  private adopt(session: Session): void {
    this.loaded = true;
    const stored = session.metadata.properties[SYSTEM_PROMPT_PROPERTY];
    if (this.settings.systemPrompt === undefined && !this.promptDirty && typeof stored === 'string') this.prompt = stored;
  }

  private async createSession(store: SessionStore, id: string): Promise<Session> {
    const properties: Record<string, unknown> = { ...this.settings.metadata };
    if (this.prompt !== null && this.prompt !== '') properties[SYSTEM_PROMPT_PROPERTY] = this.prompt;
    return storeCall(store, 'create', () =>
      Session.create({
        id,
        parentId: this.settings.parentId ?? null,
        properties,
        store,
        clock: this.eventContext.clock,
        logger: this.logger,
      }),
    );
  }

  // ---------------------------------------------------------------- locking

  /** Per-manager queue, then the per-(store, session) mutex of the current segment. */
  private run<T>(body: (rt: ManagerRuntime) => Promise<T>): Promise<T> {
    if (this.runtime === null) return this.ensureInitialized().then(() => this.runLocked(body));
    return this.runLocked(body);
  }

  private runLocked<T>(body: (rt: ManagerRuntime) => Promise<T>): Promise<T> {
    return this.queue.runExclusive(() => {
      const rt = this.runtime as ManagerRuntime;
      return withSessionLock(rt.store, rt.segment.id, () => body(rt));
    });
  }

  // ---------------------------------------------------------------- recording

  /** Records a user message; returns the id of the segment that holds it. */
  async userSays(message: string, metadata?: Record<string, unknown>): Promise<string> {
    if (typeof message !== 'string') throw new InvalidInput({ field: 'message', reason: 'must be a string' });
    return this.run(async (rt) => {
      await this.maybeRollover(rt);
      if (rt.vm !== null) await rt.vm.beforeUserMessage(message);
      const event = await userMessageEvent(rt.events, message, this.defaultModel, metadata);
      await this.append(rt, [event]);
      this.remember(rt, event, MessageRole.User);
      if (rt.vm !== null) await rt.vm.onMessage(event, MessageRole.User);
      return rt.segment.id;
    });
  }

  /** Records an assistant reply (counted with its own model, or the provider-reported `usage`). */
  async aiResponds(response: string, options: AiRespondsOptions = {}): Promise<string> {
    if (typeof response !== 'string') throw new InvalidInput({ field: 'response', reason: 'must be a string' });
    const opts = resolveAiRespondsOptions(options);
    return this.run(async (rt) => {
      await this.maybeRollover(rt);
      const event = await assistantMessageEvent(rt.events, response, opts);
      await this.append(rt, [event]);
      this.remember(rt, event, MessageRole.Assistant, opts.model, opts.provider);
      if (rt.vm !== null) await rt.vm.onMessage(event, MessageRole.Assistant);
      return rt.segment.id;
    });
  }

  /** Records a tool call with its result (`error` marks a failure). */
  async toolUsed(
    toolName: string,
    args: Record<string, unknown>,
    result: unknown,
    options: ToolUsedOptions = {},
  ): Promise<string> {
    if (typeof toolName !== 'string' || toolName === '') {
      throw new InvalidInput({ field: 'toolName', reason: 'must be a non-empty string' });
    }
    return this.run(async (rt) => {
      const error = options.error ?? null;
      const parent = options.parentEventId === undefined ? rt.segment.lastAssistantEventId : options.parentEventId;
      const event = toolCallEvent(rt.events, toolCallMessage(toolName, args, result, error), parent, options.metadata);
      await this.append(rt, [event]);
      if (rt.vm !== null) await rt.vm.onTool(toolName, args, result, error);
      return rt.segment.id;
    });
  }

  /** `ToolEventSink.appendEvents`: one atomic append of the batch, then VM pages for its tool calls. */
  async appendEvents(events: readonly SessionEvent[]): Promise<void> {
    await this.run(async (rt) => {
      await this.append(rt, events);
      if (rt.vm === null) return;
      for (const event of events) {
        if (event.type === EventType.ToolCall) await rt.vm.onToolEvent(event, VM_TOOL_NAMES);
      }
    });
  }

  /** `SessionStateAccess.getState`: a value of the current segment's state bag. */
  async getState(key: string): Promise<unknown> {
    return this.run(async (rt) => rt.segment.session.getState(key));
  }

  /** `SessionStateAccess.setState`: writes the current segment's state (header compare-and-set). */
  async setState(key: string, value: unknown): Promise<void> {
    await this.run(async (rt) => {
      await storeCall(rt.store, 'updateHeader', () =>
        updateHeaderWithRetry(rt.store, rt.segment.session, (s) => {
          s.setState(key, value);
          return true;
        }),
      );
    });
  }

  private async append(rt: ManagerRuntime, events: readonly SessionEvent[]): Promise<void> {
    const added = await appendAndApply(rt.store, rt.segment, events);
    if (added.length > 0) rt.chain.onForeignEvents(rt.segment, added, new Set(events.map((e) => e.id)));
  }

  private remember(rt: ManagerRuntime, event: SessionEvent, role: ConversationTurn['role'], model?: string, provider?: string): void {
    if (!this.settings.infiniteContext) return;
    const turn: ConversationTurn = { role, content: messageText(event.message), timestamp: event.timestamp, sessionId: rt.segment.id };
    if (model !== undefined) turn.model = model;
    if (provider !== undefined) turn.provider = provider;
    rt.chain.addTurn(turn);
  }

  // ---------------------------------------------------------------- system prompt and callbacks

  /** Sets the system prompt; stored as `properties.system_prompt` (header compare-and-set). */
  async updateSystemPrompt(prompt: string): Promise<void> {
    if (typeof prompt !== 'string') throw new InvalidInput({ field: 'prompt', reason: 'must be a string' });
    const remembered = await this.initLock.runExclusive(async () => {
      if (this.runtime !== null) return false;
      this.prompt = prompt;
      this.promptDirty = true;
      return true;
    });
    if (remembered) return;
    await this.run(async (rt) => {
      this.prompt = prompt;
      rt.systemPrompt = prompt;
      await this.writePrompt(rt);
    });
  }

  private async writePrompt(rt: ManagerRuntime): Promise<void> {
    const prompt = this.prompt;
    await storeCall(rt.store, 'updateHeader', () =>
      updateHeaderWithRetry(rt.store, rt.segment.session, (s) => {
        if (s.metadata.properties[SYSTEM_PROMPT_PROPERTY] === prompt) return false;
        s.metadata.setProperty(SYSTEM_PROMPT_PROPERTY, prompt);
        return true;
      }),
    );
    this.promptDirty = false;
  }

  /** Replaces the summary callback (a rollover in flight keeps the one it started with). */
  async setSummaryCallback(callback: LlmCallback): Promise<void> {
    await this.run(async (rt) => {
      this.callback = callback;
      rt.summaryCallback = callback;
    });
  }

  // ---------------------------------------------------------------- segments

  private async maybeRollover(rt: ManagerRuntime): Promise<void> {
    if (!this.settings.infiniteContext) return;
    if (!exceedsSegmentLimits(rt.segment.totals(), this.settings)) return;
    await rollover(rt, undefined);
  }

  /** Closes the current segment with a summary and continues in a new child segment; returns its id. */
  async startNewSegment(callback?: LlmCallback): Promise<string> {
    return this.run(async (rt) => rollover(rt, callback));
  }

  /** The summary the next rollover would record for the current segment (records nothing). */
  async summarizeSegment(callback?: LlmCallback): Promise<string> {
    return this.run(async (rt) => (await summarize(rt, callback)).summary);
  }

  // ---------------------------------------------------------------- reading

  /** Messages for the next LLM call: system prompt (or the VM context), summaries, the segment's turns. */
  async getMessagesForLlm(options: { includeSystem?: boolean } = {}): Promise<ChatMessage[]> {
    const includeSystem = options.includeSystem ?? true;
    return this.run(async (rt) => {
      if (includeSystem && rt.vm !== null) return rt.vm.messagesForLlm(rt.systemPrompt, rt.segment.session);
      if (includeSystem) await rt.chain.ensureLoaded(rt);
      return await transcriptMessages(rt, includeSystem);
    });
  }

  /** The conversation as turns: all segments in infinite mode, else the current segment. */
  async getConversation(options: { includeAllSegments?: boolean } = {}): Promise<ConversationTurn[]> {
    const all = options.includeAllSegments ?? this.settings.infiniteContext;
    return this.run(async (rt) => {
      if (this.settings.infiniteContext && all) {
        await rt.chain.ensureLoaded(rt);
        return rt.chain.turns();
      }
      return segmentTurns(rt.segment.session);
    });
  }

  /** Segment ids, root first (infinite mode), else `[sessionId]`. */
  async getSessionChain(): Promise<string[]> {
    if (!this.settings.infiniteContext) return [this.sessionId];
    return this.run(async (rt) => {
      await rt.chain.ensureLoaded(rt);
      return rt.chain.ids();
    });
  }

  /** Rebuilds the chain, the full conversation and the segment summaries from the store. */
  async loadSessionChain(): Promise<void> {
    if (!this.settings.infiniteContext) return;
    await this.run(async (rt) => rt.chain.load(rt));
  }

  /** Typed statistics; across all segments in infinite mode (cost per model included). */
  async getStats(options: { includeAllSegments?: boolean } = {}): Promise<SessionManagerStats> {
    const all = options.includeAllSegments ?? this.settings.infiniteContext;
    return this.run(async (rt) => {
      if (this.settings.infiniteContext && all) await rt.chain.ensureLoaded(rt);
      return computeStats(rt, this.settings.infiniteContext && all);
    });
  }

  /** The current segment (treat as read-only; change it through the manager). */
  async getSession(): Promise<Session> {
    return this.run(async (rt) => rt.segment.session);
  }

  // ---------------------------------------------------------------- virtual memory

  /** The VM context (`null` without `enableVm`). */
  async getVmContext(options: { modelId?: string; tokenBudget?: number } = {}): Promise<VmContext | null> {
    if (this.vmBridge === null) return null;
    return this.run(async (rt) => this.vmBridge?.context(rt.systemPrompt, options) ?? null);
  }

  /** Serves `page_fault` / `search_pages`; fits `InternalToolHandler` of `@chuk/tools`. */
  handleVmToolCall = async (name: string, args: unknown): Promise<VmToolCallOutcome> => {
    if (this.vmBridge === null) return { handled: false, content: '' };
    return this.run(async () => (this.vmBridge as VmBridge).handleToolCall(name, args));
  };

  /** The VM tool definitions (`[]` without a VM or in passive mode). */
  async getVmTools(): Promise<VmToolDefinition[]> {
    return this.vmBridge?.tools() ?? [];
  }
}

/** The segment's user/assistant messages (other sources skipped), after the optional system messages. */
async function transcriptMessages(rt: ManagerRuntime, includeSystem: boolean): Promise<ChatMessage[]> {
  const out: ChatMessage[] = [];
  if (includeSystem) {
    const prompt = rt.systemPrompt;
    if (prompt !== null && prompt.trim() !== '') out.push({ role: MessageRole.System, content: prompt });
    const context = rt.settings.includeSegmentSummaries
      ? await boundedContextMessage(rt.chain.summaryTexts(), {
          maxSummaries: rt.settings.maxSegmentSummaries,
          tokenBudget: rt.settings.summaryTokenBudget,
          counter: rt.counter,
          model: rt.settings.defaultModel,
        })
      : null;
    if (context !== null) out.push({ role: MessageRole.System, content: context });
  }
  for (const message of ChainLoader.chatMessages(rt.segment.session)) out.push(message);
  return out;
}

function segmentTurns(session: Session): ConversationTurn[] {
  const out: ConversationTurn[] = [];
  for (const event of session.events) {
    if (event.type !== EventType.Message) continue;
    out.push({ role: roleOfSource(event.source), content: messageText(event.message), timestamp: event.timestamp });
  }
  return out;
}

export type { SessionStats };

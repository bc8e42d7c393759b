import { z } from 'zod';
import type { ChatMessage, LlmCallback, Logger, PricingTable, SessionStore, TokenCounter } from '@chuk/models';
import {
  EventSource,
  EventSourceSchema,
  EventType,
  InvalidInput,
  MessageRole,
  Session,
  SessionEvent,
  SessionNotFound,
  SessionVersionConflict,
  appendEventOnce,
  appendWithRetry,
  getDefaultTokenCounter,
  noopLogger,
  updateHeaderWithRetry,
} from '@chuk/models';
import { KeyedMutex } from '../common/mutex.js';
import { parseOptions } from '../common/options.js';
import { messageText, roleOfSource, summaryTextOf } from '../common/text.js';
import type { SegmentLimits } from '../segment/limits.js';
import { storedMessageCount } from '../segment/limits.js';
import { normalizeFacts, stripPinnedFacts } from '../summary/pinned.js';
import type { SummarizationStrategy } from '../summary/strategy.js';
import type { StoredTokenCount } from '../summary/chunking.js';
import type { SummaryResult } from '../summary/summarize.js';
import { summarizeMessages } from '../summary/summarize.js';
import { InfiniteConversationOptionsSchema } from './options.js';
import type { InfiniteConversationConfig, InfiniteConversationManagerOptions } from './options.js';
import {
  PINNED_FACTS_STATE,
  PINNED_METADATA,
  lastSummaryEvent,
  pinnedFactsOf,
  storedPinnedFacts,
  summaryInfoOf,
  summaryMetadata,
} from './summary-event.js';

/** Prefix of the system message that carries earlier segments' summaries. */
export const PREVIOUS_CONTEXT_PREFIX = 'Previous conversation context: ';
/** Default `maxMessages` of `buildContextForLlm`. */
export const DEFAULT_CONTEXT_MESSAGES = 10;
/** Attempts to close a segment when other writers keep appending to it. */
const MAX_ROLLOVER_ATTEMPTS = 5;
/** Redirects followed from a closed segment to the open one (a chain longer than this is an error). */
const MAX_REDIRECTS = 1000;
/** Polls for the child another writer registers after it closed a segment … */
const FOLLOW_CHILD_ATTEMPTS = 5;
/** … this many milliseconds apart. */
const FOLLOW_CHILD_DELAY_MS = 20;

/** One message of `getHistory`. */
export const HistoryEntrySchema = z.object({
  role: z.enum([MessageRole.User, MessageRole.Assistant]).describe('chat role (roleOfSource)'),
  source: EventSourceSchema.describe('who wrote it'),
  content: z.string().describe('message text'),
  sessionId: z.string().describe('segment that holds it'),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/** Options of `processMessage` (a string is taken as `model`). */
export interface ProcessMessageOptions {
  /** model that counts and prices the message (default: `defaultModel`) */
  model?: string;
  /** keep this message's text verbatim in every later summary */
  pin?: boolean;
  /** merged into the event's metadata */
  metadata?: Record<string, unknown>;
}

export interface BuildContextOptions {
  /** last message events of the current segment (default 10; 0 = none) */
  maxMessages?: number;
  /** prepend the earlier segments' summaries as one system message (default true) */
  includeSummaries?: boolean;
  /** newest summaries kept in that message (default: all) */
  maxSummaries?: number;
}

interface AncestorSummary {
  sessionId: string;
  text: string;
  pinnedFacts: string[];
}

/** What the manager keeps per session so a message costs O(1) whatever the session's length. */
interface SegmentState {
  /** in-memory mirror of the stored segment (changed only after the store accepted an event) */
  session: Session;
  /** `message` events of the segment */
  messageCount: number;
  /** earlier segments' summaries, oldest first; null until first needed */
  ancestry: AncestorSummary[] | null;
  /** the segment that continues this one once it is closed (summarised, with a child) */
  successor: string | null;
  /**
   * The parent segment's last message when it is an unanswered user message (it closed the parent, so the
   * model has not seen it yet); null when there is none; undefined until first needed.
   */
  pending?: ChatMessage | null;
}

const nonNegativeInt = (value: number, field: string): void => {
  if (!Number.isInteger(value) || value < 0) throw new InvalidInput({ field, reason: 'must be a non-negative integer' });
};

/**
 * Infinite conversation over chained sessions (reference `InfiniteConversationManager`): messages are
 * appended to the current segment; once it reaches `tokenThreshold` tokens or `maxTurnsPerSegment`
 * message events it is summarised through the injected callback and a child segment continues the
 * conversation. The store is an append-only log: one append per new event, header changes by
 * compare-and-set. Running totals are kept per session, so adding a message does not re-read or re-count
 * the session.
 */
export class InfiniteConversationManager {
  readonly tokenThreshold: number;
  readonly maxTurnsPerSegment: number;
  /** mutable (reference tests reassign it) */
  summarizationStrategy: SummarizationStrategy;
  readonly defaultModel: string;

  readonly #config: InfiniteConversationConfig;
  readonly #store: SessionStore;
  readonly #counter: TokenCounter | undefined;
  readonly #pricing: PricingTable | undefined;
  readonly #logger: Logger;
  readonly #clock: (() => Date) | undefined;
  readonly #idGenerator: (() => string) | undefined;
  readonly #mutex = new KeyedMutex();
  readonly #states = new Map<string, SegmentState>();
  /** the most recently used entry of `#states` (so loading it again needs no reordering); null when unknown */
  #lastLoaded: SegmentState | null = null;
  /** message events this manager counted itself (with `#countingCounter`): their stored counts are reused */
  readonly #countedHere = new WeakSet<SessionEvent>();

  constructor(options: InfiniteConversationManagerOptions) {
    const store = (options as Partial<InfiniteConversationManagerOptions> | undefined)?.store;
    if (store === undefined) throw new InvalidInput({ field: 'store', reason: 'a SessionStore is required' });
    this.#config = parseOptions(InfiniteConversationOptionsSchema, options);
    this.tokenThreshold = this.#config.tokenThreshold;
    this.maxTurnsPerSegment = this.#config.maxTurnsPerSegment;
    this.summarizationStrategy = this.#config.summarizationStrategy;
    this.defaultModel = this.#config.defaultModel;
    this.#store = store;
    this.#counter = options.counter;
    this.#pricing = options.pricing;
    this.#logger = options.logger ?? noopLogger;
    this.#clock = options.clock;
    this.#idGenerator = options.idGenerator;
  }

  /** The counter messages are counted with (the injected one, else the default counter). */
  get #countingCounter(): TokenCounter {
    return this.#counter ?? getDefaultTokenCounter();
  }

  /** The segment limits (`SegmentLimits`). */
  get limits(): SegmentLimits {
    return { tokenThreshold: this.tokenThreshold, maxTurnsPerSegment: this.maxTurnsPerSegment };
  }

  /**
   * Records a message in segment `sessionId` and returns the id of the segment to use next: the same id, or
   * a new child's when this message filled the segment (it stays in the old one and in its summary).
   * Tokens: a user message counts as prompt, an llm message as completion, a system message 0.
   * `llmCallback` is only called (and only required) when the segment is full.
   */
  async processMessage(
    sessionId: string,
    message: string,
    source: EventSource,
    llmCallback?: LlmCallback,
    options?: string | ProcessMessageOptions,
  ): Promise<string> {
    if (typeof message !== 'string') throw new InvalidInput({ field: 'message', reason: 'must be a string' });
    const opts: ProcessMessageOptions = typeof options === 'string' ? { model: options } : (options ?? NO_OPTIONS);
    return await this.#inOpenSegment(sessionId, async (state) => {
      const metadata: Record<string, unknown> = { ...opts.metadata };
      if (opts.pin === true) metadata[PINNED_METADATA] = true;
      const event = await SessionEvent.createWithTokens({
        message,
        prompt: source === EventSource.User ? message : '',
        completion: source === EventSource.Llm ? message : '',
        model: opts.model ?? this.defaultModel,
        source,
        type: EventType.Message,
        metadata,
        counter: this.#countingCounter,
        pricing: this.#pricing,
        clock: this.#clock,
        idGenerator: this.#idGenerator,
      });
      this.#countedHere.add(event);
      const others = await this.#append(state, event);
      if (others.length > 0 && others.some((e) => e.type === EventType.Summary)) return this.#followChild(state);
      if (!this.#isFull(state)) return state.session.id;
      if (typeof llmCallback !== 'function') {
        throw new InvalidInput({ field: 'llmCallback', reason: 'a summariser is required when a segment is full' });
      }
      return this.#rollover(state, llmCallback);
    });
  }

  /** Pins a fact on segment `sessionId`: it is kept verbatim in this segment's summary and every later one. */
  async pinFact(sessionId: string, fact: string): Promise<void> {
    if (typeof fact !== 'string' || fact.trim() === '') throw new InvalidInput({ field: 'fact', reason: 'must be a non-empty string' });
    const text = fact.trim();
    await this.#inOpenSegment(sessionId, async (state) => {
      await updateHeaderWithRetry(this.#store, state.session, (session) => {
        const facts = pinnedFactsOf(session, messageText);
        if (facts.includes(text)) return false;
        session.setState(PINNED_FACTS_STATE, normalizeFacts([...storedPinnedFacts(session), text]));
        return true;
      });
      return state.session.id;
    });
  }

  /** Pinned facts of segment `sessionId` (carried ones, `pinFact` ones, pinned messages). */
  async getPinnedFacts(sessionId: string): Promise<string[]> {
    return pinnedFactsOf((await this.#load(sessionId)).session, messageText);
  }

  /** The summary text that would be stored for `session` (see `summarize`). */
  async createSummary(session: Session, llmCallback: LlmCallback): Promise<string> {
    return (await this.summarize(session, llmCallback)).text;
  }

  /**
   * Summarises the segment's messages with the current strategy: the callback receives the strategy's
   * system prompt then the messages (`roleOfSource`, `messageText`), within `summaryInputBudget` (in parts
   * when longer); failures and empty answers are retried, then replaced by the deterministic fallback;
   * pinned facts are appended verbatim.
   */
  async summarize(session: Session, llmCallback: LlmCallback): Promise<SummaryResult> {
    const counter = this.#countingCounter;
    const messages: ChatMessage[] = [];
    const storedCounts: (StoredTokenCount | undefined)[] = [];
    for (const event of session.events) {
      if (event.type !== EventType.Message) continue;
      messages.push({ role: roleOfSource(event.source), content: messageText(event.message) });
      storedCounts.push(this.#countedHere.has(event) ? storedMessageCount(event, counter) : undefined);
    }
    return summarizeMessages(messages, {
      callback: llmCallback,
      storedCounts,
      strategy: this.summarizationStrategy,
      inputBudgetTokens: this.#config.summaryInputBudget,
      maxAttempts: this.#config.summaryMaxAttempts,
      fallbackTurns: this.#config.fallbackTurns,
      model: this.defaultModel,
      pinnedFacts: pinnedFactsOf(session, messageText),
      counter,
      logger: this.#logger.child?.({ sessionId: session.id }) ?? this.#logger,
    });
  }

  /**
   * What to send the model for segment `sessionId`: one system message `Previous conversation context: …`
   * with the earlier segments' summaries, **oldest first** (pinned facts listed once, at the end), then the
   * last `maxMessages` message events of the segment. When the previous segment was closed by a user
   * message (so the model has not answered it yet), that message opens the window while there is room.
   */
  async buildContextForLlm(sessionId: string, options: BuildContextOptions = {}): Promise<ChatMessage[]> {
    const maxMessages = options.maxMessages ?? DEFAULT_CONTEXT_MESSAGES;
    nonNegativeInt(maxMessages, 'maxMessages');
    if (options.maxSummaries !== undefined) nonNegativeInt(options.maxSummaries, 'maxSummaries');
    const state = await this.#load(sessionId);
    const out: ChatMessage[] = [];
    if (options.includeSummaries ?? true) {
      const all = await this.#ancestry(state);
      const kept = options.maxSummaries === undefined ? all : all.slice(all.length - Math.min(all.length, options.maxSummaries));
      if (kept.length > 0) {
        const texts = kept.map((a, i) => (i === kept.length - 1 ? a.text : stripPinnedFacts(a.text, a.pinnedFacts)));
        out.push({ role: MessageRole.System, content: PREVIOUS_CONTEXT_PREFIX + texts.join(' ') });
      }
    }
    const recent: ChatMessage[] = [];
    const events = state.session.events;
    for (let i = events.length - 1; i >= 0 && recent.length < maxMessages; i--) {
      const event = events[i];
      if (event?.type === EventType.Message) recent.push({ role: roleOfSource(event.source), content: messageText(event.message) });
    }
    if (recent.length < maxMessages) {
      const pending = await this.#pending(state);
      if (pending !== null) recent.push(pending);
    }
    return [...out, ...recent.reverse()];
  }

  /** Every segment of the conversation, root first, `sessionId` last (fresh snapshots from the store). */
  async getSessionChain(sessionId: string): Promise<Session[]> {
    const current = await this.#store.get(sessionId);
    if (current === null) throw new SessionNotFound({ sessionId });
    const ancestors = await current.ancestors(this.#store);
    return [...ancestors.reverse(), current];
  }

  /** Every message of the conversation, root segment first, with the segment that holds it. */
  async getHistory(sessionId: string): Promise<HistoryEntry[]> {
    const chain = await this.getSessionChain(sessionId);
    return chain.flatMap((session) =>
      session.events
        .filter((e) => e.type === EventType.Message)
        .map((e) => ({ role: roleOfSource(e.source), source: e.source, content: messageText(e.message), sessionId: session.id })),
    );
  }

  /** Drops the in-memory totals of one session (or all): the next call reads it from the store again. */
  dropCachedState(sessionId?: string): void {
    this.#lastLoaded = null;
    if (sessionId === undefined) this.#states.clear();
    else this.#states.delete(sessionId);
  }

  /**
   * Runs `fn` under the lock of the open segment of `sessionId`'s conversation: a closed segment (summarised,
   * with a child) redirects to its successor, so a stale id never makes a segment grow a second child.
   */
  async #inOpenSegment(sessionId: string, fn: (state: SegmentState) => Promise<string>): Promise<string> {
    let target = sessionId;
    for (let redirects = 0; redirects <= MAX_REDIRECTS; redirects++) {
      const result = await this.#mutex.run(target, async (): Promise<string | Redirect> => {
        const state = this.#cached(target) ?? (await this.#read(target));
        return state.successor === null ? await fn(state) : new Redirect(state.successor);
      });
      if (!(result instanceof Redirect)) return result;
      target = result.next;
    }
    throw new InvalidInput({ field: 'sessionId', reason: `more than ${MAX_REDIRECTS} closed segments after ${sessionId}` });
  }

  /** `exceedsSegmentLimits` on the running totals (written out: one check per message). */
  #isFull(state: SegmentState): boolean {
    return state.session.totalTokens >= this.tokenThreshold || state.messageCount >= this.maxTurnsPerSegment;
  }

  async #load(sessionId: string): Promise<SegmentState> {
    return this.#cached(sessionId) ?? (await this.#read(sessionId));
  }

  /** The cached state of `sessionId`, made the most recently used; undefined when not cached. */
  #cached(sessionId: string): SegmentState | undefined {
    const last = this.#lastLoaded;
    if (last !== null && last.session.id === sessionId) return last;
    const cached = this.#states.get(sessionId);
    if (cached !== undefined) {
      this.#states.delete(sessionId);
      this.#states.set(sessionId, cached);
      this.#lastLoaded = cached;
    }
    return cached;
  }

  /** Reads `sessionId` from the store and caches its running totals. */
  async #read(sessionId: string): Promise<SegmentState> {
    const session = await this.#store.get(sessionId);
    if (session === null) throw new SessionNotFound({ sessionId });
    let messageCount = 0;
    let summarised = false;
    for (const event of session.events) {
      if (event.type === EventType.Message) messageCount++;
      else if (event.type === EventType.Summary) summarised = true;
    }
    const successor = summarised ? (session.childIds[session.childIds.length - 1] ?? null) : null;
    return this.#remember({ session, messageCount, ancestry: null, successor });
  }

  /** Caches a new state as the most recently used one (its id is not cached yet). */
  #remember(state: SegmentState): SegmentState {
    this.#states.set(state.session.id, state);
    this.#lastLoaded = state;
    if (this.#states.size > this.#config.maxCachedSessions) {
      const oldest = this.#states.keys().next().value;
      if (oldest !== undefined) this.#states.delete(oldest);
    }
    return state;
  }

  #apply(state: SegmentState, event: SessionEvent): void {
    if (appendEventOnce(state.session, event) && event.type === EventType.Message) state.messageCount++;
  }

  /** Applies, in order, the events other writers appended since the mirror was last in step; returns them. */
  async #catchUp(state: SegmentState): Promise<SessionEvent[]> {
    const events = await this.#store.readEvents(state.session.id, { from: state.session.events.length });
    if (events === null) throw new SessionNotFound({ sessionId: state.session.id });
    for (const event of events) this.#apply(state, event);
    return events;
  }

  /**
   * One append; the mirror changes only after the store accepted the event (catching up, in order, when
   * others wrote in between). Returns the events other writers had appended.
   */
  async #append(state: SegmentState, event: SessionEvent, expectedCount?: number): Promise<SessionEvent[]> {
    const local = state.session.events.length;
    const result = await appendWithRetry(this.#store, state.session.id, [event], expectedCount === undefined ? NO_APPEND_OPTIONS : { expectedCount });
    if (result.eventCount === local + result.appended) {
      this.#apply(state, event);
      return [];
    }
    return (await this.#catchUp(state)).filter((e) => e.id !== event.id);
  }

  async #rollover(state: SegmentState, callback: LlmCallback): Promise<string> {
    let lastConflict: SessionVersionConflict | undefined;
    for (let attempt = 1; attempt <= MAX_ROLLOVER_ATTEMPTS; attempt++) {
      const summary = await this.summarize(state.session, callback);
      const event = SessionEvent.create({
        message: summary.text,
        source: EventSource.System,
        type: EventType.Summary,
        metadata: summaryMetadata(summary),
        clock: this.#clock,
        idGenerator: this.#idGenerator,
      });
      try {
        await this.#append(state, event, state.session.events.length);
      } catch (error) {
        if (!(error instanceof SessionVersionConflict)) throw error;
        lastConflict = error;
        const added = await this.#catchUp(state);
        if (added.some((e) => e.type === EventType.Summary)) return this.#followChild(state);
        continue;
      }
      return this.#createChild(state, summary);
    }
    throw lastConflict as SessionVersionConflict;
  }

  /** Another writer closed this segment: continue in the child it registered. */
  async #followChild(state: SegmentState): Promise<string> {
    const id = state.session.id;
    for (let attempt = 1; attempt <= FOLLOW_CHILD_ATTEMPTS; attempt++) {
      const header = await this.#store.getHeader(id);
      if (header === null) throw new SessionNotFound({ sessionId: id });
      const child = header.childIds[header.childIds.length - 1];
      if (child !== undefined) {
        state.session.adoptHeader(header);
        state.successor = child;
        return child;
      }
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_CHILD_DELAY_MS));
    }
    this.#logger.warn({ sessionId: id }, 'segment was closed by another writer that registered no child; staying in it');
    return id;
  }

  async #createChild(state: SegmentState, summary: SummaryResult): Promise<string> {
    const parent = state.session;
    const child = await Session.create({
      idGenerator: this.#idGenerator,
      parentId: parent.id,
      properties: { ...parent.metadata.properties },
      store: this.#store,
      clock: this.#clock,
      logger: this.#logger,
    });
    if (summary.pinnedFacts.length > 0) {
      await updateHeaderWithRetry(this.#store, child, (session) => {
        session.setState(PINNED_FACTS_STATE, [...summary.pinnedFacts]);
        return true;
      });
    }
    const ancestry =
      state.ancestry === null ? null : [...state.ancestry, { sessionId: parent.id, text: summary.text, pinnedFacts: summary.pinnedFacts }];
    state.successor = child.id;
    this.#remember({ session: child, messageCount: 0, ancestry, successor: null, pending: unansweredUserMessage(parent) });
    this.#logger.info({ sessionId: parent.id, childId: child.id, fallback: summary.fallback }, 'segment rollover');
    return child.id;
  }

  async #pending(state: SegmentState): Promise<ChatMessage | null> {
    if (state.pending !== undefined) return state.pending;
    const parentId = state.session.parentId;
    const parent = parentId === null ? null : (this.#states.get(parentId)?.session ?? (await this.#store.get(parentId)));
    state.pending = parent === null ? null : unansweredUserMessage(parent);
    return state.pending;
  }

  async #ancestry(state: SegmentState): Promise<AncestorSummary[]> {
    if (state.ancestry !== null) return state.ancestry;
    const ancestors = await state.session.ancestors(this.#store);
    const out: AncestorSummary[] = [];
    for (const ancestor of ancestors.reverse()) {
      const event = lastSummaryEvent(ancestor);
      if (event === undefined) continue;
      out.push({ sessionId: ancestor.id, text: summaryTextOf(event.message), pinnedFacts: summaryInfoOf(event).pinned_facts });
    }
    state.ancestry = out;
    return out;
  }
}

/** `#inOpenSegment`: the segment is closed, continue in `next`. */
class Redirect {
  constructor(readonly next: string) {}
}

/** Shared options of an append without an expected count (never written). */
const NO_APPEND_OPTIONS: { expectedCount?: number } = Object.freeze({});

/** Shared options of a `processMessage` call given none (never written). */
const NO_OPTIONS: ProcessMessageOptions = Object.freeze({});

/** The segment's last message event when it comes from the user (nobody answered it in this segment). */
function unansweredUserMessage(session: Session): ChatMessage | null {
  const last = session.events.findLast((e) => e.type === EventType.Message);
  return last?.source === EventSource.User ? { role: MessageRole.User, content: messageText(last.message) } : null;
}

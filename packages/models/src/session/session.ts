import { z } from 'zod';
import type { EventSource } from '../enums/index.js';
import { InvalidSessionOperation } from '../errors/errors.js';
import { parseInput } from '../errors/parse.js';
import { cloneJson } from '../util/json.js';
import type { TokenCounter } from '../tokens/counter.js';
import { countTokens } from '../tokens/counter.js';
import type { PricingTable } from '../tokens/pricing.js';
import { DEFAULT_TOKEN_MODEL } from '../tokens/pricing.js';
import { TokenSummary } from '../tokens/summary.js';
import type { Clock, IdGenerator } from '../util/clock.js';
import { randomId, systemClock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { noopLogger } from '../util/logger.js';
import { nowIso, parseTimestamp } from '../util/time.js';
import { SessionEvent } from './event.js';
import type { SessionEventWireOut } from './event.js';
import type { FrozenHeader, HeaderParts, SessionHeader, SessionHeaderWireOut } from './header.js';
import {
  assertHeaderParts, assertSessionId, cloneHeader, freezeHeaderParts, headerFromWire, headerToWire, thawMetadata,
} from './header.js';
import type { RetryOptions } from './header-retry.js';
import { updateHeaderWithRetry } from './header-retry.js';
import { SessionMetadata } from './metadata.js';
import type { SessionRun } from './run.js';
import { SessionWireSchema } from './schemas.js';

const SessionEnvelopeSchema = SessionWireSchema.pick({ events: true, token_summary: true }).extend({
  events: z.array(z.unknown()).default([]),
  token_summary: z.unknown().optional(),
});

/** Key of `getTokenUsageByRun` for events without a task id. */
export const NO_RUN_KEY = 'no_run';
/** Default bound of `ancestors`. */
export const DEFAULT_MAX_ANCESTOR_DEPTH = 1000;

/** What the store-taking methods of `Session` need (a `SessionStore` satisfies it). */
export interface SessionStorePort {
  create(header: SessionHeader): Promise<number>;
  get<M = unknown>(sessionId: string): Promise<Session<M> | null>;
  getHeader(sessionId: string): Promise<SessionHeader | null>;
  append(sessionId: string, events: readonly SessionEvent[], options?: { expectedCount?: number }): Promise<unknown>;
  updateHeader(header: SessionHeader, options: { expectedRevision: number }): Promise<number>;
}

export interface SessionOptions {
  clock?: Clock;
  idGenerator?: IdGenerator;
  logger?: Logger;
  pricing?: PricingTable;
}

export interface SessionInit extends SessionOptions {
  id?: string;
  metadata?: SessionMetadata;
  properties?: Record<string, unknown>;
  parentId?: string | null;
  childIds?: string[];
  taskIds?: string[];
  runs?: SessionRun[];
  state?: Record<string, unknown>;
  revision?: number;
}

export interface SessionFromWireOptions<M> extends SessionOptions {
  messageSchema?: z.ZodType<M>;
}

/** Whole stored form of a session (reference layout plus `schema_version`). */
export interface SessionWireOut extends SessionHeaderWireOut {
  events: SessionEventWireOut[];
  token_summary: ReturnType<TokenSummary['toWire']>;
}

/**
 * A session: header (metadata, links, runs, state, revision) plus its events and token summary.
 * Helpers are synchronous (D1); methods that take a store are async and never use a hidden global store.
 */
export class Session<M = unknown> implements SessionHeader {
  readonly id: string;
  parentId: string | null;
  /** Header revision kept by the store (0 = never stored). Not serialised. */
  revision: number;
  /** A frozen stored header the mutable parts are copied from on first access (copy on read). */
  #base: FrozenHeader | null = null;
  #metadata: SessionMetadata | null = null;
  #childIds: string[] | null = null;
  #taskIds: string[] | null = null;
  #runs: SessionRun[] | null = null;
  #state: Record<string, unknown> | null = null;
  #tokenSummary: TokenSummary | null = null;
  /** Shared empty list until the first event (sessions read from stores are mostly never appended to). */
  #events: SessionEvent<M>[] = NO_EVENTS as SessionEvent<M>[];
  #ids: Set<string> | null = null;
  readonly #clock: Clock;
  /** Logger and pricing; null = the defaults (one slot for two rarely set options: sessions are many). */
  readonly #extras: SessionExtras | null;

  constructor(init: SessionInit = {}) {
    const base = adopting;
    if (base !== null) {
      // `fromFrozen`: the header parts stay null and are copied from the frozen header on first access;
      // its id was validated when it was stored
      const options = adoptingOptions;
      adopting = null;
      this.#clock = options.clock ?? systemClock;
      this.#extras = extrasOf(options);
      this.id = base.id;
      this.parentId = base.parentId;
      this.revision = base.revision;
      this.#base = base;
      return;
    }
    this.#clock = init.clock ?? systemClock;
    this.#extras = extrasOf(init);
    const id = init.id ?? (init.idGenerator ?? randomId)();
    assertSessionId(id, 'id');
    this.id = id;
    this.parentId = init.parentId ?? null;
    this.revision = init.revision ?? 0;
    this.#metadata = init.metadata ?? SessionMetadata.create(init.properties ?? {}, this.#clock);
    // lists and state not given stay null (empty) until first read: most sessions never have links, runs or state
    this.#childIds = init.childIds ?? null;
    this.#taskIds = init.taskIds ?? null;
    this.#runs = init.runs ?? null;
    this.#state = init.state ?? null;
  }

  get metadata(): SessionMetadata {
    if (this.#metadata !== null) return this.#metadata;
    // null only for a session over a frozen header (`fromFrozen`)
    if (this.#base === null) throw new InvalidSessionOperation({ operation: 'read', reason: 'session header is missing' });
    return (this.#metadata = thawMetadata(this.#base, this.#clock));
  }

  set metadata(value: SessionMetadata) {
    this.#metadata = value;
  }

  get childIds(): string[] {
    return (this.#childIds ??= this.#base === null ? [] : [...this.#base.childIds]);
  }

  set childIds(value: string[]) {
    this.#childIds = value;
  }

  get taskIds(): string[] {
    return (this.#taskIds ??= this.#base === null ? [] : [...this.#base.taskIds]);
  }

  set taskIds(value: string[]) {
    this.#taskIds = value;
  }

  get runs(): SessionRun[] {
    return (this.#runs ??= this.#base === null ? [] : this.#base.runs.map((r) => r.clone(this.#clock)));
  }

  set runs(value: SessionRun[]) {
    this.#runs = value;
  }

  get state(): Record<string, unknown> {
    return (this.#state ??= this.#base === null ? {} : cloneJson(this.#base.state));
  }

  set state(value: Record<string, unknown>) {
    this.#state = value;
  }

  /** Token totals of the events (built from their stored usages on first access; nothing is recounted). */
  get tokenSummary(): TokenSummary {
    if (this.#tokenSummary === null) {
      const summary = new TokenSummary({ pricing: this.#extras?.pricing });
      for (const e of this.#events) if (e.tokenUsage !== null) summary.addUsage(e.tokenUsage);
      this.#tokenSummary = summary;
    }
    return this.#tokenSummary;
  }

  set tokenSummary(value: TokenSummary) {
    this.#tokenSummary = value;
  }

  /** Events in append order (read-only view; use `addEvent` / `appendEventOnce`). */
  get events(): readonly SessionEvent<M>[] {
    return this.#events;
  }

  get eventCount(): number {
    return this.#events.length;
  }

  /** Timestamp of the latest event, else `metadata.createdAt`. */
  get lastUpdateTime(): string {
    let best = this.metadata.createdAt;
    let bestMs = Number.NEGATIVE_INFINITY;
    for (const e of this.#events) {
      const ms = parseTimestamp(e.timestamp);
      if (ms > bestMs) {
        bestMs = ms;
        best = e.timestamp;
      }
    }
    return best;
  }

  /** The last run whose status is `running`, else null. */
  get activeRun(): SessionRun | null {
    for (let i = this.runs.length - 1; i >= 0; i--) {
      const run = this.runs[i];
      if (run?.status === 'running') return run;
    }
    return null;
  }

  get totalTokens(): number {
    return this.tokenSummary.totalTokens;
  }

  get totalCost(): number {
    return this.tokenSummary.totalEstimatedCostUsd;
  }

  hasEvent(eventId: string): boolean {
    return Session.#idIndex(this).has(eventId);
  }

  /** Appends in memory; adds its usage to the summary and advances `metadata.updatedAt`. */
  addEvent(event: SessionEvent<M>): void {
    if (this.#events === NO_EVENTS) this.#events = [];
    this.#events.push(event);
    this.#ids?.add(event.id);
    if (event.tokenUsage !== null && this.#tokenSummary !== null) this.#tokenSummary.addUsage(event.tokenUsage);
    this.metadata.updatedAt = nowIso(this.#clock);
  }

  /** Adds `event` only if no event with its id is present (O(1)); returns whether it did. */
  appendEventOnce(event: SessionEvent<M>): boolean {
    if (Session.#idIndex(this).has(event.id)) return false;
    this.addEvent(event);
    return true;
  }

  /** `store.append` first, then `addEvent`: a failed append leaves the instance unchanged. */
  async addEventAndSave(event: SessionEvent<M>, store: SessionStorePort): Promise<void> {
    await store.append(this.id, [event]);
    this.appendEventOnce(event);
  }

  /** One summary per source that has events with usage. */
  getTokenUsageBySource(): Partial<Record<EventSource, TokenSummary>> {
    const out: Partial<Record<EventSource, TokenSummary>> = {};
    for (const e of this.#events) {
      if (e.tokenUsage === null) continue;
      (out[e.source] ??= new TokenSummary({ pricing: this.#extras?.pricing })).addUsage(e.tokenUsage);
    }
    return out;
  }

  /** Summaries keyed by `taskId` (`"no_run"` always present). */
  getTokenUsageByRun(): Record<string, TokenSummary> {
    const out: Record<string, TokenSummary> = { [NO_RUN_KEY]: new TokenSummary({ pricing: this.#extras?.pricing }) };
    for (const e of this.#events) {
      if (e.tokenUsage === null) continue;
      (out[e.taskId ?? NO_RUN_KEY] ??= new TokenSummary({ pricing: this.#extras?.pricing })).addUsage(e.tokenUsage);
    }
    return out;
  }

  /** Counts a string, an object's `content`, or any other value's JSON text. */
  async countMessageTokens(message: unknown, model: string = DEFAULT_TOKEN_MODEL, counter?: TokenCounter): Promise<number> {
    if (typeof message === 'string') return countTokens(message, model, counter);
    if (message !== null && typeof message === 'object' && 'content' in message) {
      return countTokens(message.content, model, counter);
    }
    return countTokens(message, model, counter);
  }

  setState(key: string, value: unknown): void {
    this.state[key] = value;
  }

  getState(key: string, defaultValue?: unknown): unknown {
    return Object.hasOwn(this.state, key) ? this.state[key] : defaultValue;
  }

  hasState(key: string): boolean {
    return Object.hasOwn(this.state, key);
  }

  removeState(key: string): void {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
    delete this.state[key];
  }

  /**
   * The header as the deeply frozen form in-memory stores keep (validated; `InvalidInput` names the field). Parts
   * not read since the session came from a frozen header are shared with it, not copied again.
   */
  toFrozenHeader(revision: number): FrozenHeader {
    const parts: HeaderParts = {
      id: this.id,
      parentId: this.parentId,
      metadata: this.#metadata,
      childIds: this.#childIds,
      taskIds: this.#taskIds,
      runs: this.#runs,
      state: this.#state,
    };
    assertHeaderParts(parts, true);
    return freezeHeaderParts(parts, this.#base, revision);
  }

  /** A copy of the header part (no events, no token summary). */
  toHeader(): SessionHeader {
    return cloneHeader(this);
  }

  /** Replaces the header part in place (events kept); used after a revision conflict. */
  adoptHeader(header: SessionHeader): void {
    const h = cloneHeader(header, this.#clock);
    this.metadata = h.metadata;
    this.parentId = h.parentId;
    this.childIds = h.childIds;
    this.taskIds = h.taskIds;
    this.runs = h.runs;
    this.state = h.state;
    this.revision = h.revision;
  }

  /**
   * Rebuilds a session from a stored header and events (the token summary from the events' stored usages,
   * nothing recounted). Takes ownership of `header`'s objects and of the event instances.
   */
  static fromLog<M = unknown>(header: SessionHeader, events: readonly SessionEvent<M>[], options: SessionOptions = {}): Session<M> {
    const s = new Session<M>({
      id: header.id,
      metadata: header.metadata,
      parentId: header.parentId,
      childIds: header.childIds,
      taskIds: header.taskIds,
      runs: header.runs,
      state: header.state,
      revision: header.revision,
      clock: options.clock,
      logger: options.logger,
      pricing: options.pricing,
    });
    if (events.length > 0) s.#events = events.slice();
    return s;
  }

  /**
   * A session over a frozen stored header (`freezeHeader`) and frozen events: its header parts are copied on
   * first access, so the snapshot is independent and costs nothing for parts never read.
   */
  static fromFrozen<M = unknown>(header: FrozenHeader, events: readonly SessionEvent<M>[], options: SessionOptions = {}): Session<M> {
    adopting = header;
    adoptingOptions = options;
    const s = new Session<M>(ADOPT_INIT);
    if (events.length > 0) s.#events = events.slice();
    return s;
  }

  /** Whole session in the reference layout plus `schema_version`. */
  toWire(): SessionWireOut {
    return {
      ...headerToWire(this),
      events: this.#events.map((e) => e.toWire()),
      token_summary: this.tokenSummary.toWire(),
    };
  }

  toJSON(): SessionWireOut {
    return this.toWire();
  }

  /** Decodes a stored session (reference data included); `InvalidInput` names the failing field. */
  static fromWire<M = unknown>(raw: unknown, options: SessionFromWireOptions<M> = {}): Session<M> {
    // each part is parsed once: the header here, every event and the summary by their own decoders
    const w = parseInput(SessionEnvelopeSchema, raw, 'session');
    const header = headerFromWire(raw, { clock: options.clock, field: 'session', eventCount: w.events.length });
    const events = w.events.map((e, i) =>
      SessionEvent.fromWire<M>(e, { ...options, field: `session.events.${i}` }),
    );
    const s = Session.fromLog<M>(header, events, options);
    if (w.token_summary !== undefined) {
      s.tokenSummary = TokenSummary.fromWire(w.token_summary, { pricing: options.pricing, field: 'session.token_summary' });
    }
    return s;
  }

  /** An independent copy (events are shared only when frozen). */
  clone(): Session<M> {
    const events = this.#events.map((e) => (Object.isFrozen(e) ? e : e.clone()));
    const s = Session.fromLog<M>(cloneHeader(this, this.#clock), events, Session.#optionsOf(this));
    s.tokenSummary = this.tokenSummary.clone();
    return s;
  }

  // ---- store-taking methods -------------------------------------------------------------------------------

  /** Creates and stores a new session (revision 1), then registers it with its parent. */
  static async create(
    init: SessionOptions & { id?: string; parentId?: string | null; properties?: Record<string, unknown>; store: SessionStorePort },
  ): Promise<Session> {
    const { store, ...rest } = init;
    const session = new Session(rest);
    session.revision = await store.create(session.toHeader());
    await session.registerWithParent(store);
    return session;
  }

  /** Adds this id to the parent's `childIds` (once, with CAS retry). A missing parent is ignored. */
  async registerWithParent(store: SessionStorePort, options?: RetryOptions): Promise<void> {
    if (this.parentId === null) return;
    const header = await store.getHeader(this.parentId);
    if (header === null) {
      (this.#extras?.logger ?? noopLogger).debug({ sessionId: this.id, parentId: this.parentId }, 'parent session not found');
      return;
    }
    const parent = Session.fromLog(header, [], Session.#optionsOf(this));
    await updateHeaderWithRetry(store, parent, (p) => addOnce(p.childIds, this.id), options);
  }

  async addChild(childId: string, store: SessionStorePort, options?: RetryOptions): Promise<void> {
    await updateHeaderWithRetry(store, this, (s) => addOnce(s.childIds, childId), options);
  }

  async removeChild(childId: string, store: SessionStorePort, options?: RetryOptions): Promise<void> {
    await updateHeaderWithRetry(
      store,
      this,
      (s) => {
        const i = s.childIds.indexOf(childId);
        if (i < 0) return false;
        s.childIds.splice(i, 1);
        return true;
      },
      options,
    );
  }

  /** Parents, closest first; stops at a missing parent, a cycle (warning) or `maxDepth`. */
  async ancestors(store: SessionStorePort, options: { maxDepth?: number } = {}): Promise<Session[]> {
    const maxDepth = options.maxDepth ?? DEFAULT_MAX_ANCESTOR_DEPTH;
    const out: Session[] = [];
    const seen = new Set<string>([this.id]);
    let next = this.parentId;
    while (next !== null) {
      if (seen.has(next)) {
        (this.#extras?.logger ?? noopLogger).warn({ sessionId: this.id, at: next }, 'cycle in parent links');
        break;
      }
      if (out.length >= maxDepth) {
        (this.#extras?.logger ?? noopLogger).warn({ sessionId: this.id, maxDepth }, 'ancestor depth limit reached');
        break;
      }
      seen.add(next);
      const parent = await store.get(next);
      if (parent === null) break;
      out.push(parent);
      next = parent.parentId;
    }
    return out;
  }

  /** Every descendant through `childIds`, pre-order in `childIds` order, cycle-safe; missing ones skipped. */
  async descendants(store: SessionStorePort): Promise<Session[]> {
    const out: Session[] = [];
    const seen = new Set<string>([this.id]);
    const visit = async (ids: readonly string[]): Promise<void> => {
      for (const id of ids) {
        if (seen.has(id)) continue;
        seen.add(id);
        const child = await store.get(id);
        if (child === null) continue;
        out.push(child);
        await visit(child.childIds);
      }
    };
    await visit(this.childIds);
    return out;
  }

  // static, not instance, private methods: those would add a brand slot to every session

  static #idIndex<T>(s: Session<T>): Set<string> {
    if (s.#ids === null) {
      const ids = new Set<string>();
      for (const e of s.#events) ids.add(e.id);
      s.#ids = ids;
    }
    return s.#ids;
  }

  static #optionsOf<T>(s: Session<T>): SessionOptions {
    return { clock: s.#clock, logger: s.#extras?.logger, pricing: s.#extras?.pricing };
  }
}

interface SessionExtras {
  readonly logger: Logger;
  readonly pricing: PricingTable | undefined;
}

function extrasOf(options: SessionOptions): SessionExtras | null {
  if (options.logger === undefined && options.pricing === undefined) return null;
  return { logger: options.logger ?? noopLogger, pricing: options.pricing };
}

function addOnce(list: string[], id: string): boolean {
  if (list.includes(id)) return false;
  list.push(id);
  return true;
}

const NO_EVENTS: readonly SessionEvent[] = Object.freeze([]);

/** The init `fromFrozen` passes (ignored while adopting; shared so no default object is made per call). */
const ADOPT_INIT: SessionInit = Object.freeze({});
/** Handed from `fromFrozen` to the constructor it calls (synchronously, so never seen by another call). */
let adopting: FrozenHeader | null = null;
let adoptingOptions: SessionOptions = {};

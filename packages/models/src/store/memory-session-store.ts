import { InvalidInput, SessionAlreadyExists, SessionNotFound, SessionVersionConflict, StorageError } from '../errors/errors.js';
import { SessionEvent } from '../session/event.js';
import type { SessionHeader } from '../session/header.js';
import type { FrozenHeader } from '../session/header.js';
import { assertHeader, assertSessionId, freezeHeader, headerFromWire, headerToWire, thawHeader } from '../session/header.js';
import { Session } from '../session/session.js';
import { sessionFromStoredLog } from './stored-session.js';
import type { Clock } from '../util/clock.js';
import { systemClock } from '../util/clock.js';
import { parseTimestamp } from '../util/time.js';
import type {
  AppendOptions, AppendResult, ListOptions, ListPage, ReadEventsOptions, SessionStore, StoreCapabilities, StoreStats,
  UpdateHeaderOptions,
} from './contracts.js';
import { DEFAULT_LIST_LIMIT } from './contracts.js';

const MS_PER_SECOND = 1000;

/** How the in-memory store keeps sessions. */
export const MemoryEncoding = {
  /** Validated, frozen objects (no JSON round trip per call). */
  Object: 'object',
  /** Wire JSON text, decoded on every read, as a persistent store does (benchmark W1b, codec tests). */
  Json: 'json',
} as const;
export type MemoryEncoding = (typeof MemoryEncoding)[keyof typeof MemoryEncoding];

/** One stored session (internal layout; exposed so tests can inspect or damage it). */
export interface MemorySessionEntry {
  /** Frozen header (object encoding) or header wire JSON (json encoding). */
  header: FrozenHeader | string;
  /** Frozen events (object encoding) or event wire JSON (json encoding); a shared empty list until the first append. */
  events: (SessionEvent | string)[];
  /** Stored event ids (created by the first append). */
  ids: Set<string> | null;
  revision: number;
  expiresAt: number | null;
}

/** The data behind one or more `InMemorySessionStore` instances (pass `store.data` to share it). */
export class MemorySessionData {
  readonly sessions = new Map<string, MemorySessionEntry>();
  readonly encoding: MemoryEncoding;
  #sorted: string[] | null = null;

  constructor(encoding: MemoryEncoding = MemoryEncoding.Object) {
    this.encoding = encoding;
  }

  /** Ids in sorted order (cached until the next create / delete). */
  sortedIds(): string[] {
    this.#sorted ??= [...this.sessions.keys()].sort();
    return this.#sorted;
  }

  invalidate(): void {
    this.#sorted = null;
  }
}

export interface InMemorySessionStoreOptions {
  /** Sliding expiry in seconds; null (default) = never expire. */
  ttlSeconds?: number | null;
  clock?: Clock;
  /** Reported backend name (default "memory"). */
  backend?: string;
  /** Storage form (default "object"); ignored when `data` is given. */
  encoding?: MemoryEncoding;
  /** Share the data of another instance (`other.data`). */
  data?: MemorySessionData;
}

/** The stored events of a session never appended to (frozen; the first append gives the entry its own list). */
const NO_STORED_EVENTS: (SessionEvent | string)[] = Object.freeze([]) as unknown as (SessionEvent | string)[];
/** The decoded events of such a session (`Session.fromFrozen` copies only non-empty lists). */
const NO_EVENTS: readonly SessionEvent[] = Object.freeze([]);
/** Settled promises can be shared: what every successful `create` and every miss of `get` resolve to. */
const CREATED: Promise<number> = Promise.resolve(1);
const NOT_FOUND: Promise<null> = Promise.resolve(null);

/** `error` as a rejected promise (the non-async hot-path methods never throw synchronously). */
function rejected(error: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrows what was caught, unchanged
  return Promise.reject(error);
}

const CAPABILITIES: StoreCapabilities = Object.freeze({ ttl: true, atomicAppend: true, atomicHeaderCas: true, listing: true });

/**
 * `SessionStore` in process memory. Every write checks and writes without an intervening `await`, so it is
 * atomic; `append` costs O(batch) whatever the session's length; reads return independent snapshots.
 */
export class InMemorySessionStore implements SessionStore {
  readonly backend: string;
  readonly capabilities: StoreCapabilities = CAPABILITIES;
  readonly data: MemorySessionData;
  readonly #ttlMs: number | null;
  readonly #clock: Clock;
  readonly #sessionOptions: { readonly clock: Clock };

  constructor(options: InMemorySessionStoreOptions = {}) {
    const ttl = options.ttlSeconds ?? null;
    if (ttl !== null && !(Number.isFinite(ttl) && ttl > 0)) {
      throw new InvalidInput({ field: 'ttlSeconds', reason: 'must be a positive number or null' });
    }
    this.#ttlMs = ttl === null ? null : ttl * MS_PER_SECOND;
    this.#clock = options.clock ?? systemClock;
    this.#sessionOptions = Object.freeze({ clock: this.#clock });
    this.backend = options.backend ?? 'memory';
    this.data = options.data ?? new MemorySessionData(options.encoding);
  }

  /** Sessions stored (expired ones not yet seen included). */
  get size(): number {
    return this.data.sessions.size;
  }

  /** Not `async`: a resolved promise is returned directly and every failure is a rejected one (W1 hot path). */
  create(header: SessionHeader): Promise<number> {
    try {
      this.#create(header);
      return CREATED;
    } catch (error) {
      return rejected(error);
    }
  }

  /** Not `async`, for the same reason as `create`. */
  get<M = unknown>(sessionId: string): Promise<Session<M> | null> {
    try {
      const session = this.#snapshot<M>(sessionId);
      return session === null ? NOT_FOUND : Promise.resolve(session);
    } catch (error) {
      return rejected(error);
    }
  }

  async getHeader(sessionId: string): Promise<SessionHeader | null> {
    const entry = this.#live(sessionId);
    return entry === undefined ? null : this.#decodeHeader(entry, 'getHeader');
  }

  async readEvents<M = unknown>(sessionId: string, options: ReadEventsOptions = {}): Promise<SessionEvent<M>[] | null> {
    const from = options.from ?? 0;
    if (!Number.isInteger(from) || from < 0) throw new InvalidInput({ field: 'from', reason: 'must be a non-negative integer' });
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    if (limit !== Number.POSITIVE_INFINITY && (!Number.isInteger(limit) || limit < 0)) {
      throw new InvalidInput({ field: 'limit', reason: 'must be a non-negative integer' });
    }
    const entry = this.#live(sessionId);
    if (entry === undefined) return null;
    return this.#decodeEvents<M>(entry, from, Math.min(entry.events.length, from + limit), 'readEvents');
  }

  async append(sessionId: string, events: readonly SessionEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    assertSessionId(sessionId);
    const expected = options.expectedCount;
    if (expected !== undefined && (!Number.isInteger(expected) || expected < 0)) {
      throw new InvalidInput({ field: 'expectedCount', reason: 'must be a non-negative integer' });
    }
    const entry = this.#live(sessionId);
    if (entry === undefined) throw new SessionNotFound({ sessionId });
    const fresh = freshEvents(events, entry.ids);
    const count = entry.events.length;
    if (fresh.length === 0) return { appended: 0, eventCount: count };
    if (expected !== undefined && expected !== count) {
      throw new SessionVersionConflict({ sessionId, kind: 'eventCount', expected, actual: count, backend: this.backend });
    }
    const json = this.data.encoding === MemoryEncoding.Json;
    const ids = (entry.ids ??= new Set());
    if (entry.events === NO_STORED_EVENTS) entry.events = [];
    for (const e of fresh) {
      entry.events.push(json ? JSON.stringify(e.toWire()) : e.clone(true));
      ids.add(e.id);
    }
    entry.expiresAt = this.#expiry();
    return { appended: fresh.length, eventCount: entry.events.length };
  }

  async updateHeader(header: SessionHeader, options: UpdateHeaderOptions): Promise<number> {
    const expected = options.expectedRevision;
    // validated and encoded before the check, with the revision it gets if the check passes
    const stored = this.#encodeHeader(header, expected + 1);
    const entry = this.#live(header.id);
    if (entry === undefined) throw new SessionNotFound({ sessionId: header.id });
    if (entry.revision !== expected) {
      throw new SessionVersionConflict({
        sessionId: header.id, kind: 'revision', expected, actual: entry.revision, backend: this.backend,
      });
    }
    entry.revision = expected + 1;
    entry.header = stored;
    entry.expiresAt = this.#expiry();
    return entry.revision;
  }

  async delete(sessionId: string): Promise<boolean> {
    const existed = this.#live(sessionId) !== undefined;
    if (existed) {
      this.data.sessions.delete(sessionId);
      this.data.invalidate();
    }
    return existed;
  }

  async list(prefix = '', options: ListOptions = {}): Promise<ListPage> {
    const limit = options.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit <= 0) throw new InvalidInput({ field: 'limit', reason: 'must be a positive integer' });
    const ids = this.data.sortedIds();
    const cursor = options.cursor ?? null;
    const start = lowerBound(ids, prefix);
    let i = cursor === null ? start : Math.max(start, upperBound(ids, cursor));
    const out: string[] = [];
    for (; i < ids.length && out.length < limit; i++) {
      const id = ids[i] ?? '';
      if (!id.startsWith(prefix)) break;
      if (this.#live(id) !== undefined) out.push(id);
    }
    const more = i < ids.length && (ids[i] ?? '').startsWith(prefix);
    return { ids: out, cursor: more ? (out[out.length - 1] ?? null) : null };
  }

  async exists(sessionId: string): Promise<boolean> {
    return this.#live(sessionId) !== undefined;
  }

  /** Adds `additionalSeconds` to the expiry; false when missing or without expiry. */
  async extendTtl(sessionId: string, additionalSeconds: number): Promise<boolean> {
    if (!Number.isFinite(additionalSeconds)) throw new InvalidInput({ field: 'additionalSeconds', reason: 'must be a finite number' });
    const entry = this.#live(sessionId);
    if (entry?.expiresAt == null) return false;
    entry.expiresAt += additionalSeconds * MS_PER_SECOND;
    return true;
  }

  /** Deletes every expired session now; returns how many. */
  purgeExpired(): number {
    const now = this.#clock().getTime();
    let n = 0;
    for (const [id, entry] of this.data.sessions) {
      if (entry.expiresAt !== null && entry.expiresAt <= now) {
        this.data.sessions.delete(id);
        n++;
      }
    }
    if (n > 0) this.data.invalidate();
    return n;
  }

  /** Removes every session. */
  clear(): void {
    this.data.sessions.clear();
    this.data.invalidate();
  }

  async getStats(): Promise<StoreStats> {
    return {
      backend: this.backend,
      sessions: this.data.sessions.size,
      details: { encoding: this.data.encoding, ttlSeconds: this.#ttlMs === null ? null : this.#ttlMs / MS_PER_SECOND },
    };
  }

  /** Nothing to release; idempotent. */
  async close(): Promise<void> {
    return Promise.resolve();
  }

  #create(header: SessionHeader): void {
    const stored = this.#encodeHeader(header, 1);
    const sessions = this.data.sessions;
    const existing = sessions.get(header.id);
    if (existing !== undefined && !this.#expired(existing)) throw new SessionAlreadyExists({ sessionId: header.id });
    sessions.set(header.id, {
      header: stored,
      events: NO_STORED_EVENTS,
      ids: null,
      revision: 1,
      expiresAt: this.#expiry(),
    });
    this.data.invalidate();
  }

  #snapshot<M>(sessionId: string): Session<M> | null {
    const entry = this.#live(sessionId);
    if (entry === undefined) return null;
    const count = entry.events.length;
    const events = count === 0 ? (NO_EVENTS as readonly SessionEvent<M>[]) : this.#decodeEvents<M>(entry, 0, count, 'get');
    const last = events[count - 1];
    const stored = entry.header;
    if (typeof stored !== 'string' && (last === undefined || !isLater(last.timestamp, stored.updatedAt))) {
      // the frozen stored header is shared and copied by the session on first access
      return Session.fromFrozen<M>(stored, events, this.#sessionOptions);
    }
    return sessionFromStoredLog<M>(this.#decodeHeader(entry, 'get'), events, { clock: this.#clock });
  }

  #expiry(): number | null {
    return this.#ttlMs === null ? null : this.#clock().getTime() + this.#ttlMs;
  }

  /** The entry if present and not expired (an expired one is deleted when seen). */
  #live(sessionId: string): MemorySessionEntry | undefined {
    const entry = this.data.sessions.get(sessionId);
    if (entry === undefined || !this.#expired(entry)) return entry;
    this.data.sessions.delete(sessionId);
    this.data.invalidate();
    return undefined;
  }

  #expired(entry: MemorySessionEntry): boolean {
    return entry.expiresAt !== null && entry.expiresAt <= this.#clock().getTime();
  }

  /** The stored form of a header handed in, validated (`InvalidInput` names the field). */
  #encodeHeader(header: SessionHeader, revision: number): FrozenHeader | string {
    // a session shares the parts it never read with the frozen header it came from
    if (header instanceof Session && this.data.encoding === MemoryEncoding.Object) return header.toFrozenHeader(revision);
    assertHeader(header);
    if (this.data.encoding === MemoryEncoding.Json) return JSON.stringify(headerToWire(header));
    return freezeHeader(header, revision);
  }

  #decodeHeader(entry: MemorySessionEntry, operation: string): SessionHeader {
    if (typeof entry.header !== 'string') {
      return thawHeader(entry.header, { eventCount: entry.events.length, clock: this.#clock });
    }
    try {
      return headerFromWire(JSON.parse(entry.header), { revision: entry.revision, eventCount: entry.events.length, clock: this.#clock });
    } catch (cause) {
      throw new StorageError({ operation, backend: this.backend, cause });
    }
  }

  #decodeEvents<M>(entry: MemorySessionEntry, from: number, to: number, operation: string): SessionEvent<M>[] {
    const out: SessionEvent<M>[] = [];
    for (let i = from; i < to; i++) {
      const e = entry.events[i];
      if (e instanceof SessionEvent) {
        out.push(e as SessionEvent<M>);
        continue;
      }
      try {
        out.push(Object.freeze(SessionEvent.fromWire<M>(JSON.parse(e ?? ''), { field: `events.${i}` })) as SessionEvent<M>);
      } catch (cause) {
        throw new StorageError({ operation, backend: this.backend, cause });
      }
    }
    return out;
  }
}

/** The events of the batch whose ids are neither stored nor earlier in the batch (checked to be events). */
function freshEvents(events: readonly SessionEvent[], stored: ReadonlySet<string> | null): SessionEvent[] {
  if (events.length === 1) {
    // the common single-event append: no batch id set
    const e = events[0];
    if (!(e instanceof SessionEvent)) throw new InvalidInput({ field: 'events.0', reason: 'must be a SessionEvent' });
    return stored?.has(e.id) === true ? [] : [e];
  }
  const fresh: SessionEvent[] = [];
  const batchIds = new Set<string>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (!(e instanceof SessionEvent)) throw new InvalidInput({ field: `events.${i}`, reason: 'must be a SessionEvent' });
    if (stored?.has(e.id) === true || batchIds.has(e.id)) continue;
    batchIds.add(e.id);
    fresh.push(e);
  }
  return fresh;
}

function isLater(a: string, b: string): boolean {
  return parseTimestamp(a) > parseTimestamp(b);
}

function lowerBound(ids: readonly string[], key: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] ?? '') < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(ids: readonly string[], key: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] ?? '') <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

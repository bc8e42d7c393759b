import type { S3Client } from '@aws-sdk/client-s3';
import {
  InvalidInput,
  KeyedMutex,
  SessionAlreadyExists,
  SessionNotFound,
  SessionVersionConflict,
  StorageError,
  assertSessionId,
  headerToWireJson,
  noopLogger,
  sessionFromStoredLog,
} from '@chuk/models';
import type {
  AppendOptions,
  AppendResult,
  ListOptions,
  ListPage,
  Logger,
  ReadEventsOptions,
  Session,
  SessionEvent,
  SessionHeader,
  SessionStore,
  StoreCapabilities,
  StoreStats,
} from '@chuk/models';
import { deletePrefix } from '../client/delete-keys.js';
import { S3_BACKEND, guard, isConditionFailed } from '../client/errors.js';
import { S3Layout } from '../client/layout.js';
import { chooseClient } from '../client/owned-client.js';
import { resolveS3StoreOptions, type ResolvedS3StoreOptions, type S3Injectables, type S3StoreOptions } from '../options.js';
import { mapLimit } from '../util/pool.js';
import { decodeHeader, decoding, decodingAsync } from './codec.js';
import {
  IDEMPOTENCY_WINDOW_OBJECTS,
  TailHints,
  eventObjectsInRange,
  findTail,
  listEventObjects,
  readEventObject,
  writeEventObject,
  type EventLogConfig,
  type TailHint,
} from './event-log.js';
import { HeaderMeta, HeaderObjects, headerMetadata, type HeaderState } from './header-object.js';
import { listSessionIds } from './session-listing.js';
import { extendedExpiry, isExpiredAt, nextExpiry } from './ttl.js';
import { conditionalBackoff } from './write-conditions.js';

export type S3SessionStoreOptions = S3StoreOptions & S3Injectables;

function nonNegativeInt(value: number | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new InvalidInput({ field, reason: 'must be a non-negative integer' });
  return value;
}

/**
 * `SessionStore` on S3 (spec models-and-stores.md §14, README D2): a header object written with
 * conditional requests, events in immutable objects (one per append call, never rewritten).
 */
export class S3SessionStore implements SessionStore {
  readonly backend = S3_BACKEND;
  readonly capabilities: StoreCapabilities;
  readonly options: Readonly<ResolvedS3StoreOptions>;
  readonly client: S3Client;
  private readonly owned: boolean;
  private readonly layout: S3Layout;
  private readonly headers: HeaderObjects;
  private readonly events: EventLogConfig;
  private readonly logger: Logger;
  private readonly clock: () => Date;
  private readonly locks = new KeyedMutex();
  private readonly hints = new TailHints();
  private readonly background = new Set<Promise<void>>();
  private closed = false;

  constructor(options: S3SessionStoreOptions) {
    const { client, clientConfig, logger, clock, ...data } = options;
    this.options = Object.freeze(resolveS3StoreOptions(data));
    const chosen = chooseClient(client, clientConfig, this.options);
    this.client = chosen.client;
    this.owned = chosen.owned;
    this.layout = new S3Layout(this.options.prefix);
    const io = {
      client: this.client,
      bucket: this.options.bucket,
      layout: this.layout,
      conditionalWrites: this.options.conditionalWrites,
      storageClass: this.options.storageClass,
    };
    this.headers = new HeaderObjects(io);
    this.events = { ...io, concurrency: this.options.concurrency };
    this.logger = logger ?? noopLogger;
    this.clock = clock ?? (() => new Date());
    this.capabilities = Object.freeze({
      ttl: this.options.ttlSeconds !== null,
      atomicAppend: this.options.conditionalWrites,
      atomicHeaderCas: this.options.conditionalWrites,
      listing: true,
    });
  }

  private get bucket(): string {
    return this.options.bucket;
  }

  private open(operation: string): void {
    if (this.closed) throw new StorageError({ operation, backend: S3_BACKEND, cause: new Error('store is closed') });
  }

  private expiresAt(): string | undefined {
    return nextExpiry(this.clock(), this.options.ttlSeconds);
  }

  private isExpired(state: HeaderState): boolean {
    return isExpiredAt(state.metadata[HeaderMeta.ExpiresAt], this.clock());
  }

  /** HEAD of the header: null when missing or expired. */
  private async liveHeader(sessionId: string): Promise<HeaderState | null> {
    const state = await this.headers.head(sessionId);
    return state === null || this.isExpired(state) ? null : state;
  }

  /** Reads header.json (body and metadata); null when missing or expired (expired: deleted, best effort). */
  private async readHeader(operation: string, sessionId: string): Promise<{ header: SessionHeader; state: HeaderState } | null> {
    const found = await this.headers.read(sessionId, (state) => this.isExpired(state));
    if (found === null) return null;
    const { state, text } = found;
    if (text === null) {
      this.deleteExpired(sessionId);
      return null;
    }
    const header = decoding(operation, () => decodeHeader(text, state.revision, 0));
    return { header, state };
  }

  /** Best-effort removal of an expired session in the background (close() waits for it). */
  private deleteExpired(sessionId: string): void {
    const task = this.locks
      .run(sessionId, async () => {
        const state = await this.headers.head(sessionId);
        if (state !== null && this.isExpired(state)) await this.deleteFolder(sessionId, true);
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error, sessionId, backend: S3_BACKEND }, 'could not delete an expired session');
      })
      .finally(() => this.background.delete(task));
    this.background.add(task);
  }

  /** Deletes the header first (the session vanishes at once), then everything else in the folder. */
  private async deleteFolder(sessionId: string, headerExists: boolean): Promise<void> {
    if (headerExists) await this.headers.delete(sessionId);
    await deletePrefix(this.client, this.bucket, this.layout.folder(sessionId), this.logger);
  }

  private findTail(sessionId: string, generation: string): Promise<TailHint> {
    return findTail(this.events, this.hints, sessionId, generation);
  }

  async create(header: SessionHeader): Promise<number> {
    return guard('create', async () => {
      this.open('create');
      assertSessionId(header.id);
      const body = headerToWireJson(header);
      return this.locks.run(header.id, async () => {
        // HEAD without the expiry filter: create must see an expired header to replace it.
        const existing = await this.headers.head(header.id);
        if (existing !== null && !this.isExpired(existing)) throw new SessionAlreadyExists({ sessionId: header.id });
        // Leftovers of an expired session or an interrupted delete can never reappear.
        await this.deleteFolder(header.id, existing !== null);
        this.hints.drop(header.id);
        const metadata = headerMetadata(header, 1, crypto.randomUUID(), this.expiresAt());
        try {
          await this.headers.put(header.id, body, metadata, { absent: true });
        } catch (error) {
          if (isConditionFailed(error)) throw new SessionAlreadyExists({ sessionId: header.id, cause: error });
          throw error;
        }
        return 1;
      });
    });
  }

  async get<M = unknown>(sessionId: string): Promise<Session<M> | null> {
    return guard('get', async () => {
      this.open('get');
      assertSessionId(sessionId);
      const found = await this.readHeader('get', sessionId);
      if (found === null) return null;
      const refs = await listEventObjects(this.client, this.bucket, this.layout, sessionId);
      const chunks = await mapLimit(refs, this.options.concurrency, (ref) =>
        decodingAsync('get', () => readEventObject<M>(this.client, this.bucket, ref.key)),
      );
      const events = chunks.flat();
      return decoding('get', () => sessionFromStoredLog<M>({ ...found.header, eventCount: events.length }, events));
    });
  }

  async getHeader(sessionId: string): Promise<SessionHeader | null> {
    return guard('getHeader', async () => {
      this.open('getHeader');
      assertSessionId(sessionId);
      const found = await this.readHeader('getHeader', sessionId);
      if (found === null) return null;
      const tail = await this.findTail(sessionId, found.state.generation);
      return { ...found.header, eventCount: tail.end };
    });
  }

  async readEvents<M = unknown>(sessionId: string, options: ReadEventsOptions = {}): Promise<SessionEvent<M>[] | null> {
    return guard('readEvents', async () => {
      this.open('readEvents');
      assertSessionId(sessionId);
      const from = nonNegativeInt(options.from, 'from', 0);
      const limit = options.limit === undefined ? Number.POSITIVE_INFINITY : nonNegativeInt(options.limit, 'limit', 0);
      if ((await this.liveHeader(sessionId)) === null) return null;
      if (limit === 0) return [];
      const refs = await listEventObjects(this.client, this.bucket, this.layout, sessionId);
      const stop = from + limit;
      const wanted = eventObjectsInRange(refs, from, stop);
      const chunks = await mapLimit(wanted, this.options.concurrency, (ref) =>
        decodingAsync('readEvents', () => readEventObject<M>(this.client, this.bucket, ref.key)),
      );
      const first = wanted[0]?.start ?? from;
      return chunks.flat().slice(from - first, stop - first);
    });
  }

  async append(sessionId: string, events: readonly SessionEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    return guard('append', async () => {
      this.open('append');
      assertSessionId(sessionId);
      const expected = options.expectedCount;
      if (expected !== undefined) nonNegativeInt(expected, 'expectedCount', 0);
      return this.locks.run(sessionId, () => this.appendLocked(sessionId, events, expected));
    });
  }

  private async appendLocked(sessionId: string, events: readonly SessionEvent[], expected: number | undefined): Promise<AppendResult> {
    const state = await this.liveHeader(sessionId);
    if (state === null) throw new SessionNotFound({ sessionId });
    for (let attempt = 1; ; attempt++) {
      const tail = await this.findTail(sessionId, state.generation);
      const known = new Set(tail.recent.flatMap((r) => r.ids));
      const batch: SessionEvent[] = [];
      for (const event of events) {
        if (known.has(event.id)) continue;
        known.add(event.id);
        batch.push(event);
      }
      if (batch.length === 0) return { appended: 0, eventCount: tail.end };
      if (expected !== undefined && expected !== tail.end) {
        throw new SessionVersionConflict({ sessionId, kind: 'eventCount', expected, actual: tail.end, backend: S3_BACKEND });
      }
      const key = this.layout.eventObject(sessionId, tail.end);
      try {
        await writeEventObject(this.events, key, batch);
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        if (expected !== undefined) {
          throw new SessionVersionConflict({ sessionId, kind: 'eventCount', expected, actual: -1, backend: S3_BACKEND, cause: error });
        }
        if (attempt >= this.options.maxConditionalAttempts) throw error;
        await conditionalBackoff(attempt);
        continue;
      }
      const recent = [...tail.recent, { key, ids: batch.map((e) => e.id) }].slice(-IDEMPOTENCY_WINDOW_OBJECTS);
      const end = tail.end + batch.length;
      this.hints.set(sessionId, { generation: state.generation, lastKey: key, end, recent });
      await this.slideTtl(sessionId, state);
      return { appended: batch.length, eventCount: end };
    }
  }

  /** Sliding expiry: copy header.json onto itself with a new `expires-at` (only with a TTL). */
  private async slideTtl(sessionId: string, state: HeaderState): Promise<void> {
    const expiresAt = this.expiresAt();
    if (expiresAt === undefined) return;
    await this.headers.setExpiry(sessionId, state, expiresAt);
  }

  async updateHeader(header: SessionHeader, options: { expectedRevision: number }): Promise<number> {
    return guard('updateHeader', async () => {
      this.open('updateHeader');
      assertSessionId(header.id);
      const expected = nonNegativeInt(options.expectedRevision, 'expectedRevision', 0);
      const body = headerToWireJson(header);
      return this.locks.run(header.id, async () => {
        for (let attempt = 1; ; attempt++) {
          const state = await this.liveHeader(header.id);
          if (state === null) throw new SessionNotFound({ sessionId: header.id });
          if (state.revision !== expected) {
            throw new SessionVersionConflict({ sessionId: header.id, kind: 'revision', expected, actual: state.revision, backend: S3_BACKEND });
          }
          const metadata = headerMetadata(header, expected + 1, state.generation, this.expiresAt() ?? state.metadata[HeaderMeta.ExpiresAt]);
          try {
            await this.headers.put(header.id, body, metadata, { etag: state.etag });
            return expected + 1;
          } catch (error) {
            // The ETag moved: a header write (revision changed, caught above) or a TTL slide (retry).
            if (!isConditionFailed(error) || attempt >= this.options.maxConditionalAttempts) {
              if (isConditionFailed(error)) {
                const now = await this.liveHeader(header.id);
                throw new SessionVersionConflict({
                  sessionId: header.id,
                  kind: 'revision',
                  expected,
                  actual: now?.revision ?? -1,
                  backend: S3_BACKEND,
                  cause: error,
                });
              }
              throw error;
            }
          }
        }
      });
    });
  }

  async delete(sessionId: string): Promise<boolean> {
    return guard('delete', async () => {
      this.open('delete');
      assertSessionId(sessionId);
      return this.locks.run(sessionId, async () => {
        const state = await this.headers.head(sessionId);
        if (state === null) return false;
        await this.deleteFolder(sessionId, true);
        this.hints.drop(sessionId);
        return !this.isExpired(state);
      });
    });
  }

  async exists(sessionId: string): Promise<boolean> {
    return guard('exists', async () => {
      this.open('exists');
      assertSessionId(sessionId);
      return (await this.liveHeader(sessionId)) !== null;
    });
  }

  async list(prefix = '', options: ListOptions = {}): Promise<ListPage> {
    return guard('list', async () => {
      this.open('list');
      return listSessionIds(this.client, this.bucket, this.layout, prefix, options);
    });
  }

  async extendTtl(sessionId: string, additionalSeconds: number): Promise<boolean> {
    return guard('extendTtl', async () => {
      this.open('extendTtl');
      assertSessionId(sessionId);
      if (!Number.isFinite(additionalSeconds) || additionalSeconds <= 0) {
        throw new InvalidInput({ field: 'additionalSeconds', reason: 'must be a positive number' });
      }
      if (this.options.ttlSeconds === null) return false;
      return this.locks.run(sessionId, async () => {
        for (let attempt = 1; attempt <= this.options.maxConditionalAttempts; attempt++) {
          const state = await this.liveHeader(sessionId);
          if (state === null) return false;
          const next = extendedExpiry(state.metadata[HeaderMeta.ExpiresAt], this.clock(), additionalSeconds);
          if (await this.headers.setExpiry(sessionId, state, next)) return true;
        }
        throw new Error('extendTtl lost every conditional race');
      });
    });
  }

  async getStats(): Promise<StoreStats> {
    return {
      backend: S3_BACKEND,
      details: {
        bucket: this.bucket,
        prefix: this.options.prefix,
        ttlSeconds: this.options.ttlSeconds,
        conditionalWrites: this.options.conditionalWrites,
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.background]);
    if (this.owned) this.client.destroy();
  }
}

/** Factory form of `new S3SessionStore(options)`. */
export function createS3SessionStore(options: S3SessionStoreOptions): S3SessionStore {
  return new S3SessionStore(options);
}

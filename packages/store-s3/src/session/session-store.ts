import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import type { S3Client, StorageClass } from '@aws-sdk/client-s3';
import {
  DEFAULT_LIST_LIMIT,
  InvalidInput,
  SessionAlreadyExists,
  SessionNotFound,
  SessionVersionConflict,
  StorageError,
  noopLogger,
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
import { deleteKeys } from '../client/delete-keys.js';
import { S3_BACKEND, guard, isConditionFailed, isNotFound } from '../client/errors.js';
import { JSON_CONTENT_TYPE, S3Layout, encodeSessionId } from '../client/layout.js';
import { chooseClient } from '../client/owned-client.js';
import { resolveS3StoreOptions, type ResolvedS3StoreOptions, type S3Injectables, type S3StoreOptions } from '../options.js';
import { KeyedMutex } from '../util/mutex.js';
import { mapLimit } from '../util/pool.js';
import { SESSION_TYPE, STORE_SCHEMA_VERSION, buildSession, checkSessionId, decodeHeader, encodeEvents, encodeHeader, userIdOf } from './codec.js';
import {
  IDEMPOTENCY_WINDOW_OBJECTS,
  TailHints,
  listEventObjects,
  readEventObject,
  type EventObjectRef,
  type TailHint,
} from './event-log.js';

const MS_PER_SECOND = 1000;
/** List cursor prefixes: the server's continuation token, or "after this id". */
const CURSOR_TOKEN = 't:';
const CURSOR_AFTER = 'a:';
/** Upper bound of the random pause before conditional retry n is n × this (ms), to break lockstep. */
export const CONDITIONAL_BACKOFF_MS = 20;
/** The pause stops growing after this many lost races. */
export const MAX_BACKOFF_STEPS = 8;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** User-metadata names (`x-amz-meta-*`) of the header object. */
export const HeaderMeta = {
  Revision: 'revision',
  SchemaVersion: 'schema-version',
  SessionType: 'session-type',
  UserId: 'user-id',
  ExpiresAt: 'expires-at',
  Generation: 'generation',
} as const;
/** User-metadata name of an event object: how many events it holds. */
export const EVENT_COUNT_META = 'count';

export type S3SessionStoreOptions = S3StoreOptions & S3Injectables;

interface HeaderState {
  revision: number;
  etag: string | undefined;
  metadata: Record<string, string>;
  generation: string;
}

function nonNegativeInt(value: number | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new InvalidInput({ field, reason: 'must be a non-negative integer' });
  return value;
}

function encodeMeta(value: string): string {
  return encodeURIComponent(value);
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
    const ttl = this.options.ttlSeconds;
    return ttl === null ? undefined : new Date(this.clock().getTime() + ttl * MS_PER_SECOND).toISOString();
  }

  private isExpired(metadata: Record<string, string>): boolean {
    const expires = metadata[HeaderMeta.ExpiresAt];
    if (expires === undefined || expires === '') return false;
    const at = Date.parse(expires);
    return !Number.isNaN(at) && at <= this.clock().getTime();
  }

  private headerMetadata(header: SessionHeader, revision: number, generation: string, expiresAt?: string): Record<string, string> {
    const meta: Record<string, string> = {
      [HeaderMeta.Revision]: String(revision),
      [HeaderMeta.SchemaVersion]: STORE_SCHEMA_VERSION,
      [HeaderMeta.SessionType]: SESSION_TYPE,
      [HeaderMeta.Generation]: generation,
    };
    const userId = userIdOf(header);
    if (userId !== null) meta[HeaderMeta.UserId] = encodeMeta(userId);
    if (expiresAt !== undefined) meta[HeaderMeta.ExpiresAt] = expiresAt;
    return meta;
  }

  /** HEAD of the header: null when missing or expired. */
  private async headHeader(sessionId: string): Promise<HeaderState | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.layout.header(sessionId) }));
      const metadata = head.Metadata ?? {};
      if (this.isExpired(metadata)) return null;
      return this.headerState(metadata, head.ETag);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  private headerState(metadata: Record<string, string>, etag: string | undefined): HeaderState {
    const revision = Number(metadata[HeaderMeta.Revision]);
    return {
      revision: Number.isInteger(revision) ? revision : -1,
      etag,
      metadata,
      generation: metadata[HeaderMeta.Generation] ?? '',
    };
  }

  async create(header: SessionHeader): Promise<number> {
    return guard('create', async () => {
      this.open('create');
      checkSessionId(header.id);
      const body = encodeHeader(header);
      return this.locks.run(header.id, async () => {
        const existing = await this.rawHeaderHead(header.id);
        if (existing !== null && !this.isExpired(existing.metadata)) throw new SessionAlreadyExists({ sessionId: header.id });
        // Leftovers of an expired session or an interrupted delete can never reappear.
        await this.deleteFolder(header.id, existing !== null);
        this.hints.drop(header.id);
        const generation = crypto.randomUUID();
        try {
          await this.client.send(
            new PutObjectCommand({
              Bucket: this.bucket,
              Key: this.layout.header(header.id),
              Body: body,
              ContentType: JSON_CONTENT_TYPE,
              Metadata: this.headerMetadata(header, 1, generation, this.expiresAt()),
              ...this.storageClass(),
              ...(this.options.conditionalWrites ? { IfNoneMatch: '*' } : {}),
            }),
          );
        } catch (error) {
          if (isConditionFailed(error)) throw new SessionAlreadyExists({ sessionId: header.id, cause: error });
          throw error;
        }
        return 1;
      });
    });
  }

  /** HEAD without the expiry filter (create must see an expired header to replace it). */
  private async rawHeaderHead(sessionId: string): Promise<HeaderState | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.layout.header(sessionId) }));
      return this.headerState(head.Metadata ?? {}, head.ETag);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  private storageClass(): { StorageClass?: StorageClass } {
    return this.options.storageClass === undefined ? {} : { StorageClass: this.options.storageClass as StorageClass };
  }

  /** Reads header.json (body and metadata); null when missing or expired (expired: deleted, best effort). */
  private async readHeader(operation: string, sessionId: string): Promise<{ header: SessionHeader; state: HeaderState } | null> {
    let text: string;
    let state: HeaderState;
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.layout.header(sessionId) }));
      state = this.headerState(response.Metadata ?? {}, response.ETag);
      if (this.isExpired(state.metadata)) {
        this.deleteExpired(sessionId);
        return null;
      }
      text = response.Body === undefined ? '' : await response.Body.transformToString('utf-8');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const header = this.decode(operation, () => decodeHeader(text, state.revision, 0));
    return { header, state };
  }

  /** Best-effort removal of an expired session in the background (close() waits for it). */
  private deleteExpired(sessionId: string): void {
    const task = this.locks
      .run(sessionId, async () => {
        const state = await this.rawHeaderHead(sessionId);
        if (state !== null && this.isExpired(state.metadata)) await this.deleteFolder(sessionId, true);
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error, sessionId, backend: S3_BACKEND }, 'could not delete an expired session');
      })
      .finally(() => this.background.delete(task));
    this.background.add(task);
  }

  async get<M = unknown>(sessionId: string): Promise<Session<M> | null> {
    return guard('get', async () => {
      this.open('get');
      checkSessionId(sessionId);
      const found = await this.readHeader('get', sessionId);
      if (found === null) return null;
      const refs = await listEventObjects(this.client, this.bucket, this.layout, sessionId);
      const chunks = await mapLimit(refs, this.options.concurrency, (ref) =>
        this.decodeAsync('get', () => readEventObject<M>(this.client, this.bucket, ref.key)),
      );
      const events = chunks.flat();
      return this.decode('get', () => buildSession<M>({ ...found.header, eventCount: events.length }, events));
    });
  }

  async getHeader(sessionId: string): Promise<SessionHeader | null> {
    return guard('getHeader', async () => {
      this.open('getHeader');
      checkSessionId(sessionId);
      const found = await this.readHeader('getHeader', sessionId);
      if (found === null) return null;
      const tail = await this.findTail(sessionId, found.state.generation);
      return { ...found.header, eventCount: tail.end };
    });
  }

  async readEvents<M = unknown>(sessionId: string, options: ReadEventsOptions = {}): Promise<SessionEvent<M>[] | null> {
    return guard('readEvents', async () => {
      this.open('readEvents');
      checkSessionId(sessionId);
      const from = nonNegativeInt(options.from, 'from', 0);
      const limit = options.limit === undefined ? Number.POSITIVE_INFINITY : nonNegativeInt(options.limit, 'limit', 0);
      if ((await this.headHeader(sessionId)) === null) return null;
      if (limit === 0) return [];
      const refs = await listEventObjects(this.client, this.bucket, this.layout, sessionId);
      const stop = from + limit;
      const wanted = refs.filter((ref, i) => {
        const next = refs[i + 1];
        const end = next === undefined ? Number.POSITIVE_INFINITY : next.start;
        return ref.start < stop && end > from;
      });
      const chunks = await mapLimit(wanted, this.options.concurrency, (ref) =>
        this.decodeAsync('readEvents', () => readEventObject<M>(this.client, this.bucket, ref.key)),
      );
      const first = wanted[0]?.start ?? from;
      return chunks.flat().slice(from - first, stop - first);
    });
  }

  /**
   * The end of the log and the ids of its last objects. Lists after this instance's hint (one
   * short LIST page in the steady state) and reads only objects it has not read yet.
   */
  private async findTail(sessionId: string, generation: string): Promise<TailHint> {
    const hint = this.hints.get(sessionId, generation);
    const fresh = await listEventObjects(this.client, this.bucket, this.layout, sessionId, hint?.lastKey ?? null);
    if (fresh.length === 0 && hint !== undefined) return hint;
    const window = fresh.slice(-IDEMPOTENCY_WINDOW_OBJECTS);
    const read = await mapLimit(window, this.options.concurrency, async (ref: EventObjectRef) => ({
      ref,
      events: await this.decodeAsync('append', () => readEventObject(this.client, this.bucket, ref.key)),
    }));
    const recent = [...(hint?.recent ?? []), ...read.map((r) => ({ key: r.ref.key, ids: r.events.map((e) => e.id) }))].slice(
      -IDEMPOTENCY_WINDOW_OBJECTS,
    );
    const last = read[read.length - 1];
    const tail: TailHint = {
      generation,
      lastKey: last?.ref.key ?? null,
      end: last === undefined ? 0 : last.ref.start + last.events.length,
      recent,
    };
    this.hints.set(sessionId, tail);
    return tail;
  }

  async append(sessionId: string, events: readonly SessionEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    return guard('append', async () => {
      this.open('append');
      checkSessionId(sessionId);
      const expected = options.expectedCount;
      if (expected !== undefined) nonNegativeInt(expected, 'expectedCount', 0);
      return this.locks.run(sessionId, () => this.appendLocked(sessionId, events, expected));
    });
  }

  private async appendLocked(sessionId: string, events: readonly SessionEvent[], expected: number | undefined): Promise<AppendResult> {
    const state = await this.headHeader(sessionId);
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
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: encodeEvents(batch),
            ContentType: JSON_CONTENT_TYPE,
            Metadata: { [EVENT_COUNT_META]: String(batch.length) },
            ...this.storageClass(),
            ...(this.options.conditionalWrites ? { IfNoneMatch: '*' } : {}),
          }),
        );
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        if (expected !== undefined) {
          throw new SessionVersionConflict({ sessionId, kind: 'eventCount', expected, actual: -1, backend: S3_BACKEND, cause: error });
        }
        if (attempt >= this.options.maxConditionalAttempts) throw error;
        await sleep(Math.random() * CONDITIONAL_BACKOFF_MS * Math.min(attempt, MAX_BACKOFF_STEPS));
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
    await this.copyHeaderMetadata(sessionId, state, expiresAt);
  }

  /**
   * Rewrites the header's metadata with `expiresAt` (conditional on its ETag). A lost race means
   * another write replaced the header just now, and every header write sets a fresh expiry too.
   */
  private async copyHeaderMetadata(sessionId: string, state: HeaderState, expiresAt: string): Promise<boolean> {
    const key = this.layout.header(sessionId);
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: key,
          CopySource: `${this.bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
          MetadataDirective: 'REPLACE',
          ContentType: JSON_CONTENT_TYPE,
          Metadata: { ...state.metadata, [HeaderMeta.ExpiresAt]: expiresAt },
          ...this.storageClass(),
          ...(this.options.conditionalWrites && state.etag !== undefined ? { CopySourceIfMatch: state.etag, IfMatch: state.etag } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async updateHeader(header: SessionHeader, options: { expectedRevision: number }): Promise<number> {
    return guard('updateHeader', async () => {
      this.open('updateHeader');
      checkSessionId(header.id);
      const expected = nonNegativeInt(options.expectedRevision, 'expectedRevision', 0);
      const body = encodeHeader(header);
      return this.locks.run(header.id, async () => {
        for (let attempt = 1; ; attempt++) {
          const state = await this.headHeader(header.id);
          if (state === null) throw new SessionNotFound({ sessionId: header.id });
          if (state.revision !== expected) {
            throw new SessionVersionConflict({ sessionId: header.id, kind: 'revision', expected, actual: state.revision, backend: S3_BACKEND });
          }
          try {
            await this.client.send(
              new PutObjectCommand({
                Bucket: this.bucket,
                Key: this.layout.header(header.id),
                Body: body,
                ContentType: JSON_CONTENT_TYPE,
                Metadata: this.headerMetadata(header, expected + 1, state.generation, this.expiresAt() ?? state.metadata[HeaderMeta.ExpiresAt]),
                ...this.storageClass(),
                ...(this.options.conditionalWrites && state.etag !== undefined ? { IfMatch: state.etag } : {}),
              }),
            );
            return expected + 1;
          } catch (error) {
            // The ETag moved: a header write (revision changed, caught above) or a TTL slide (retry).
            if (!isConditionFailed(error) || attempt >= this.options.maxConditionalAttempts) {
              if (isConditionFailed(error)) {
                const now = await this.headHeader(header.id);
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
      checkSessionId(sessionId);
      return this.locks.run(sessionId, async () => {
        const state = await this.rawHeaderHead(sessionId);
        if (state === null) return false;
        await this.deleteFolder(sessionId, true);
        this.hints.drop(sessionId);
        return !this.isExpired(state.metadata);
      });
    });
  }

  /** Deletes the header first (the session vanishes at once), then everything else in the folder. */
  private async deleteFolder(sessionId: string, headerExists: boolean): Promise<void> {
    const headerKey = this.layout.header(sessionId);
    if (headerExists) await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: headerKey }));
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.layout.folder(sessionId),
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      );
      const keys = (page.Contents ?? []).map((c) => c.Key).filter((k): k is string => k !== undefined);
      await deleteKeys(this.client, this.bucket, keys, this.logger);
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async exists(sessionId: string): Promise<boolean> {
    return guard('exists', async () => {
      this.open('exists');
      checkSessionId(sessionId);
      return (await this.headHeader(sessionId)) !== null;
    });
  }

  async list(prefix = '', options: ListOptions = {}): Promise<ListPage> {
    return guard('list', async () => {
      this.open('list');
      if (typeof prefix !== 'string') throw new InvalidInput({ field: 'prefix', reason: 'must be a string' });
      const limit = options.limit ?? DEFAULT_LIST_LIMIT;
      if (!Number.isInteger(limit) || limit <= 0) throw new InvalidInput({ field: 'limit', reason: 'must be a positive integer' });
      let encoded: string;
      try {
        encoded = encodeSessionId(prefix);
      } catch (error) {
        throw new InvalidInput({ field: 'prefix', reason: 'not a valid string (lone surrogate)', cause: error });
      }
      const position = options.cursor === undefined || options.cursor === null ? {} : this.cursorPosition(options.cursor);
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: `${this.layout.sessionsRoot}${encoded}`,
          Delimiter: '/',
          MaxKeys: limit,
          ...position,
        }),
      );
      const ids: string[] = [];
      for (const common of page.CommonPrefixes ?? []) {
        const id = common.Prefix === undefined ? null : this.layout.idOfFolder(common.Prefix);
        if (id?.startsWith(prefix) === true) ids.push(id);
      }
      if (ids.length > limit) {
        // The server ignored MaxKeys (some S3-compatible servers do with a delimiter): cut the page
        // here and resume after its last id.
        const kept = ids.slice(0, limit);
        return { ids: kept, cursor: `${CURSOR_AFTER}${kept[kept.length - 1] ?? ''}` };
      }
      const token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      return { ids, cursor: token === undefined ? null : `${CURSOR_TOKEN}${token}` };
    });
  }

  /**
   * Cursor forms: `t:<continuation token>` (the server's), or `a:<id>` after a page this store cut
   * itself, resumed with `StartAfter` = the id's folder + U+10FFFF (sorts after any key inside it).
   */
  private cursorPosition(cursor: string): { ContinuationToken: string } | { StartAfter: string } {
    if (cursor.startsWith(CURSOR_TOKEN) && cursor.length > CURSOR_TOKEN.length) {
      return { ContinuationToken: cursor.slice(CURSOR_TOKEN.length) };
    }
    if (cursor.startsWith(CURSOR_AFTER)) {
      const id = cursor.slice(CURSOR_AFTER.length);
      try {
        checkSessionId(id);
      } catch (error) {
        throw new InvalidInput({ field: 'cursor', reason: 'not a cursor of this store', cause: error });
      }
      return { StartAfter: `${this.layout.folder(id)}\u{10FFFF}` };
    }
    throw new InvalidInput({ field: 'cursor', reason: 'not a cursor of this store' });
  }

  async extendTtl(sessionId: string, additionalSeconds: number): Promise<boolean> {
    return guard('extendTtl', async () => {
      this.open('extendTtl');
      checkSessionId(sessionId);
      if (!Number.isFinite(additionalSeconds) || additionalSeconds <= 0) {
        throw new InvalidInput({ field: 'additionalSeconds', reason: 'must be a positive number' });
      }
      if (this.options.ttlSeconds === null) return false;
      return this.locks.run(sessionId, async () => {
        for (let attempt = 1; attempt <= this.options.maxConditionalAttempts; attempt++) {
          const state = await this.headHeader(sessionId);
          if (state === null) return false;
          const current = Date.parse(state.metadata[HeaderMeta.ExpiresAt] ?? '');
          const base = Number.isNaN(current) ? this.clock().getTime() : current;
          const next = new Date(base + additionalSeconds * MS_PER_SECOND).toISOString();
          if (await this.copyHeaderMetadata(sessionId, state, next)) return true;
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

  private decode<T>(operation: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw new StorageError({ operation, backend: S3_BACKEND, cause: error });
    }
  }

  private async decodeAsync<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof InvalidInput || error instanceof SyntaxError) {
        throw new StorageError({ operation, backend: S3_BACKEND, cause: error });
      }
      throw error;
    }
  }
}

/** Factory form of `new S3SessionStore(options)`. */
export function createS3SessionStore(options: S3SessionStoreOptions): S3SessionStore {
  return new S3SessionStore(options);
}



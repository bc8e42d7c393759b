import {
  DEFAULT_LIST_LIMIT,
  InvalidInput,
  SessionAlreadyExists,
  SessionNotFound,
  SessionVersionConflict,
  STORE_SESSION_TYPE,
  StorageError,
  assertSessionId,
  headerToWireJson,
  headerUserId,
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
import { REDIS_BACKEND, RedisConnection, guard } from '../client/connection.js';
import type { RedisClient } from '../client/create-client.js';
import { sessionIdOfKey, sessionKeys, sessionScanPattern } from '../client/keys.js';
import { InvalidCursorError, scanPage } from '../client/scan.js';
import { READ_FIELDS } from '../client/scripts.js';
import {
  DEFAULT_REDIS_URL,
  resolveStoreOptions,
  type RedisInjectables,
  type RedisStoreOptions,
  type ResolvedRedisStoreOptions,
} from '../options.js';
import { decodeEvents, decodeHeader, encodeEvent, type HeaderFields } from './codec.js';
import { migrateLegacySession, readLegacyEnvelope } from './legacy.js';

const MS_PER_SECOND = 1000;

export type RedisSessionStoreOptions = RedisStoreOptions & RedisInjectables;

/** Reply of the read script: empty when the session hash is missing. */
type ReadReply = [] | [(string | null)[], string[]];

/** The READ_FIELDS values of a read reply as a record (missing fields left out). */
function readFields(values: readonly (string | null)[]): HeaderFields {
  const out: HeaderFields = {};
  READ_FIELDS.forEach((name, i) => {
    const value = values[i];
    if (typeof value === 'string') out[name] = value;
  });
  return out;
}

/**
 * ARGV of the append script: `head`, the batch size, the ids, then the event JSONs. Ids repeated
 * in the batch are dropped here (the first occurrence is kept), so the script sees distinct ids.
 */
function appendArgs(events: readonly SessionEvent[], head: string[]): string[] {
  const n = events.length;
  const ids: string[] = new Array<string>(n);
  const jsons: string[] = new Array<string>(n);
  let seen: Set<string> | null = null;
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const event = events[i] as SessionEvent;
    const json = encodeEvent(event, i);
    const id = event.id;
    if (n > 1) {
      seen ??= new Set<string>();
      if (seen.has(id)) continue;
      seen.add(id);
    }
    ids[kept] = id;
    jsons[kept] = json;
    kept += 1;
  }
  head.push(String(kept));
  for (let i = 0; i < kept; i++) head.push(ids[i] as string);
  for (let i = 0; i < kept; i++) head.push(jsons[i] as string);
  return head;
}

function nonNegativeInt(value: number | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidInput({ field, reason: 'must be a non-negative integer' });
  }
  return value;
}

/**
 * `SessionStore` on Redis (spec models-and-stores.md §13, README D2): a header hash, an event list
 * and an id set per session under one hash tag; append, create, header CAS and TTL changes are
 * single Lua scripts, so they are atomic across processes, on standalone Redis and on Cluster.
 */
export class RedisSessionStore implements SessionStore {
  readonly backend = REDIS_BACKEND;
  readonly capabilities: StoreCapabilities = Object.freeze({
    ttl: true,
    atomicAppend: true,
    atomicHeaderCas: true,
    listing: true,
  });
  readonly options: Readonly<ResolvedRedisStoreOptions>;
  private readonly connection: RedisConnection;
  private readonly logger: Logger;
  private readonly clock: () => Date;
  private readonly ttlMs: number | null;

  constructor(options: RedisSessionStoreOptions = {}) {
    const { client, logger, clock, ...data } = options;
    this.options = Object.freeze(resolveStoreOptions(data));
    this.logger = logger ?? noopLogger;
    this.clock = clock ?? (() => new Date());
    this.ttlMs = this.options.ttlSeconds === null ? null : this.options.ttlSeconds * MS_PER_SECOND;
    this.connection = new RedisConnection({
      ...(client === undefined ? {} : { client }),
      url: this.options.url ?? DEFAULT_REDIS_URL,
      tlsInsecure: this.options.tlsInsecure,
      commandTimeoutMs: this.options.commandTimeoutMs,
      connectTimeoutMs: this.options.connectTimeoutMs,
      maxRetriesPerRequest: this.options.maxRetriesPerRequest,
      autoPipelining: this.options.autoPipelining,
      logger: this.logger,
    });
  }

  /** The ioredis client (owned unless injected). */
  get client(): RedisClient {
    return this.connection.client;
  }

  private keys(sessionId: string) {
    return sessionKeys(this.options.keyPrefix, sessionId);
  }

  private ttlArg(): string {
    return this.ttlMs === null ? '' : String(this.ttlMs);
  }

  /** `expires_at` of a write at `now` (ISO), or "" without a TTL. */
  private expiresAt(now: Date): string {
    return this.ttlMs === null ? '' : new Date(now.getTime() + this.ttlMs).toISOString();
  }

  async create(header: SessionHeader): Promise<number> {
    return guard('create', async () => {
      this.connection.assertOpen('create');
      assertSessionId(header.id);
      const keys = this.keys(header.id);
      const now = this.clock();
      const json = headerToWireJson(header);
      const userId = headerUserId(header);
      const argv: string[] = [
        keys.hash, keys.events, keys.ids,
        this.ttlArg(),
        json,
        this.options.sandboxId,
        header.metadata.createdAt,
        now.toISOString(),
        this.expiresAt(now),
      ];
      if (userId !== null) argv.push(userId);
      const created = await this.connection.script('create', argv);
      if (created !== 1) throw new SessionAlreadyExists({ sessionId: header.id });
      return 1;
    });
  }

  async get<M = unknown>(sessionId: string): Promise<Session<M> | null> {
    return guard('get', async () => {
      this.connection.assertOpen('get');
      assertSessionId(sessionId);
      const native = await this.readSession<M>(sessionId);
      if (native !== undefined || !this.options.legacyRead) return native ?? null;
      const legacy = await this.decodeAsync('get', () => readLegacyEnvelope(this.connection.client, sessionId, this.logger));
      if (legacy === null) return null;
      await migrateLegacySession(this, legacy);
      return (await this.readSession<M>(sessionId)) ?? null;
    });
  }

  /** The native session; `undefined` when there is no header hash, null for a foreign session type. */
  private async readSession<M>(sessionId: string): Promise<Session<M> | null | undefined> {
    const keys = this.keys(sessionId);
    const reply = (await this.connection.script('read', [keys.hash, keys.events, 0, -1])) as ReadReply;
    if (reply.length === 0) return undefined;
    const [values, rawEvents] = reply;
    const fields = readFields(values);
    if (fields.session_type !== undefined && fields.session_type !== STORE_SESSION_TYPE) {
      this.logger.debug({ sessionId, sessionType: fields.session_type }, 'redis key holds a foreign session type');
      return null;
    }
    return this.decode('get', () => sessionFromStoredLog<M>(decodeHeader(fields), decodeEvents<M>(rawEvents)));
  }

  async getHeader(sessionId: string): Promise<SessionHeader | null> {
    return guard('getHeader', async () => {
      this.connection.assertOpen('getHeader');
      assertSessionId(sessionId);
      const fields = await this.connection.command().hgetall(this.keys(sessionId).hash);
      if (Object.keys(fields).length === 0) return null;
      if (fields.session_type !== undefined && fields.session_type !== STORE_SESSION_TYPE) return null;
      return this.decode('getHeader', () => decodeHeader(fields));
    });
  }

  async readEvents<M = unknown>(sessionId: string, options: ReadEventsOptions = {}): Promise<SessionEvent<M>[] | null> {
    return guard('readEvents', async () => {
      this.connection.assertOpen('readEvents');
      assertSessionId(sessionId);
      const from = nonNegativeInt(options.from, 'from', 0);
      const limit = options.limit === undefined ? null : nonNegativeInt(options.limit, 'limit', 0);
      const keys = this.keys(sessionId);
      if (limit === 0) {
        return (await this.connection.command().exists(keys.hash)) === 1 ? [] : null;
      }
      const stop = limit === null ? -1 : from + limit - 1;
      const reply = (await this.connection.script('read', [keys.hash, keys.events, from, stop])) as ReadReply;
      if (reply.length === 0) return null;
      const rawEvents = reply[1];
      return this.decode('readEvents', () => decodeEvents<M>(rawEvents));
    });
  }

  async append(sessionId: string, events: readonly SessionEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    return guard('append', async () => {
      this.connection.assertOpen('append');
      assertSessionId(sessionId);
      const expected = options.expectedCount;
      if (expected !== undefined) nonNegativeInt(expected, 'expectedCount', 0);
      const keys = this.keys(sessionId);
      const now = this.clock();
      const argv = appendArgs(events, [
        keys.hash,
        keys.events,
        keys.ids,
        expected === undefined ? '' : String(expected),
        this.ttlArg(),
        now.toISOString(),
        this.expiresAt(now),
      ]);
      const reply = (await this.connection.script('append', argv)) as number[];
      const status = reply[0];
      if (status === -1) throw new SessionNotFound({ sessionId });
      if (status === 0) {
        throw new SessionVersionConflict({
          sessionId,
          kind: 'eventCount',
          expected: expected ?? -1,
          actual: reply[1] ?? -1,
          backend: REDIS_BACKEND,
        });
      }
      return { eventCount: reply[1] ?? 0, appended: reply[2] ?? 0 };
    });
  }

  async updateHeader(header: SessionHeader, options: { expectedRevision: number }): Promise<number> {
    return guard('updateHeader', async () => {
      this.connection.assertOpen('updateHeader');
      assertSessionId(header.id);
      const expected = nonNegativeInt(options.expectedRevision, 'expectedRevision', 0);
      const keys = this.keys(header.id);
      const now = this.clock();
      const userId = headerUserId(header);
      const reply = (await this.connection.script('updateHeader', [
        keys.hash,
        keys.events,
        keys.ids,
        expected,
        this.ttlArg(),
        now.toISOString(),
        this.expiresAt(now),
        headerToWireJson(header),
        this.options.sandboxId,
        header.metadata.createdAt,
        userId === null ? '0' : '1',
        userId ?? '',
      ])) as number[];
      const status = reply[0];
      if (status === -1) throw new SessionNotFound({ sessionId: header.id });
      if (status === 0) {
        throw new SessionVersionConflict({
          sessionId: header.id,
          kind: 'revision',
          expected,
          actual: reply[1] ?? -1,
          backend: REDIS_BACKEND,
        });
      }
      return reply[1] ?? expected + 1;
    });
  }

  async delete(sessionId: string): Promise<boolean> {
    return guard('delete', async () => {
      this.connection.assertOpen('delete');
      assertSessionId(sessionId);
      const keys = this.keys(sessionId);
      const removed = await this.connection.command().del(keys.hash, keys.events, keys.ids);
      return removed > 0;
    });
  }

  async exists(sessionId: string): Promise<boolean> {
    return guard('exists', async () => {
      this.connection.assertOpen('exists');
      assertSessionId(sessionId);
      return (await this.connection.command().exists(this.keys(sessionId).hash)) === 1;
    });
  }

  async list(prefix = '', options: ListOptions = {}): Promise<ListPage> {
    return guard('list', async () => {
      this.connection.assertOpen('list');
      if (typeof prefix !== 'string') throw new InvalidInput({ field: 'prefix', reason: 'must be a string' });
      const limit = options.limit ?? DEFAULT_LIST_LIMIT;
      if (!Number.isInteger(limit) || limit <= 0) throw new InvalidInput({ field: 'limit', reason: 'must be a positive integer' });
      if (prefix.includes('{') || prefix.includes('}')) return { ids: [], cursor: null };
      let page;
      try {
        page = await scanPage(this.connection.client, sessionScanPattern(this.options.keyPrefix, prefix), {
          cursor: options.cursor ?? null,
          count: options.limit ?? this.options.scanCount,
          target: limit,
          type: 'hash',
        });
      } catch (error) {
        if (error instanceof InvalidCursorError) throw new InvalidInput({ field: 'cursor', reason: error.message });
        throw error;
      }
      const ids = new Set<string>();
      for (const key of page.keys) {
        const id = sessionIdOfKey(this.options.keyPrefix, key);
        if (id?.startsWith(prefix) === true) ids.add(id);
      }
      return { ids: [...ids], cursor: page.cursor };
    });
  }

  async extendTtl(sessionId: string, additionalSeconds: number): Promise<boolean> {
    return guard('extendTtl', async () => {
      this.connection.assertOpen('extendTtl');
      assertSessionId(sessionId);
      if (!Number.isFinite(additionalSeconds) || additionalSeconds <= 0) {
        throw new InvalidInput({ field: 'additionalSeconds', reason: 'must be a positive number' });
      }
      const keys = this.keys(sessionId);
      const done = await this.connection.script('extendTtl', [
        keys.hash,
        keys.events,
        keys.ids,
        Math.round(additionalSeconds * MS_PER_SECOND),
        this.clock().getTime(),
      ]);
      return done === 1;
    });
  }

  async getStats(): Promise<StoreStats> {
    return {
      backend: REDIS_BACKEND,
      details: {
        keyPrefix: this.options.keyPrefix,
        sandboxId: this.options.sandboxId,
        ttlSeconds: this.options.ttlSeconds,
        cluster: this.connection.cluster,
      },
    };
  }

  async close(): Promise<void> {
    return guard('close', () => this.connection.close());
  }

  private decode<T>(operation: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw new StorageError({ operation, backend: REDIS_BACKEND, cause: error });
    }
  }

  private async decodeAsync<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof SyntaxError || error instanceof InvalidInput) {
        throw new StorageError({ operation, backend: REDIS_BACKEND, cause: error });
      }
      throw error;
    }
  }
}

/** Factory form of `new RedisSessionStore(options)`. */
export function createRedisSessionStore(options: RedisSessionStoreOptions = {}): RedisSessionStore {
  return new RedisSessionStore(options);
}

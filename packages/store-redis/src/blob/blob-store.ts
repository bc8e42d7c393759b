import { InvalidInput, noopLogger, validateBlobKey } from '@chuk/models';
import type { BlobInfo, BlobPutOptions, BlobStore, Logger } from '@chuk/models';
import { REDIS_BACKEND, RedisConnection, guard } from '../client/connection.js';
import type { RedisClient } from '../client/create-client.js';
import { blobKey, escapeGlob } from '../client/keys.js';
import { scanAll } from '../client/scan.js';
import {
  DEFAULT_REDIS_URL,
  resolveBlobOptions,
  type RedisBlobStoreOptions as RedisBlobStoreDataOptions,
  type RedisInjectables,
  type ResolvedRedisBlobStoreOptions,
} from '../options.js';

const MS_PER_SECOND = 1000;
const METADATA_KEY = /^[a-z0-9-]+$/;

export type RedisBlobStoreOptions = RedisBlobStoreDataOptions & RedisInjectables;

function checkMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (!METADATA_KEY.test(key)) throw new InvalidInput({ field: `metadata.${key}`, reason: 'keys are lower-case [a-z0-9-]+' });
    if (typeof value !== 'string') throw new InvalidInput({ field: `metadata.${key}`, reason: 'values are strings' });
    out[key] = value;
  }
  return out;
}

function parseMetadata(raw: string | null): Record<string, string> {
  if (raw === null || raw === '') return {};
  const parsed = JSON.parse(raw) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('blob metadata is not an object');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') out[key] = value;
  return out;
}

/**
 * `BlobStore` on Redis (spec §13.4): one hash per blob at `<keyPrefix>blob:<key>` with the bytes
 * in `data` and `content_type`, `metadata` (JSON), `size`, `updated_at` beside them.
 */
export class RedisBlobStore implements BlobStore {
  readonly backend = REDIS_BACKEND;
  readonly options: Readonly<ResolvedRedisBlobStoreOptions>;
  private readonly connection: RedisConnection;
  private readonly clock: () => Date;

  constructor(options: RedisBlobStoreOptions = {}) {
    const { client, logger, clock, ...data } = options;
    this.options = Object.freeze(resolveBlobOptions(data));
    this.clock = clock ?? (() => new Date());
    const log: Logger = logger ?? noopLogger;
    this.connection = new RedisConnection({
      ...(client === undefined ? {} : { client }),
      url: this.options.url ?? DEFAULT_REDIS_URL,
      tlsInsecure: this.options.tlsInsecure,
      commandTimeoutMs: this.options.commandTimeoutMs,
      connectTimeoutMs: this.options.connectTimeoutMs,
      maxRetriesPerRequest: this.options.maxRetriesPerRequest,
      autoPipelining: this.options.autoPipelining,
      logger: log,
    });
  }

  get client(): RedisClient {
    return this.connection.client;
  }

  async put(key: string, data: Uint8Array, options: BlobPutOptions = {}): Promise<void> {
    validateBlobKey(key);
    if (!(data instanceof Uint8Array)) throw new InvalidInput({ field: 'data', reason: 'must be a Uint8Array' });
    const metadata = checkMetadata(options.metadata);
    await guard('put', async () => {
      this.connection.assertOpen('put');
      const redisKey = blobKey(this.options.keyPrefix, key);
      const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const tx = this.connection.command()
        .multi()
        .del(redisKey)
        .hset(redisKey, {
          data: bytes,
          content_type: options.contentType ?? '',
          metadata: JSON.stringify(metadata),
          size: String(data.byteLength),
          updated_at: this.clock().toISOString(),
        });
      if (this.options.ttlSeconds !== null) tx.pexpire(redisKey, this.options.ttlSeconds * MS_PER_SECOND);
      const results = await tx.exec();
      for (const [error] of results ?? []) if (error) throw error;
    });
  }

  async get(key: string): Promise<Uint8Array | null> {
    validateBlobKey(key);
    return guard('get', async () => {
      this.connection.assertOpen('get');
      const bytes = await this.connection.command().hgetBuffer(blobKey(this.options.keyPrefix, key), 'data');
      return bytes === null ? null : new Uint8Array(bytes);
    });
  }

  async head(key: string): Promise<BlobInfo | null> {
    validateBlobKey(key);
    return guard('head', async () => {
      this.connection.assertOpen('head');
      const [contentType, metadata, size, updatedAt] = await this.connection.command().hmget(
        blobKey(this.options.keyPrefix, key),
        'content_type',
        'metadata',
        'size',
        'updated_at',
      );
      if (size === null || size === undefined) return null;
      return {
        key,
        size: Number(size),
        contentType: contentType === null || contentType === undefined || contentType === '' ? null : contentType,
        metadata: parseMetadata(metadata ?? null),
        updatedAt: updatedAt ?? '',
      };
    });
  }

  async delete(key: string): Promise<boolean> {
    validateBlobKey(key);
    return guard('delete', async () => {
      this.connection.assertOpen('delete');
      return (await this.connection.command().del(blobKey(this.options.keyPrefix, key))) > 0;
    });
  }

  async list(prefix = ''): Promise<string[]> {
    return guard('list', async () => {
      this.connection.assertOpen('list');
      const head = blobKey(this.options.keyPrefix, '');
      const keys = await scanAll(this.connection.client, `${escapeGlob(head)}${escapeGlob(prefix)}*`, this.options.scanCount, 'hash');
      return keys.map((k) => k.slice(head.length));
    });
  }

  async close(): Promise<void> {
    return guard('close', () => this.connection.close());
  }
}

/** Factory form of `new RedisBlobStore(options)`. */
export function createRedisBlobStore(options: RedisBlobStoreOptions = {}): RedisBlobStore {
  return new RedisBlobStore(options);
}

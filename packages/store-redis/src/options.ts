import { z } from 'zod';
import { parseInput } from '@chuk/models';
import type { Logger } from '@chuk/models';
import type { RedisClient } from './client/create-client.js';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_RETRIES_PER_REQUEST,
} from './client/create-client.js';

/** Default URL when neither `url` nor `client` is given. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Default sliding expiry of a session (24 h, as the reference's default_ttl_hours). */
export const DEFAULT_TTL_SECONDS = 86_400;
/** Default SCAN COUNT hint. */
export const DEFAULT_SCAN_COUNT = 500;

const keyPrefixSchema = z
  .string()
  .refine((p) => !p.includes('{') && !p.includes('}'), 'must not contain { or } (they are the Cluster hash tag)');

const connectionShape = {
  url: z.string().min(1).optional().describe('redis[s]://…; a comma-separated host list selects Cluster'),
  tlsInsecure: z.boolean().default(false).describe('skip TLS certificate checks (rediss:// only)'),
  commandTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(DEFAULT_COMMAND_TIMEOUT_MS)
    .describe('client-side bound on one command, so an unreachable server fails with StorageError'),
  connectTimeoutMs: z.number().int().positive().default(DEFAULT_CONNECT_TIMEOUT_MS).describe('TCP connect timeout'),
  maxRetriesPerRequest: z
    .number()
    .int()
    .nonnegative()
    .default(DEFAULT_MAX_RETRIES_PER_REQUEST)
    .describe('reconnect attempts a command waits through before it fails'),
  autoPipelining: z
    .boolean()
    .default(false)
    .describe('batch the commands of concurrent callers into one write per tick (ioredis enableAutoPipelining)'),
};

export const RedisStoreOptionsSchema = z.object({
  ...connectionShape,
  keyPrefix: keyPrefixSchema.default('chuk:').describe('isolates applications sharing one Redis'),
  sandboxId: z.string().default('chuk-ai-session-manager').describe('recorded on each session (not part of the key)'),
  ttlSeconds: z
    .number()
    .int()
    .positive()
    .nullable()
    .default(DEFAULT_TTL_SECONDS)
    .describe('sliding expiry; null = never'),
  scanCount: z.number().int().positive().default(DEFAULT_SCAN_COUNT).describe('SCAN COUNT hint for list()'),
  legacyRead: z.boolean().default(false).describe('also read reference envelopes at session:<id>'),
});
export type RedisStoreOptions = z.input<typeof RedisStoreOptionsSchema>;
export type ResolvedRedisStoreOptions = z.output<typeof RedisStoreOptionsSchema>;

export const RedisBlobStoreOptionsSchema = z.object({
  ...connectionShape,
  keyPrefix: keyPrefixSchema.default('chuk:').describe('blobs live at <keyPrefix>blob:<key>'),
  ttlSeconds: z.number().int().positive().nullable().default(null).describe('expiry set on put; null = never'),
  scanCount: z.number().int().positive().default(DEFAULT_SCAN_COUNT).describe('SCAN COUNT hint for list()'),
});
export type RedisBlobStoreOptions = z.input<typeof RedisBlobStoreOptionsSchema>;
export type ResolvedRedisBlobStoreOptions = z.output<typeof RedisBlobStoreOptionsSchema>;

/** Options that are objects or functions, not data (not validated by the schema). */
export interface RedisInjectables {
  /** A client you own: the store uses it and never quits it. */
  client?: RedisClient;
  logger?: Logger;
  clock?: () => Date;
}

export function resolveStoreOptions(options: RedisStoreOptions = {}): ResolvedRedisStoreOptions {
  return parseInput(RedisStoreOptionsSchema, options, 'options');
}

export function resolveBlobOptions(options: RedisBlobStoreOptions = {}): ResolvedRedisBlobStoreOptions {
  return parseInput(RedisBlobStoreOptionsSchema, options, 'options');
}

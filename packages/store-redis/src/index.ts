export { RedisSessionStore, createRedisSessionStore } from './session/session-store.js';
export type { RedisSessionStoreOptions } from './session/session-store.js';
export { RedisBlobStore, createRedisBlobStore } from './blob/blob-store.js';
export type { RedisBlobStoreOptions } from './blob/blob-store.js';
export {
  RedisStoreOptionsSchema,
  RedisBlobStoreOptionsSchema,
  DEFAULT_REDIS_URL,
  DEFAULT_TTL_SECONDS,
  DEFAULT_SCAN_COUNT,
} from './options.js';
export type { RedisStoreOptions, RedisInjectables } from './options.js';
export {
  createRedisClient,
  parseClusterUrl,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_RETRIES_PER_REQUEST,
} from './client/create-client.js';
export type { CreateRedisClientOptions, RedisClient } from './client/create-client.js';
export { sessionKeys, blobKey, escapeGlob } from './client/keys.js';
export type { SessionKeys } from './client/keys.js';
/** `session_type` of the header hash (the shared `STORE_SESSION_TYPE` of @chuk/models). */
export { STORE_SESSION_TYPE as SESSION_TYPE } from '@chuk/models';

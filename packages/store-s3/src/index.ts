export { S3SessionStore, createS3SessionStore, HeaderMeta, EVENT_COUNT_META, CONDITIONAL_BACKOFF_MS } from './session/session-store.js';
export type { S3SessionStoreOptions } from './session/session-store.js';
export { S3BlobStore, createS3BlobStore } from './blob/blob-store.js';
export type { S3BlobStoreOptions } from './blob/blob-store.js';
export {
  S3StoreOptionsSchema,
  S3BlobStoreOptionsSchema,
  DEFAULT_MULTIPART_THRESHOLD_BYTES,
  DEFAULT_PART_SIZE_BYTES,
  MIN_PART_SIZE_BYTES,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_CONDITIONAL_ATTEMPTS,
} from './options.js';
export type { S3StoreOptions, S3Injectables } from './options.js';
export { S3Layout, encodeSessionId, decodeSessionId, EVENT_POSITION_DIGITS } from './client/layout.js';
export { IDEMPOTENCY_WINDOW_OBJECTS } from './session/event-log.js';

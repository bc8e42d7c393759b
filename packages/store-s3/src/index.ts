export { S3SessionStore, createS3SessionStore } from './session/session-store.js';
export { HeaderMeta } from './session/header-object.js';
export { CONDITIONAL_BACKOFF_MS } from './session/write-conditions.js';
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
export { IDEMPOTENCY_WINDOW_OBJECTS, EVENT_COUNT_META } from './session/event-log.js';

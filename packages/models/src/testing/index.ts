/**
 * Conformance kit for store authors (`@chuk/models/testing`): vitest suites every `SessionStore` and
 * `BlobStore` implementation runs (vitest is an optional peer of this subpath only).
 */
export { defineSessionStoreSuite } from './session-suite.js';
export type { SessionStoreHarness, SessionStoreSuiteOptions } from './session-suite.js';
export { defineBlobStoreSuite } from './blob-suite.js';
export type { BlobStoreHarness } from './blob-suite.js';
export { makeEvents, makeSession, totalTokensOf, uniqueId } from './fixtures.js';

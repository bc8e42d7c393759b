export { JsonFilesSessionStore, JSONFILES_BACKEND, encodeId } from './session-store.js';
export { JsonFilesBlobStore } from './blob-store.js';
export { checkOptions } from './options.js';
export type { JsonFilesStoreOptions } from './options.js';

export { FileSystemBlobStore } from './fs-blob-store.js';

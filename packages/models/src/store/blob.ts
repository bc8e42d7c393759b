import { z } from 'zod';
import { InvalidInput } from '../errors/errors.js';

export interface BlobPutOptions {
  contentType?: string;
  /** Keys lower-case `[a-z0-9-]+`; values strings. */
  metadata?: Record<string, string>;
}

export const BlobInfoSchema = z.object({
  key: z.string().describe('blob key'),
  size: z.number().int().nonnegative().describe('size in bytes'),
  contentType: z.string().nullable().describe('content type, if given'),
  metadata: z.record(z.string(), z.string()).describe('user metadata'),
  updatedAt: z.string().describe('last write (ISO-8601 UTC)'),
});
export type BlobInfo = z.infer<typeof BlobInfoSchema>;

/** Byte storage for the VM tiers (L3/L4). Every implementation calls `validateBlobKey` first. */
export interface BlobStore {
  readonly backend: string;
  put(key: string, data: Uint8Array, options?: BlobPutOptions): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
  head(key: string): Promise<BlobInfo | null>;
  delete(key: string): Promise<boolean>;
  list(prefix?: string): Promise<string[]>;
  close?(): Promise<void>;
}

/** Runtime check for the `BlobStore` shape. */
export function isBlobStore(x: unknown): x is BlobStore {
  if (x === null || typeof x !== 'object') return false;
  const o = x as Record<string, unknown>;
  return (
    typeof o.backend === 'string' &&
    ['put', 'get', 'head', 'delete', 'list'].every((m) => typeof o[m] === 'function')
  );
}

/** Longest blob key in UTF-8 bytes. */
export const MAX_BLOB_KEY_BYTES = 1024;
const METADATA_KEY_RE = /^[a-z0-9-]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/u;
const utf8 = new TextEncoder();

/**
 * Throws `InvalidInput` (field `key`) unless `key` is non-empty, at most 1024 UTF-8 bytes, has no leading `/`,
 * no backslash, no empty / `.` / `..` segment and no control character.
 */
export function validateBlobKey(key: string): void {
  const fail = (reason: string): never => {
    throw new InvalidInput({ field: 'key', reason });
  };
  if (typeof key !== 'string' || key.length === 0) fail('must be a non-empty string');
  if (utf8.encode(key).length > MAX_BLOB_KEY_BYTES) fail(`must be at most ${MAX_BLOB_KEY_BYTES} UTF-8 bytes`);
  if (key.startsWith('/')) fail('must not start with "/"');
  if (key.includes('\\')) fail('must not contain a backslash');
  if (CONTROL_RE.test(key)) fail('must not contain control characters');
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') fail('must not contain empty, "." or ".." segments');
  }
}

/** Throws `InvalidInput` (field `metadata.<key>`) for a metadata key outside `[a-z0-9-]+` or a non-string value. */
export function validateBlobMetadata(metadata: Readonly<Record<string, unknown>>): void {
  for (const [k, v] of Object.entries(metadata)) {
    if (!METADATA_KEY_RE.test(k)) throw new InvalidInput({ field: `metadata.${k}`, reason: 'keys must match [a-z0-9-]+' });
    if (typeof v !== 'string') throw new InvalidInput({ field: `metadata.${k}`, reason: 'values must be strings' });
  }
}

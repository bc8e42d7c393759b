import type { Clock } from '../util/clock.js';
import { systemClock } from '../util/clock.js';
import { nowIso } from '../util/time.js';
import type { BlobInfo, BlobPutOptions, BlobStore } from './blob.js';
import { validateBlobKey, validateBlobMetadata } from './blob.js';
import { InvalidInput } from '../errors/errors.js';

interface BlobEntry {
  bytes: Uint8Array;
  info: BlobInfo;
}

/** The data behind one or more `InMemoryBlobStore` instances (pass `store.data` to share it). */
export class MemoryBlobData {
  readonly blobs = new Map<string, BlobEntry>();
}

export interface InMemoryBlobStoreOptions {
  clock?: Clock;
  backend?: string;
  data?: MemoryBlobData;
}

/** `BlobStore` in process memory; bytes are copied on `put` and on `get`. */
export class InMemoryBlobStore implements BlobStore {
  readonly backend: string;
  readonly data: MemoryBlobData;
  readonly #clock: Clock;

  constructor(options: InMemoryBlobStoreOptions = {}) {
    this.backend = options.backend ?? 'memory';
    this.data = options.data ?? new MemoryBlobData();
    this.#clock = options.clock ?? systemClock;
  }

  async put(key: string, data: Uint8Array, options: BlobPutOptions = {}): Promise<void> {
    validateBlobKey(key);
    if (!(data instanceof Uint8Array)) throw new InvalidInput({ field: 'data', reason: 'must be a Uint8Array' });
    const metadata = { ...(options.metadata ?? {}) };
    validateBlobMetadata(metadata);
    this.data.blobs.set(key, {
      bytes: data.slice(),
      info: { key, size: data.byteLength, contentType: options.contentType ?? null, metadata, updatedAt: nowIso(this.#clock) },
    });
  }

  async get(key: string): Promise<Uint8Array | null> {
    validateBlobKey(key);
    const entry = this.data.blobs.get(key);
    return entry === undefined ? null : entry.bytes.slice();
  }

  async head(key: string): Promise<BlobInfo | null> {
    validateBlobKey(key);
    const entry = this.data.blobs.get(key);
    return entry === undefined ? null : { ...entry.info, metadata: { ...entry.info.metadata } };
  }

  async delete(key: string): Promise<boolean> {
    validateBlobKey(key);
    return this.data.blobs.delete(key);
  }

  async list(prefix = ''): Promise<string[]> {
    const out: string[] = [];
    for (const key of this.data.blobs.keys()) if (key.startsWith(prefix)) out.push(key);
    return out;
  }

  /** Nothing to release; idempotent. */
  async close(): Promise<void> {
    return Promise.resolve();
  }
}

import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInput, StorageError, isSessionManagerError, validateBlobKey, validateBlobMetadata } from '@chuk/models';
import type { BlobInfo, BlobPutOptions, BlobStore } from '@chuk/models';
import { isErrno, readIfExists, writeAtomic } from './fs-util.js';
import { checkOptions, type JsonFilesStoreOptions } from './options.js';
import { JSONFILES_BACKEND } from './session-store.js';

const META_SUFFIX = '.json';
const DATA_SUFFIX = '.bin';

/**
 * A `BlobStore` on files: each blob is `<dir>/blobs/<sha256(key)>.bin` plus a `.json` sidecar with
 * its key and info (hashing keeps any valid key a safe, short file name).
 */
export class JsonFilesBlobStore implements BlobStore {
  readonly backend = JSONFILES_BACKEND;
  private readonly root: string;
  private readonly clock: () => Date;

  constructor(options: JsonFilesStoreOptions) {
    const checked = checkOptions(options);
    this.root = join(checked.directory, 'blobs');
    this.clock = checked.clock;
  }

  private base(key: string): string {
    return join(this.root, createHash('sha256').update(key).digest('hex'));
  }

  private async guard<T>(operation: string, task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } catch (error) {
      if (isSessionManagerError(error)) throw error;
      throw new StorageError({ operation, backend: this.backend, cause: error });
    }
  }

  async put(key: string, data: Uint8Array, options: BlobPutOptions = {}): Promise<void> {
    validateBlobKey(key);
    if (!(data instanceof Uint8Array)) throw new InvalidInput({ field: 'data', reason: 'must be a Uint8Array' });
    validateBlobMetadata(options.metadata ?? {});
    const info: BlobInfo = {
      key,
      size: data.byteLength,
      contentType: options.contentType ?? null,
      metadata: { ...options.metadata },
      updatedAt: this.clock().toISOString(),
    };
    await this.guard('put', async () => {
      await mkdir(this.root, { recursive: true });
      const base = this.base(key);
      await writeAtomic(`${base}${DATA_SUFFIX}`, data);
      await writeAtomic(`${base}${META_SUFFIX}`, JSON.stringify(info));
    });
  }

  async get(key: string): Promise<Uint8Array | null> {
    validateBlobKey(key);
    return this.guard('get', async () => {
      try {
        return new Uint8Array(await readFile(`${this.base(key)}${DATA_SUFFIX}`));
      } catch (error) {
        if (isErrno(error, 'ENOENT')) return null;
        throw error;
      }
    });
  }

  async head(key: string): Promise<BlobInfo | null> {
    validateBlobKey(key);
    return this.guard('head', async () => {
      const text = await readIfExists(`${this.base(key)}${META_SUFFIX}`);
      return text === null ? null : (JSON.parse(text) as BlobInfo);
    });
  }

  async delete(key: string): Promise<boolean> {
    validateBlobKey(key);
    return this.guard('delete', async () => {
      const base = this.base(key);
      const existed = (await readIfExists(`${base}${META_SUFFIX}`)) !== null;
      await rm(`${base}${META_SUFFIX}`, { force: true });
      await rm(`${base}${DATA_SUFFIX}`, { force: true });
      return existed;
    });
  }

  async list(prefix = ''): Promise<string[]> {
    return this.guard('list', async () => {
      let names: string[];
      try {
        names = await readdir(this.root);
      } catch (error) {
        if (isErrno(error, 'ENOENT')) return [];
        throw error;
      }
      const keys: string[] = [];
      for (const name of names.filter((n) => n.endsWith(META_SUFFIX))) {
        const text = await readIfExists(join(this.root, name));
        if (text === null) continue;
        const { key } = JSON.parse(text) as BlobInfo;
        if (key.startsWith(prefix)) keys.push(key);
      }
      return keys;
    });
  }
}

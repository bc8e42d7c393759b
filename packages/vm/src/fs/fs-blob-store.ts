import { mkdir, readFile, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { InvalidInput, StorageError, validateBlobKey, validateBlobMetadata, type BlobInfo, type BlobPutOptions, type BlobStore } from '@chuk/models';

const META_SUFFIX = '.meta.json';
const TMP_MARKER = '.tmp-';
const BACKEND = 'filesystem';

interface Sidecar { contentType: string | null; metadata: Record<string, string>; updatedAt: string }

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT';
}

function randomSuffix(): string {
  return globalThis.crypto.randomUUID().slice(0, 8);
}

/** `BlobStore` on the local filesystem: key `a/b/c.json` → `<rootDir>/a/b/c.json`; atomic writes (tmp + rename). */
export class FileSystemBlobStore implements BlobStore {
  readonly backend = BACKEND;
  readonly rootDir: string;
  private readonly clock: () => Date;

  constructor(opts: { rootDir: string; clock?: () => Date }) {
    this.rootDir = opts.rootDir;
    this.clock = opts.clock ?? (() => new Date());
  }

  private path(key: string): string {
    validateBlobKey(key);
    if (key.endsWith(META_SUFFIX) || key.includes(TMP_MARKER)) {
      throw new InvalidInput({ field: 'key', reason: `must not end with "${META_SUFFIX}" or contain "${TMP_MARKER}" (reserved)` });
    }
    return join(this.rootDir, ...key.split('/'));
  }

  async put(key: string, data: Uint8Array, options: BlobPutOptions = {}): Promise<void> {
    const file = this.path(key);
    validateBlobMetadata(options.metadata ?? {});
    const sidecar: Sidecar = { contentType: options.contentType ?? null, metadata: { ...options.metadata }, updatedAt: this.clock().toISOString() };
    await this.io('put', async () => {
      await mkdir(dirname(file), { recursive: true });
      await this.atomicWrite(`${file}${META_SUFFIX}`, new TextEncoder().encode(JSON.stringify(sidecar)));
      await this.atomicWrite(file, data);
    });
  }

  async get(key: string): Promise<Uint8Array | null> {
    const file = this.path(key);
    return this.io('get', async () => {
      try {
        return new Uint8Array(await readFile(file));
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    });
  }

  async head(key: string): Promise<BlobInfo | null> {
    const file = this.path(key);
    return this.io('head', async () => {
      try {
        const st = await stat(file);
        const sidecar = await this.readSidecar(file);
        return {
          key,
          size: st.size,
          contentType: sidecar?.contentType ?? null,
          metadata: sidecar?.metadata ?? {},
          updatedAt: sidecar?.updatedAt ?? st.mtime.toISOString(),
        };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    });
  }

  async delete(key: string): Promise<boolean> {
    const file = this.path(key);
    return this.io('delete', async () => {
      try {
        await unlink(file);
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
      await rm(`${file}${META_SUFFIX}`, { force: true });
      return true;
    });
  }

  /** Keys under `prefix`, '/'-joined and sorted. */
  async list(prefix = ''): Promise<string[]> {
    return this.io('list', async () => {
      const out: string[] = [];
      await this.walk(this.rootDir, out);
      return out.filter((k) => k.startsWith(prefix)).sort();
    });
  }

  private async walk(dir: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await this.walk(full, out);
      else if (!e.name.endsWith(META_SUFFIX) && !e.name.includes(TMP_MARKER)) out.push(relative(this.rootDir, full).split(sep).join('/'));
    }
  }

  private async readSidecar(file: string): Promise<Sidecar | null> {
    try {
      return JSON.parse(await readFile(`${file}${META_SUFFIX}`, 'utf8')) as Sidecar;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  private async atomicWrite(file: string, data: Uint8Array): Promise<void> {
    const tmp = `${file}${TMP_MARKER}${randomSuffix()}`;
    try {
      await writeFile(tmp, data);
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  private async io<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new StorageError({ operation, backend: BACKEND, cause });
    }
  }
}

import { mkdir, readdir, rename, rm, stat, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_LIST_LIMIT,
  InvalidInput,
  KeyedMutex,
  SessionAlreadyExists,
  SessionEvent,
  SessionNotFound,
  SessionVersionConflict,
  StorageError,
  assertHeader,
  assertSessionId,
  headerFromWire,
  headerToWire,
  isSessionManagerError,
  sessionFromStoredLog,
} from '@chuk/models';
import type {
  AppendOptions,
  AppendResult,
  ListOptions,
  ListPage,
  ReadEventsOptions,
  Session,
  SessionHeader,
  SessionStore,
  StoreCapabilities,
  StoreStats,
} from '@chuk/models';
import { createExclusive, isErrno, readIfExists, writeAtomic } from './fs-util.js';
import { checkOptions, type JsonFilesStoreOptions } from './options.js';

export const JSONFILES_BACKEND = 'jsonfiles';
const HEADER_FILE = 'header.json';
const EVENTS_FILE = 'events.jsonl';
const TRASH_PREFIX = '.trash-';

/** header.json: the header wire JSON plus the revision the store keeps beside it. */
interface HeaderFile {
  revision: number;
  header: unknown;
}

/** What this process knows about a session's event file (reloaded when its size changes). */
interface LogIndex {
  size: number;
  count: number;
  ids: Set<string>;
}

/** Folder name of a session: URI-encoded id, a leading `.` encoded too (no `.`/`..`/trash clash). */
export function encodeId(id: string): string {
  return id.startsWith('.') ? `%2E${encodeURIComponent(id.slice(1))}` : encodeURIComponent(id);
}

/**
 * A `SessionStore` on JSON files (a template for plugin authors): `<dir>/sessions/<id>/header.json`
 * and an append-only `events.jsonl`. Writes of one process are serialised per session; other
 * processes are not coordinated, so `atomicAppend` and `atomicHeaderCas` are false.
 */
export class JsonFilesSessionStore implements SessionStore {
  readonly backend = JSONFILES_BACKEND;
  readonly capabilities: StoreCapabilities = Object.freeze({ ttl: false, atomicAppend: false, atomicHeaderCas: false, listing: true });
  private readonly root: string;
  private readonly locks = new KeyedMutex();
  private readonly indexes = new Map<string, LogIndex>();
  private closed = false;

  constructor(options: JsonFilesStoreOptions) {
    this.root = join(checkOptions(options).directory, 'sessions');
  }

  private folder(id: string): string {
    return join(this.root, encodeId(id));
  }

  /** Runs `task`, turning anything but a chuk error into `StorageError(operation)`. */
  private async guard<T>(operation: string, task: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StorageError({ operation, backend: this.backend, cause: new Error('store is closed') });
    try {
      return await task();
    } catch (error) {
      if (isSessionManagerError(error)) throw error;
      throw new StorageError({ operation, backend: this.backend, cause: error });
    }
  }

  private async readHeaderFile(operation: string, id: string): Promise<HeaderFile | null> {
    const text = await readIfExists(join(this.folder(id), HEADER_FILE));
    if (text === null) return null;
    try {
      const parsed = JSON.parse(text) as Partial<HeaderFile>;
      if (typeof parsed.revision !== 'number') throw new Error('header.json has no revision');
      return { revision: parsed.revision, header: parsed.header };
    } catch (error) {
      throw new StorageError({ operation, backend: this.backend, cause: error });
    }
  }

  private async readLog(operation: string, id: string): Promise<SessionEvent[]> {
    const text = (await readIfExists(join(this.folder(id), EVENTS_FILE))) ?? '';
    try {
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line, i) => SessionEvent.fromWire(JSON.parse(line) as unknown, { field: `events.${i}` }));
    } catch (error) {
      throw new StorageError({ operation, backend: this.backend, cause: error });
    }
  }

  /** The index of the event file, reloaded only when the file changed size behind our back. */
  private async logIndex(id: string): Promise<LogIndex> {
    const path = join(this.folder(id), EVENTS_FILE);
    let size = 0;
    try {
      size = (await stat(path)).size;
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
    const known = this.indexes.get(id);
    if (known?.size === size) return known;
    const events = await this.readLog('append', id);
    const index = { size, count: events.length, ids: new Set(events.map((e) => e.id)) };
    this.indexes.set(id, index);
    return index;
  }

  private decodeHeader(operation: string, file: HeaderFile, eventCount: number): SessionHeader {
    try {
      return headerFromWire(file.header, { revision: file.revision, eventCount });
    } catch (error) {
      throw new StorageError({ operation, backend: this.backend, cause: error });
    }
  }

  async create(header: SessionHeader): Promise<number> {
    assertHeader(header);
    const body = JSON.stringify({ revision: 1, header: headerToWire(header) } satisfies HeaderFile);
    return this.guard('create', () =>
      this.locks.run(header.id, async () => {
        const folder = this.folder(header.id);
        await mkdir(folder, { recursive: true });
        if ((await readIfExists(join(folder, HEADER_FILE))) === null) {
          await rm(join(folder, EVENTS_FILE), { force: true }); // leftovers never reappear
          this.indexes.delete(header.id);
        }
        if (!(await createExclusive(join(folder, HEADER_FILE), body))) throw new SessionAlreadyExists({ sessionId: header.id });
        return 1;
      }),
    );
  }

  async get<M = unknown>(sessionId: string): Promise<Session<M> | null> {
    assertSessionId(sessionId);
    return this.guard('get', async () => {
      const file = await this.readHeaderFile('get', sessionId);
      if (file === null) return null;
      const events = (await this.readLog('get', sessionId)) as SessionEvent<M>[];
      return sessionFromStoredLog<M>(this.decodeHeader('get', file, events.length), events);
    });
  }

  async getHeader(sessionId: string): Promise<SessionHeader | null> {
    assertSessionId(sessionId);
    return this.guard('getHeader', async () => {
      const file = await this.readHeaderFile('getHeader', sessionId);
      if (file === null) return null;
      return this.decodeHeader('getHeader', file, (await this.logIndex(sessionId)).count);
    });
  }

  async readEvents<M = unknown>(sessionId: string, options: ReadEventsOptions = {}): Promise<SessionEvent<M>[] | null> {
    assertSessionId(sessionId);
    const from = options.from ?? 0;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    if (!Number.isInteger(from) || from < 0) throw new InvalidInput({ field: 'from', reason: 'must be a non-negative integer' });
    if (limit !== Number.POSITIVE_INFINITY && (!Number.isInteger(limit) || limit < 0)) {
      throw new InvalidInput({ field: 'limit', reason: 'must be a non-negative integer' });
    }
    return this.guard('readEvents', async () => {
      if ((await this.readHeaderFile('readEvents', sessionId)) === null) return null;
      const events = (await this.readLog('readEvents', sessionId)) as SessionEvent<M>[];
      return events.slice(from, from + limit);
    });
  }

  async append(sessionId: string, events: readonly SessionEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    assertSessionId(sessionId);
    const expected = options.expectedCount;
    if (expected !== undefined && (!Number.isInteger(expected) || expected < 0)) {
      throw new InvalidInput({ field: 'expectedCount', reason: 'must be a non-negative integer' });
    }
    const lines = events.map((event, i) => {
      if (!(event instanceof SessionEvent)) throw new InvalidInput({ field: `events.${i}`, reason: 'must be a SessionEvent' });
      return { id: event.id, line: `${JSON.stringify(event.toWire())}\n` };
    });
    return this.guard('append', () =>
      this.locks.run(sessionId, async () => {
        if ((await this.readHeaderFile('append', sessionId)) === null) throw new SessionNotFound({ sessionId });
        const index = await this.logIndex(sessionId);
        const seen = new Set<string>();
        const kept = lines.filter(({ id }) => {
          if (index.ids.has(id) || seen.has(id)) return false;
          seen.add(id);
          return true;
        });
        if (kept.length === 0) return { appended: 0, eventCount: index.count };
        if (expected !== undefined && expected !== index.count) {
          throw new SessionVersionConflict({ sessionId, kind: 'eventCount', expected, actual: index.count, backend: this.backend });
        }
        const text = kept.map((k) => k.line).join('');
        await appendFile(join(this.folder(sessionId), EVENTS_FILE), text); // one write, O_APPEND
        for (const { id } of kept) index.ids.add(id);
        index.count += kept.length;
        index.size += Buffer.byteLength(text);
        return { appended: kept.length, eventCount: index.count };
      }),
    );
  }

  async updateHeader(header: SessionHeader, options: { expectedRevision: number }): Promise<number> {
    assertHeader(header);
    const wire = headerToWire(header);
    return this.guard('updateHeader', () =>
      this.locks.run(header.id, async () => {
        const file = await this.readHeaderFile('updateHeader', header.id);
        if (file === null) throw new SessionNotFound({ sessionId: header.id });
        if (file.revision !== options.expectedRevision) {
          throw new SessionVersionConflict({
            sessionId: header.id,
            kind: 'revision',
            expected: options.expectedRevision,
            actual: file.revision,
            backend: this.backend,
          });
        }
        const revision = file.revision + 1;
        await writeAtomic(join(this.folder(header.id), HEADER_FILE), JSON.stringify({ revision, header: wire } satisfies HeaderFile));
        return revision;
      }),
    );
  }

  async delete(sessionId: string): Promise<boolean> {
    assertSessionId(sessionId);
    return this.guard('delete', () =>
      this.locks.run(sessionId, async () => {
        const existed = (await readIfExists(join(this.folder(sessionId), HEADER_FILE))) !== null;
        // Rename first, so the session disappears in one step; then remove the files.
        const trash = join(this.root, `${TRASH_PREFIX}${crypto.randomUUID()}`);
        try {
          await rename(this.folder(sessionId), trash);
        } catch (error) {
          if (isErrno(error, 'ENOENT')) return false;
          throw error;
        }
        this.indexes.delete(sessionId);
        await rm(trash, { recursive: true, force: true });
        return existed;
      }),
    );
  }

  async exists(sessionId: string): Promise<boolean> {
    assertSessionId(sessionId);
    return this.guard('exists', async () => (await readIfExists(join(this.folder(sessionId), HEADER_FILE))) !== null);
  }

  /** Ids in sorted order; the cursor is the last id returned. */
  async list(prefix = '', options: ListOptions = {}): Promise<ListPage> {
    const limit = options.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit <= 0) throw new InvalidInput({ field: 'limit', reason: 'must be a positive integer' });
    return this.guard('list', async () => {
      let names: string[];
      try {
        names = await readdir(this.root);
      } catch (error) {
        if (isErrno(error, 'ENOENT')) return { ids: [], cursor: null };
        throw error;
      }
      const after = options.cursor ?? null;
      const ids = names
        .filter((n) => !n.startsWith(TRASH_PREFIX))
        .map((n) => decodeURIComponent(n))
        .filter((id) => id.startsWith(prefix) && (after === null || id > after))
        .sort();
      const page: string[] = [];
      for (const id of ids) {
        if (page.length === limit) return { ids: page, cursor: page[page.length - 1] ?? null };
        if ((await readIfExists(join(this.folder(id), HEADER_FILE))) !== null) page.push(id);
      }
      return { ids: page, cursor: null };
    });
  }

  async getStats(): Promise<StoreStats> {
    return { backend: this.backend, details: { directory: this.root } };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.indexes.clear();
  }
}

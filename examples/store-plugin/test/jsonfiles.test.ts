import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInput, Session, SessionEvent, StorageError } from '@chuk/models';
import { defineBlobStoreSuite, defineSessionStoreSuite } from '@chuk/models/testing';
import { JsonFilesBlobStore, JsonFilesSessionStore, encodeId } from '../src/index.js';

const directories: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chuk-jsonfiles-'));
  directories.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(directories.map((d) => rm(d, { recursive: true, force: true })));
});

defineSessionStoreSuite('jsonfiles', async () => {
  const directory = await tempDir();
  const store = new JsonFilesSessionStore({ directory });
  return {
    store,
    reopen: async () => new JsonFilesSessionStore({ directory }),
    corrupt: async (sessionId: string) => {
      await writeFile(join(directory, 'sessions', encodeId(sessionId), 'events.jsonl'), '{"id": 1}\nnot json\n');
    },
    cleanup: () => store.close(),
  };
});

defineBlobStoreSuite('jsonfiles', async () => {
  const directory = await tempDir();
  return { store: new JsonFilesBlobStore({ directory }), reopen: async () => new JsonFilesBlobStore({ directory }) };
});

describe('jsonfiles specifics', () => {
  it('lays a session out as header.json + events.jsonl, one line per event', async () => {
    const directory = await tempDir();
    const store = new JsonFilesSessionStore({ directory });
    await store.create(new Session({ id: 'a/b' }).toHeader());
    await store.append('a/b', [new SessionEvent({ id: 'e1', message: 'hi' }), new SessionEvent({ id: 'e2', message: 'yo' })]);
    const folder = join(directory, 'sessions', 'a%2Fb');
    const header = JSON.parse(await readFile(join(folder, 'header.json'), 'utf8')) as { revision: number; header: { id: string } };
    expect(header.revision).toBe(1);
    expect(header.header.id).toBe('a/b');
    const lines = (await readFile(join(folder, 'events.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['e1', 'e2']);
    expect(encodeId('..')).toBe('%2E.');
  });

  it('sees appends made by another instance (reloads its index when the file grew)', async () => {
    const directory = await tempDir();
    const a = new JsonFilesSessionStore({ directory });
    const b = new JsonFilesSessionStore({ directory });
    await a.create(new Session({ id: 's' }).toHeader());
    await a.append('s', [new SessionEvent({ id: 'x', message: 1 })]);
    await b.append('s', [new SessionEvent({ id: 'y', message: 2 })]);
    expect(await a.append('s', [new SessionEvent({ id: 'y', message: 2 })])).toEqual({ appended: 0, eventCount: 2 });
    expect((await a.getHeader('s'))?.eventCount).toBe(2);
  });

  it('corrupt header → StorageError; closed store refuses work; bad options rejected', async () => {
    const directory = await tempDir();
    const store = new JsonFilesSessionStore({ directory });
    await store.create(new Session({ id: 'c' }).toHeader());
    await writeFile(join(directory, 'sessions', 'c', 'header.json'), '{"header": {}}');
    await expect(store.getHeader('c')).rejects.toBeInstanceOf(StorageError);
    await writeFile(join(directory, 'sessions', 'c', 'header.json'), '{"revision": 1, "header": {"id": 5}}');
    await expect(store.get('c')).rejects.toBeInstanceOf(StorageError);
    await store.close();
    await expect(store.exists('c')).rejects.toBeInstanceOf(StorageError);
    expect(() => new JsonFilesSessionStore({ directory: '' })).toThrow(InvalidInput);
    expect(() => new JsonFilesBlobStore({ directory, clock: 'now' as never })).toThrow(InvalidInput);
    await expect(new JsonFilesSessionStore({ directory }).readEvents('c', { limit: -1 })).rejects.toBeInstanceOf(InvalidInput);
    await expect(new JsonFilesSessionStore({ directory }).append('c', [], { expectedCount: -1 })).rejects.toBeInstanceOf(InvalidInput);
  });

  it('an empty directory lists nothing; a file where the root should be is a StorageError', async () => {
    const directory = await tempDir();
    expect(await new JsonFilesSessionStore({ directory: join(directory, 'nope') }).list()).toEqual({ ids: [], cursor: null });
    expect(await new JsonFilesBlobStore({ directory: join(directory, 'nope') }).list()).toEqual([]);
    await writeFile(join(directory, 'file'), 'x');
    await expect(new JsonFilesSessionStore({ directory: join(directory, 'file') }).list()).rejects.toBeInstanceOf(StorageError);
    await expect(new JsonFilesBlobStore({ directory: join(directory, 'file') }).put('k', new Uint8Array(1))).rejects.toBeInstanceOf(StorageError);
    await expect(new JsonFilesBlobStore({ directory: join(directory, 'file') }).list()).rejects.toBeInstanceOf(StorageError);
    expect(await new JsonFilesSessionStore({ directory }).getStats()).toMatchObject({ backend: 'jsonfiles' });
  });
});

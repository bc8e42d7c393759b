import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryBlobStore, InvalidInput, StorageError, type BlobStore } from '@chuk/models';
import { defineBlobStoreSuite } from '@chuk/models/testing';
import { BlobTierStore, createInMemoryTierStore, makePage } from '../src/index.js';
import { FileSystemBlobStore } from '../src/fs/index.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'chuk-vm-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

defineBlobStoreSuite('FileSystemBlobStore', async () => {
  const dir = await tempDir();
  return { store: new FileSystemBlobStore({ rootDir: dir }), reopen: async () => new FileSystemBlobStore({ rootDir: dir }) };
});

describe('FileSystemBlobStore', () => {
  it('writes atomically (no temp files left), lists sorted and survives reopen', async () => {
    const dir = await tempDir();
    const s = new FileSystemBlobStore({ rootDir: dir, clock: () => new Date('2026-01-01T00:00:00Z') });
    await s.put('b/two.json', new TextEncoder().encode('2'), { contentType: 'application/json', metadata: { k: 'v' } });
    await s.put('a/one.json', new TextEncoder().encode('1'));
    expect(await readdir(join(dir, 'b'))).toEqual(['two.json', 'two.json.meta.json']);
    const reopened = new FileSystemBlobStore({ rootDir: dir });
    expect(await reopened.list()).toEqual(['a/one.json', 'b/two.json']);
    expect(await reopened.list('b/')).toEqual(['b/two.json']);
    expect(new TextDecoder().decode((await reopened.get('b/two.json')))).toBe('2');
    expect(await reopened.head('b/two.json')).toEqual({ key: 'b/two.json', size: 1, contentType: 'application/json', metadata: { k: 'v' }, updatedAt: '2026-01-01T00:00:00.000Z' });
    expect(reopened.backend).toBe('filesystem');
  });
  it('sanitises keys and handles missing files', async () => {
    const s = new FileSystemBlobStore({ rootDir: await tempDir() });
    await expect(s.put('../escape', new Uint8Array())).rejects.toThrow(InvalidInput);
    await expect(s.get('/abs')).rejects.toThrow(InvalidInput);
    await expect(s.put('x.meta.json', new Uint8Array())).rejects.toThrow(InvalidInput);
    await expect(s.put('ok', new Uint8Array(), { metadata: { BAD: 'x' } })).rejects.toThrow(InvalidInput);
    expect(await s.get('missing')).toBeNull();
    expect(await s.head('missing')).toBeNull();
    expect(await s.delete('missing')).toBe(false);
    expect(await new FileSystemBlobStore({ rootDir: join(await tempDir(), 'nope') }).list()).toEqual([]);
  });
  it('reads blobs written without a sidecar and wraps I/O errors in StorageError', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'raw'), 'abc');
    const s = new FileSystemBlobStore({ rootDir: dir });
    expect((await s.head('raw'))?.contentType).toBeNull();
    await mkdir(join(dir, 'adir'));
    await expect(s.get('adir')).rejects.toThrow(StorageError);
    await writeFile(join(dir, 'file'), 'x');
    await expect(s.put('file/child', new Uint8Array([1]))).rejects.toThrow(StorageError);
    await writeFile(join(dir, 'bad'), 'x');
    await writeFile(join(dir, 'bad.meta.json'), '{broken');
    await expect(s.head('bad')).rejects.toThrow(StorageError);
    await expect(new FileSystemBlobStore({ rootDir: join(dir, 'file') }).list()).rejects.toThrow(StorageError);
  });
});

describe('BlobTierStore', () => {
  const page = (id: string) => makePage({ pageId: id, modality: 'text', content: `content of ${id}`, storageTier: 'L2' });

  it('stores pages with unique tier-prefixed artifact ids, loads and deletes', async () => {
    let n = 0;
    const l3 = new InMemoryBlobStore();
    const l4 = new InMemoryBlobStore({ backend: 'cold' });
    const ts = new BlobTierStore({ sessionId: 'sess', l3, l4, idGenerator: () => `id${++n}` });
    const a = await ts.storePage(page('a'), 'L3');
    const b = await ts.storePage(page('a'), 'L4');
    expect(a).toBe('L3:vm/sess/pages/L3/a/id1.json');
    expect(b.startsWith('L4:')).toBe(true);
    expect(await l4.list()).toHaveLength(1);
    const loaded = await ts.loadPage(a);
    expect(loaded?.content).toBe('content of a');
    expect(loaded?.storageTier).toBe('L3');
    expect((await l3.head(a.slice(3)))?.metadata['page-id']).toBe('a');
    expect(await ts.deletePage(a)).toBe(true);
    expect(await ts.deletePage(a)).toBe(false);
    expect(await ts.loadPage(a)).toBeNull();
    expect(await ts.loadPage('bogus')).toBeNull();
    expect(await ts.deletePage('L9:x')).toBe(false);
    expect(ts.isPersistent).toBe(false);
    expect((await ts.getStats()).backend).toBe('memory+cold');
    expect(await ts.storePage(page('x'), 'L2')).toMatch(/^L3:/);
  });
  it('returns null (and logs) for a corrupt blob', async () => {
    const l3 = new InMemoryBlobStore();
    const warnings: object[] = [];
    const logger = { debug() {}, info() {}, warn: (o: object) => warnings.push(o), error() {} };
    const ts = new BlobTierStore({ sessionId: 's', l3, logger });
    await l3.put('vm/s/pages/L3/a/x.json', new TextEncoder().encode('{not json'));
    expect(await ts.loadPage('L3:vm/s/pages/L3/a/x.json')).toBeNull();
    expect(warnings).toHaveLength(1);
  });
  it('stores and loads checkpoints, referencing L3/L4 pages without copying', async () => {
    const l3 = new InMemoryBlobStore();
    const ts = new BlobTierStore({ sessionId: 's', l3, persistent: true, clock: () => new Date('2026-01-01T00:00:00Z') });
    const art = await ts.storePage(page('cold'), 'L3');
    const cold = makePage({ pageId: 'cold', modality: 'text', storageTier: 'L3', artifactId: art });
    const before = (await l3.list()).length;
    const id = await ts.storeCheckpoint([page('a'), cold], 'cp1', { hello: 'world' });
    expect((await l3.list()).length).toBe(before + 3);
    const manifest = await ts.loadCheckpointManifest(id);
    expect(manifest).toMatchObject({ name: 'cp1', page_count: 2, created_at: '2026-01-01T00:00:00.000Z', schema_version: 1 });
    expect(manifest?.pages[1]?.artifact_id).toBe(art);
    expect((await ts.loadCheckpoint(id)).map((p) => p.pageId)).toEqual(['a', 'cold']);
    expect(await ts.loadCheckpointState(id)).toEqual({ hello: 'world' });
    expect(await ts.listCheckpoints()).toEqual([id]);
    expect(await ts.loadCheckpoint('vm/s/checkpoints/missing.json')).toEqual([]);
    expect(await ts.loadCheckpointState('vm/s/checkpoints/missing.json')).toBeNull();
    const noState = await ts.storeCheckpoint([], 'empty');
    expect(await ts.loadCheckpointState(noState)).toBeNull();
    expect(ts.isPersistent).toBe(true);
    ts.setSessionId('other');
    expect(await ts.listCheckpoints()).toEqual([]);
  });
  it('throws StorageError for corrupt or newer checkpoint manifests and state', async () => {
    const l3 = new InMemoryBlobStore();
    const ts = new BlobTierStore({ sessionId: 's', l3 });
    await l3.put('cp/bad.json', new TextEncoder().encode('{"name": 1}'));
    await expect(ts.loadCheckpoint('cp/bad.json')).rejects.toThrow(StorageError);
    await l3.put('cp/new.json', new TextEncoder().encode(JSON.stringify({ schema_version: 9, name: 'n', created_at: 'x', page_count: 0, pages: [] })));
    await expect(ts.loadCheckpointManifest('cp/new.json')).rejects.toThrow(/schema_version 9/);
    await l3.put('cp/st.json', new TextEncoder().encode(JSON.stringify({ name: 'n', created_at: 'x', page_count: 0, pages: [], state_key: 'cp/st.state.json' })));
    await l3.put('cp/st.state.json', new TextEncoder().encode('{oops'));
    await expect(ts.loadCheckpointState('cp/st.json')).rejects.toThrow(StorageError);
    await l3.put('cp/gone.json', new TextEncoder().encode(JSON.stringify({ name: 'n', created_at: 'x', page_count: 0, pages: [], state_key: 'cp/none.json' })));
    expect(await ts.loadCheckpointState('cp/gone.json')).toBeNull();
  });
  it('wraps backend failures in StorageError and passes InvalidInput through', async () => {
    const failing: BlobStore = {
      backend: 'broken',
      put: async () => Promise.reject(new Error('down')),
      get: async () => Promise.reject(new StorageError({ operation: 'get', backend: 'broken' })),
      head: async () => null,
      delete: async () => Promise.reject(new InvalidInput({ field: 'key', reason: 'bad' })),
      list: async () => [],
    };
    const ts = new BlobTierStore({ sessionId: 's', l3: failing });
    await expect(ts.storePage(page('a'), 'L3')).rejects.toThrow(StorageError);
    await expect(ts.loadPage('L3:k')).rejects.toThrow(StorageError);
    await expect(ts.deletePage('L3:k')).rejects.toThrow(InvalidInput);
    expect(ts.isPersistent).toBe(true);
    expect(await ts.getStats()).toMatchObject({ backend: 'broken', pagesStored: 0, sessionId: 's' });
  });
  it('createInMemoryTierStore is not persistent', async () => {
    const ts = createInMemoryTierStore('s');
    expect(ts.isPersistent).toBe(false);
    await ts.storePage(page('a'), 'L3');
    expect((await ts.getStats()).pagesStored).toBe(1);
  });
});

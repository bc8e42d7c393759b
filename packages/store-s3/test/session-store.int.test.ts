import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  InvalidInput,
  SessionAlreadyExists,
  SessionNotFound,
  SessionVersionConflict,
  StorageError,
} from '@chuk/models';
import { S3SessionStore } from '../src/index.js';
import type { S3SessionStoreOptions } from '../src/index.js';
import { FakeClock, event, header, uniquePrefix } from './helpers/fixtures.js';
import { TEST_BUCKET, TestS3Server } from './helpers/s3-server.js';


let server: TestS3Server;
let raw: S3Client;
const stores: S3SessionStore[] = [];
beforeAll(async () => {
  server = await TestS3Server.start();
  raw = server.client();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  raw.destroy();
  await server.stop();
});

function plainStore(options: Partial<S3SessionStoreOptions> = {}): S3SessionStore {
  const store = new S3SessionStore({
    bucket: TEST_BUCKET,
    prefix: uniquePrefix('plain'),
    conditionalWrites: false,
    clientConfig: server.clientConfig(),
    ...options,
  });
  stores.push(store);
  return store;
}

async function keysUnder(prefix: string): Promise<string[]> {
  const out = await raw.send(new ListObjectsV2Command({ Bucket: TEST_BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((c) => c.Key!).sort();
}

describe('object layout (spec §14.2)', () => {
  it('header and one immutable event object per append, zero-padded positions, documented metadata', async () => {
    const clock = new FakeClock();
    const prefix = uniquePrefix('layout');
    const store = plainStore({ prefix, ttlSeconds: 60, clock: clock.now });
    await store.create(header('a/b', { user_id: 'üser' }));
    await store.append('a/b', [event('one', 'e1'), event('two', 'e2')]);
    const folder = `${prefix}sessions/a%2Fb/`;
    const firstEtag = (await raw.send(new HeadObjectCommand({ Bucket: TEST_BUCKET, Key: `${folder}events/000000000000.json` }))).ETag;
    await store.append('a/b', [event('three', 'e3')]);
    expect(await keysUnder(prefix)).toEqual([`${folder}events/000000000000.json`, `${folder}events/000000000002.json`, `${folder}header.json`]);
    const head = await raw.send(new HeadObjectCommand({ Bucket: TEST_BUCKET, Key: `${folder}header.json` }));
    expect(head.ContentType).toBe('application/json; charset=utf-8');
    expect(head.Metadata).toMatchObject({
      revision: '1',
      'schema-version': '1',
      'session-type': 'ai_session_manager',
      'user-id': encodeURIComponent('üser'),
      'expires-at': new Date(clock.now().getTime() + 60_000).toISOString(),
    });
    const body = JSON.parse(
      (await (await raw.send(new GetObjectCommand({ Bucket: TEST_BUCKET, Key: `${folder}header.json` }))).Body!.transformToString()),
    ) as Record<string, unknown>;
    expect(body).toMatchObject({ schema_version: 1, id: 'a/b', parent_id: null, child_ids: [] });
    const events = await raw.send(new GetObjectCommand({ Bucket: TEST_BUCKET, Key: `${folder}events/000000000000.json` }));
    expect(events.Metadata).toEqual({ count: '2' });
    expect(events.ETag).toBe(firstEtag);
    const parsed = JSON.parse(await events.Body!.transformToString()) as { id: string }[];
    expect(parsed.map((e) => e.id)).toEqual(['e1', 'e2']);
  });

  it('ids "." and ".." never form dot segments', async () => {
    const prefix = uniquePrefix('dots');
    const store = plainStore({ prefix });
    await store.create(header('.'));
    await store.create(header('..'));
    await store.create(header('.hidden'));
    expect(await keysUnder(`${prefix}sessions/%2E`)).toHaveLength(3);
    expect((await store.list('.')).ids.sort()).toEqual(['.', '..', '.hidden']);
    expect((await store.list('..')).ids).toEqual(['..']);
    expect(await store.exists('..')).toBe(true);
  });
});

describe('operations on an S3 server without conditional writes', () => {
  it('reports honest capabilities', () => {
    expect(plainStore().capabilities).toEqual({ ttl: false, atomicAppend: false, atomicHeaderCas: false, listing: true });
    expect(plainStore({ ttlSeconds: 5, conditionalWrites: true }).capabilities).toEqual({
      ttl: true,
      atomicAppend: true,
      atomicHeaderCas: true,
      listing: true,
    });
  });

  it('create / get / delete / recreate, contract errors', async () => {
    const store = plainStore();
    expect(await store.create(header('s1'))).toBe(1);
    await expect(store.create(header('s1'))).rejects.toBeInstanceOf(SessionAlreadyExists);
    await expect(store.append('none', [event('x')])).rejects.toBeInstanceOf(SessionNotFound);
    await expect(store.updateHeader(header('none'), { expectedRevision: 1 })).rejects.toBeInstanceOf(SessionNotFound);
    expect(await store.get('none')).toBeNull();
    expect(await store.getHeader('none')).toBeNull();
    expect(await store.readEvents('none')).toBeNull();
    expect(await store.delete('none')).toBe(false);
    await store.append('s1', [event('a', 'a1')]);
    expect(await store.delete('s1')).toBe(true);
    expect(await store.get('s1')).toBeNull();
    await store.create(header('s1'));
    expect((await store.get('s1'))?.events).toEqual([]);
    expect((await store.getHeader('s1'))?.eventCount).toBe(0);
  });

  it('idempotent by event id, expectedCount compare-and-set, readEvents across objects', async () => {
    const store = plainStore();
    await store.create(header('i1'));
    const batch = [event('a', 'i-a', 3), event('b', 'i-b', 4)];
    expect(await store.append('i1', batch)).toEqual({ appended: 2, eventCount: 2 });
    expect(await store.append('i1', batch)).toEqual({ appended: 0, eventCount: 2 });
    expect(await store.append('i1', [batch[0]!, event('c', 'i-c'), event('c', 'i-c')])).toEqual({ appended: 1, eventCount: 3 });
    const conflict = await store.append('i1', [event('d', 'i-d')], { expectedCount: 1 }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(SessionVersionConflict);
    expect(conflict).toMatchObject({ kind: 'eventCount', expected: 1, actual: 3 });
    expect(await store.append('i1', batch, { expectedCount: 0 })).toEqual({ appended: 0, eventCount: 3 });
    expect(await store.append('i1', [event('d', 'i-d')], { expectedCount: 3 })).toEqual({ appended: 1, eventCount: 4 });
    const session = await store.get('i1');
    expect(session?.events.map((e) => e.id)).toEqual(['i-a', 'i-b', 'i-c', 'i-d']);
    expect(session?.totalTokens).toBe(3 + 1 + 4 + 1);
    for (let from = 0; from <= 5; from++) {
      for (const limit of [1, 2, 3, 10]) {
        const page = await store.readEvents('i1', { from, limit });
        expect(page?.map((e) => e.id)).toEqual(['i-a', 'i-b', 'i-c', 'i-d'].slice(from, from + limit));
      }
    }
    expect(await store.readEvents('i1', { limit: 0 })).toEqual([]);
    await expect(store.readEvents('i1', { from: -1 })).rejects.toBeInstanceOf(InvalidInput);
    // a fresh instance (no in-process hint) finds the end and the recent ids from the bucket
    const other = plainStore({ prefix: store.options.prefix });
    expect(await other.append('i1', [batch[1]!, event('e', 'i-e')])).toEqual({ appended: 1, eventCount: 5 });
    expect((await other.getHeader('i1'))?.eventCount).toBe(5);
  });

  it('concurrent appends through one instance all land, in order (per-session lock)', async () => {
    const store = plainStore();
    await store.create(header('c1'));
    const a = Array.from({ length: 20 }, (_, i) => event(`a${i}`, `ca-${i}`));
    const b = Array.from({ length: 20 }, (_, i) => event(`b${i}`, `cb-${i}`));
    await Promise.all([...a.map((e) => store.append('c1', [e])), ...b.map((e) => store.append('c1', [e]))]);
    const ids = (await store.get('c1'))!.events.map((e) => e.id);
    expect(ids).toHaveLength(40);
    expect(ids.filter((id) => id.startsWith('ca-'))).toEqual(a.map((e) => e.id));
    expect(ids.filter((id) => id.startsWith('cb-'))).toEqual(b.map((e) => e.id));
  });

  it('updateHeader compare-and-set; append leaves the revision alone', async () => {
    const store = plainStore();
    await store.create(header('h1', { user_id: 'u1' }));
    const h = (await store.getHeader('h1'))!;
    h.state = { step: 2 };
    expect(await store.updateHeader(h, { expectedRevision: 1 })).toBe(2);
    await store.append('h1', [event('x')]);
    const back = (await store.getHeader('h1'))!;
    expect(back.revision).toBe(2);
    expect(back.state).toEqual({ step: 2 });
    expect(back.eventCount).toBe(1);
    await expect(store.updateHeader(h, { expectedRevision: 1 })).rejects.toMatchObject({ kind: 'revision', expected: 1, actual: 2 });
    await expect(store.updateHeader(h, { expectedRevision: -2 })).rejects.toBeInstanceOf(InvalidInput);
  });

  it('a recreated session is not mistaken for the old one by another instance', async () => {
    const a = plainStore();
    const b = plainStore({ prefix: a.options.prefix });
    await a.create(header('g1'));
    await a.append('g1', [event('1', 'g-1'), event('2', 'g-2')]);
    expect((await b.getHeader('g1'))?.eventCount).toBe(2);
    await a.delete('g1');
    await a.create(header('g1'));
    expect(await b.append('g1', [event('1', 'g-1')])).toEqual({ appended: 1, eventCount: 1 });
    expect((await a.get('g1'))?.events.map((e) => e.id)).toEqual(['g-1']);
  });

  it('leftovers of an interrupted delete never reappear', async () => {
    const store = plainStore();
    await store.create(header('l1'));
    await store.append('l1', [event('x', 'lx')]);
    await store.delete('l1');
    await raw.send(
      new PutObjectCommand({ Bucket: TEST_BUCKET, Key: `${store.options.prefix}sessions/l1/events/000000000000.json`, Body: '[]' }),
    );
    await store.create(header('l1'));
    expect(await keysUnder(`${store.options.prefix}sessions/l1/`)).toEqual([`${store.options.prefix}sessions/l1/header.json`]);
  });
});

describe('listing', () => {
  it('pages with continuation tokens and prefixes, ids with special characters', async () => {
    const store = plainStore();
    const ids = [...Array.from({ length: 23 }, (_, i) => `p-${String(i).padStart(2, '0')}`), 'q*1', 'q?2', 'q[3]', 'q/4', 'qü5'];
    for (const id of ids) await store.create(header(id));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { ids: string[]; cursor: string | null } = await store.list('', { cursor, limit: 7 });
      expect(page.ids.length).toBeLessThanOrEqual(7);
      seen.push(...page.ids);
      cursor = page.cursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBeGreaterThanOrEqual(4);
    expect(new Set(seen)).toEqual(new Set(ids));
    expect((await store.list('p-1')).ids.sort()).toEqual(['p-10', 'p-11', 'p-12', 'p-13', 'p-14', 'p-15', 'p-16', 'p-17', 'p-18', 'p-19']);
    expect((await store.list('q*')).ids).toEqual(['q*1']);
    expect((await store.list('q/')).ids).toEqual(['q/4']);
    expect((await store.list('qü')).ids).toEqual(['qü5']);
    await expect(store.list('', { limit: 0 })).rejects.toBeInstanceOf(InvalidInput);
    await expect(store.list('\ud800')).rejects.toBeInstanceOf(InvalidInput);
  });
});

describe('TTL (fake clock, expires-at metadata)', () => {
  it('expires, slides on append and updateHeader, extendTtl adds time', async () => {
    const clock = new FakeClock();
    const store = plainStore({ ttlSeconds: 10, clock: clock.now });
    await store.create(header('t1'));
    clock.advance(8_000);
    await store.append('t1', [event('x')]);
    clock.advance(8_000);
    expect(await store.exists('t1')).toBe(true);
    await store.updateHeader((await store.getHeader('t1'))!, { expectedRevision: 1 });
    clock.advance(8_000);
    expect(await store.extendTtl('t1', 10)).toBe(true);
    clock.advance(8_000);
    expect(await store.exists('t1')).toBe(true);
    clock.advance(5_000);
    expect(await store.exists('t1')).toBe(false);
    await expect(store.append('t1', [event('y')])).rejects.toBeInstanceOf(SessionNotFound);
    expect(await store.extendTtl('t1', 10)).toBe(false);
    expect(await store.get('t1')).toBeNull(); // also deletes it in the background
    await store.close();
    expect(await keysUnder(`${store.options.prefix}sessions/t1/`)).toEqual([]);
  });

  it('expired but uncollected sessions may still be listed; create replaces them', async () => {
    const clock = new FakeClock();
    const store = plainStore({ ttlSeconds: 1, clock: clock.now });
    await store.create(header('t2'));
    await store.append('t2', [event('old')]);
    clock.advance(2_000);
    expect((await store.list('t2')).ids).toEqual(['t2']);
    expect(await store.delete('t2')).toBe(false);
    await store.create(header('t2'));
    await store.create(header('t3'));
    clock.advance(2_000);
    expect(await store.create(header('t3'))).toBe(1);
    expect((await store.get('t3'))?.events).toEqual([]);
    expect(await plainStore().extendTtl('t3', 5)).toBe(false);
    await expect(store.extendTtl('t3', -1)).rejects.toBeInstanceOf(InvalidInput);
  });
});

describe('corrupt data', () => {
  it('get / getHeader / readEvents throw StorageError, not null', async () => {
    const store = plainStore();
    const root = `${store.options.prefix}sessions/`;
    await raw.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: `${root}bad1/header.json`, Body: '{oops', Metadata: { revision: '1' } }));
    await expect(store.get('bad1')).rejects.toMatchObject({ name: 'StorageError', operation: 'get', backend: 's3' });
    await expect(store.getHeader('bad1')).rejects.toMatchObject({ name: 'StorageError', operation: 'getHeader' });
    await store.create(header('bad2'));
    await raw.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: `${root}bad2/events/000000000000.json`, Body: '{"not":"an array"}' }));
    await expect(store.get('bad2')).rejects.toBeInstanceOf(StorageError);
    await expect(store.readEvents('bad2')).rejects.toBeInstanceOf(StorageError);
    await raw.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: `${root}bad3/header.json`, Body: '{"id":"bad3"}', Metadata: { revision: 'x' } }));
    await expect(store.get('bad3')).rejects.toBeInstanceOf(StorageError);
    await store.create(header('bad4'));
    await raw.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: `${root}bad4/events/000000000000.json`, Body: '[{"id":7}]' }));
    await expect(store.append('bad4', [event('x')])).rejects.toBeInstanceOf(StorageError);
  });
});

describe('faults and lifecycle', () => {
  it('an unreachable endpoint gives StorageError within bounded time', { timeout: 30_000 }, async () => {
    const store = new S3SessionStore({
      bucket: TEST_BUCKET,
      conditionalWrites: false,
      clientConfig: { ...server.clientConfig(), endpoint: 'http://127.0.0.1:9' },
    });
    const error = await store.get('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ operation: 'get', backend: 's3' });
    expect((error as StorageError).cause).toBeDefined();
    await expect(store.append('x', [event('a')])).rejects.toMatchObject({ operation: 'append' });
    await store.close();
  });

  it('a missing bucket is a StorageError, not "not found"', async () => {
    const store = new S3SessionStore({ bucket: 'no-such-bucket', clientConfig: server.clientConfig() });
    await expect(store.get('x')).rejects.toBeInstanceOf(StorageError);
    await store.close();
  });

  it('injected clients are not destroyed; a closed store refuses work; options are validated', async () => {
    const client = server.client();
    const prefix = uniquePrefix('life');
    const store = new S3SessionStore({ bucket: TEST_BUCKET, client, prefix, conditionalWrites: false });
    await store.create(header('x'));
    await store.close();
    await store.close();
    await expect(store.get('x')).rejects.toBeInstanceOf(StorageError);
    expect((await client.send(new HeadObjectCommand({ Bucket: TEST_BUCKET, Key: `${prefix}sessions/x/header.json` }))).ETag).toBeDefined();
    client.destroy();
    expect(() => new S3SessionStore({ bucket: '' })).toThrow(InvalidInput);
    expect(() => new S3SessionStore({ bucket: 'b', ttlSeconds: 0 })).toThrow(InvalidInput);
    const top = new S3SessionStore({ bucket: 'b', region: 'eu-west-1', endpoint: 'http://127.0.0.1:1', forcePathStyle: true });
    expect(await top.client.config.region()).toBe('eu-west-1');
    expect(top.client.config.forcePathStyle).toBe(true);
    expect(await top.getStats()).toEqual({ backend: 's3', details: { bucket: 'b', prefix: 'chuk/', ttlSeconds: null, conditionalWrites: true } });
    await top.close();
  });

  it('rejects ids and events that are not valid', async () => {
    const store = plainStore();
    await expect(store.get('has space')).rejects.toBeInstanceOf(InvalidInput);
    await store.create(header('v1'));
    await expect(store.append('v1', [{ id: 'x' } as never])).rejects.toBeInstanceOf(InvalidInput);
    await expect(store.append('v1', [event('x')], { expectedCount: -1 })).rejects.toBeInstanceOf(InvalidInput);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const h = (await store.getHeader('v1'))!;
    h.state = cyclic;
    await expect(store.updateHeader(h, { expectedRevision: 1 })).rejects.toBeInstanceOf(InvalidInput);
    const bad = event('x');
    (bad as { message: unknown }).message = { n: 1n };
    await expect(store.append('v1', [bad])).rejects.toBeInstanceOf(InvalidInput);
  });
});

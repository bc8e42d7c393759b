import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { InvalidInput, StorageError } from '@chuk/models';
import { S3BlobStore } from '../src/index.js';
import type { S3BlobStoreOptions } from '../src/index.js';
import { ConditionalWriteHandler } from './helpers/conditional-handler.js';
import { uniquePrefix } from './helpers/fixtures.js';
import { SDK_ATTEMPTS, TEST_BUCKET, TestS3Server } from './helpers/s3-server.js';


const MiB = 1024 * 1024;
let server: TestS3Server;
let handler: ConditionalWriteHandler;
const stores: S3BlobStore[] = [];
beforeAll(async () => {
  server = await TestS3Server.start();
  handler = new ConditionalWriteHandler(TEST_BUCKET, server.clientConfig());
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  handler.destroy();
  await server.stop();
});

function blobStore(options: Partial<S3BlobStoreOptions> = {}): S3BlobStore {
  const store = new S3BlobStore({
    bucket: TEST_BUCKET,
    prefix: uniquePrefix('blob'),
    clientConfig: server.clientConfig({ requestHandler: handler as never }),
    ...options,
  });
  stores.push(store);
  return store;
}

function pattern(size: number): Uint8Array {
  return new Uint8Array(size).map((_, i) => (i * 31 + 7) % 256);
}

function same(a: Uint8Array | null, b: Uint8Array): boolean {
  return a !== null && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

describe('S3BlobStore', () => {
  it('put/get byte-exact (0 bytes, 5 MiB single PUT), copies on get, overwrite, head, list, delete', async () => {
    const store = blobStore();
    const five = pattern(5 * MiB);
    await store.put('a/five', five, { contentType: 'application/octet-stream', metadata: { title: 'Grüße ✓', v: '1' } });
    const back = await store.get('a/five');
    expect(same(back, five)).toBe(true);
    back![0] = 1;
    expect((await store.get('a/five'))![0]).toBe(five[0]);
    await store.put('a/zero', new Uint8Array(0));
    expect(await store.get('a/zero')).toEqual(new Uint8Array(0));
    await store.put('a/zero', new Uint8Array([1, 2]));
    expect(await store.get('a/zero')).toEqual(new Uint8Array([1, 2]));
    const info = await store.head('a/five');
    expect(info).toMatchObject({ key: 'a/five', size: 5 * MiB, contentType: 'application/octet-stream', metadata: { title: 'Grüße ✓', v: '1' } });
    expect(Number.isNaN(Date.parse(info!.updatedAt))).toBe(false);
    await store.put('b/one', new Uint8Array([1]));
    expect((await store.list('a/')).sort()).toEqual(['a/five', 'a/zero']);
    expect((await store.list()).sort()).toEqual(['a/five', 'a/zero', 'b/one']);
    expect(await store.delete('b/one')).toBe(true);
    expect(await store.delete('b/one')).toBe(false);
    expect(await store.get('b/one')).toBeNull();
    expect(await store.head('b/one')).toBeNull();
    expect(await store.deleteMany(['a/five', 'a/zero'])).toBe(2);
    expect(await store.list()).toEqual([]);
    expect(await store.deleteMany([])).toBe(0);
  });

  it('large blobs go up as multipart uploads', async () => {
    const store = blobStore({ multipartThresholdBytes: 6 * MiB, partSizeBytes: 5 * MiB });
    const big = pattern(13 * MiB);
    const start = handler.log.length;
    await store.put('big/one', big, { metadata: { part: 'yes' } });
    const requests = handler.log.slice(start);
    expect(requests.filter((r) => r.startsWith('POST') && r.includes('uploads'))).toHaveLength(1);
    expect(requests.filter((r) => r.startsWith('PUT') && r.includes('partNumber'))).toHaveLength(3);
    expect(requests.filter((r) => r.startsWith('POST') && r.includes('uploadId'))).toHaveLength(1);
    expect(same(await store.get('big/one'), big)).toBe(true);
    expect((await store.head('big/one'))?.metadata).toEqual({ part: 'yes' });
  });

  it('a failed part aborts the multipart upload and surfaces a StorageError', async () => {
    const prefix = uniquePrefix('abort');
    const store = blobStore({ prefix, multipartThresholdBytes: 6 * MiB, partSizeBytes: 5 * MiB, concurrency: 1 });
    handler.failNext({ method: 'PUT', keyIncludes: `${prefix}blobs/broken`, status: 500, code: 'InternalError' }, SDK_ATTEMPTS);
    const start = handler.log.length;
    const error = await store.put('broken', pattern(11 * MiB)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ operation: 'put', backend: 's3' });
    expect(handler.log.slice(start).some((r) => r.startsWith('DELETE') && r.includes('uploadId'))).toBe(true);
    expect(await store.get('broken')).toBeNull();
    const raw = new S3Client(server.clientConfig());
    const uploads = await raw.send(new ListMultipartUploadsCommand({ Bucket: TEST_BUCKET, Prefix: `${prefix}blobs/` })).catch(() => null);
    if (uploads !== null) expect(uploads.Uploads ?? []).toEqual([]);
    raw.destroy();
  });

  it('an abort that fails too is logged and the first error is kept', async () => {
    const prefix = uniquePrefix('abort2');
    const warnings: object[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (o: object) => warnings.push(o), error: () => undefined };
    const store = blobStore({ prefix, multipartThresholdBytes: 6 * MiB, partSizeBytes: 5 * MiB, concurrency: 1, logger });
    handler.failNext({ method: 'PUT', keyIncludes: `${prefix}blobs/x`, status: 500, code: 'InternalError' }, SDK_ATTEMPTS);
    handler.failNext({ method: 'DELETE', keyIncludes: `${prefix}blobs/x`, status: 500, code: 'InternalError' }, SDK_ATTEMPTS);
    await expect(store.put('x', pattern(7 * MiB))).rejects.toBeInstanceOf(StorageError);
    expect(warnings).toHaveLength(1);
  });

  it('deleteMany falls back to single deletes when the batch call fails on the server', async () => {
    const prefix = uniquePrefix('many');
    const store = blobStore({ prefix });
    for (const k of ['d/1', 'd/2', 'd/3']) await store.put(k, new Uint8Array([1]));
    handler.failNext({ method: 'POST', keyIncludes: '', status: 500, code: 'InternalError' }, SDK_ATTEMPTS);
    expect(await store.deleteMany(['d/1', 'd/2', 'd/3'])).toBe(3);
    expect(await store.list('d/')).toEqual([]);
    handler.failNext({ method: 'POST', keyIncludes: '', status: 403, code: 'AccessDenied' });
    await expect(store.deleteMany(['d/1'])).rejects.toMatchObject({ name: 'StorageError', operation: 'deleteMany' });
  });

  it('rejects invalid keys, metadata and data with InvalidInput on every method', async () => {
    const store = blobStore();
    for (const key of ['', '/lead', 'a//b', 'a/./b', 'a/../b', 'b\\s', 'c\u0001', 'x'.repeat(1025)]) {
      await expect(store.put(key, new Uint8Array(1))).rejects.toBeInstanceOf(InvalidInput);
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidInput);
      await expect(store.head(key)).rejects.toBeInstanceOf(InvalidInput);
      await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidInput);
    }
    await expect(store.deleteMany(['ok', '../no'])).rejects.toBeInstanceOf(InvalidInput);
    await expect(store.put('k', new Uint8Array(1), { metadata: { UPPER: 'x' } })).rejects.toBeInstanceOf(InvalidInput);
    await expect(store.put('k', new Uint8Array(1), { metadata: { ok: 5 as never } })).rejects.toBeInstanceOf(InvalidInput);
    await expect(store.put('k', [1, 2] as never)).rejects.toBeInstanceOf(InvalidInput);
    expect(() => new S3BlobStore({ bucket: 'b', partSizeBytes: 1024 })).toThrow(InvalidInput);
  });

  it('storage class is sent; server errors and a closed store are StorageErrors', async () => {
    const store = blobStore({ storageClass: 'STANDARD' });
    await store.put('sc', new Uint8Array([1]));
    expect(await store.get('sc')).toEqual(new Uint8Array([1]));
    const down = new S3BlobStore({ bucket: TEST_BUCKET, clientConfig: { ...server.clientConfig(), endpoint: 'http://127.0.0.1:9' } });
    for (const run of [() => down.get('k'), () => down.head('k'), () => down.delete('k'), () => down.list(), () => down.put('k', new Uint8Array(1))]) {
      await expect(run()).rejects.toBeInstanceOf(StorageError);
    }
    await down.close();
    await down.close();
    await expect(down.get('k')).rejects.toMatchObject({ name: 'StorageError', operation: 'get' });
  });
});

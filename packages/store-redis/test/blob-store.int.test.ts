import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInput, StorageError } from '@chuk/models';
import { RedisBlobStore, blobKey } from '../src/index.js';
import { SHARED_REDIS_URL, deleteKeys, uniquePrefix } from './helpers/fixtures.js';

const prefix = uniquePrefix('blob');
const raw = new Redis(SHARED_REDIS_URL, { lazyConnect: true });
const store = new RedisBlobStore({ url: SHARED_REDIS_URL, keyPrefix: prefix, clock: () => new Date('2031-01-01T00:00:00.000Z') });
afterAll(async () => {
  await store.close();
  raw.disconnect();
  await deleteKeys(SHARED_REDIS_URL, prefix);
});

describe('RedisBlobStore', () => {
  it('round-trips bytes exactly (empty and 5 MiB), copies on get, overwrites', async () => {
    const big = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 7) % 256);
    await store.put('a/big.bin', big, { contentType: 'application/octet-stream' });
    const back = await store.get('a/big.bin');
    expect(back).toBeInstanceOf(Uint8Array);
    expect(Buffer.compare(Buffer.from(back!), Buffer.from(big))).toBe(0);
    back![0] = 255;
    expect((await store.get('a/big.bin'))![0]).toBe(0);
    await store.put('a/empty', new Uint8Array(0));
    expect(await store.get('a/empty')).toEqual(new Uint8Array(0));
    const view = new Uint8Array([9, 1, 2, 3, 9]).subarray(1, 4);
    await store.put('a/empty', view);
    expect(await store.get('a/empty')).toEqual(new Uint8Array([1, 2, 3]));
    expect(await store.head('a/empty')).toEqual({ key: 'a/empty', size: 3, contentType: null, metadata: {}, updatedAt: '2031-01-01T00:00:00.000Z' });
  });

  it('keeps metadata (non-ASCII too) and content type; lists by prefix; deletes', async () => {
    await store.put('m/x', new Uint8Array([1]), { contentType: 'text/plain', metadata: { title: 'Ünïcödé ✓', n: '1' } });
    await store.put('m/y', new Uint8Array([2]));
    await store.put('n*/z', new Uint8Array([3]));
    expect(await store.head('m/x')).toMatchObject({ size: 1, contentType: 'text/plain', metadata: { title: 'Ünïcödé ✓', n: '1' } });
    expect((await store.list('m/')).sort()).toEqual(['m/x', 'm/y']);
    expect(await store.list('n*')).toEqual(['n*/z']);
    expect((await store.list()).length).toBeGreaterThanOrEqual(5);
    expect(await store.delete('m/x')).toBe(true);
    expect(await store.delete('m/x')).toBe(false);
    expect(await store.get('m/x')).toBeNull();
    expect(await store.head('m/x')).toBeNull();
    expect(await raw.exists(blobKey(prefix, 'm/y'))).toBe(1);
  });

  it('rejects invalid keys and metadata with InvalidInput', async () => {
    for (const key of ['', '/abs', 'a//b', 'a/../b', 'back\\slash', 'nul\u0000']) {
      await expect(store.put(key, new Uint8Array(1))).rejects.toBeInstanceOf(InvalidInput);
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidInput);
    }
    await expect(store.put('k', new Uint8Array(1), { metadata: { Bad: 'x' } })).rejects.toBeInstanceOf(InvalidInput);
    await expect(store.put('k', 'text' as never)).rejects.toBeInstanceOf(InvalidInput);
  });

  it('applies the TTL on put; corrupt metadata is a StorageError', async () => {
    const ttl = new RedisBlobStore({ url: SHARED_REDIS_URL, keyPrefix: prefix, ttlSeconds: 60 });
    await ttl.put('t/1', new Uint8Array([1]));
    expect(await raw.pttl(blobKey(prefix, 't/1'))).toBeGreaterThan(50_000);
    await raw.hset(blobKey(prefix, 't/2'), { size: '1', metadata: '[1]' });
    await expect(ttl.head('t/2')).rejects.toBeInstanceOf(StorageError);
    await raw.hset(blobKey(prefix, 't/3'), { size: '1', metadata: '{"a":"b","n":1}' });
    expect((await ttl.head('t/3'))?.metadata).toEqual({ a: 'b' });
    await raw.set(blobKey(prefix, 't/4'), 'string');
    await expect(ttl.put('t/4', new Uint8Array(1), {})).resolves.toBeUndefined();
    await ttl.close();
    await expect(ttl.get('t/1')).rejects.toBeInstanceOf(StorageError);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInput } from '../errors/errors.js';
import type { BlobStore } from '../store/blob.js';
import { BlobInfoSchema, isBlobStore } from '../store/blob.js';
import { equalBytes, req, uniqueId } from './fixtures.js';

export interface BlobStoreHarness {
  store: BlobStore;
  /** A second store instance on the same backing data. */
  reopen?: () => Promise<BlobStore>;
  cleanup?: () => Promise<void>;
}

const LARGE_BYTES = 5 * 1024 * 1024;
const INVALID_KEYS = ['', '/leading', 'back\\slash', 'a//b', 'a/./b', 'a/../b', 'nul\u0000char', 'trailing/', 'k'.repeat(1025)];

function bytes(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** The `BlobStore` conformance cases of spec M §11.4 / §15 as a vitest suite. */
export function defineBlobStoreSuite(name: string, factory: () => Promise<BlobStoreHarness>): void {
  describe(`BlobStore conformance: ${name}`, () => {
    let h: BlobStoreHarness;
    let store: BlobStore;
    beforeEach(async () => {
      h = await factory();
      store = h.store;
    });
    afterEach(async () => {
      await h.cleanup?.();
    });

    it('has the contract shape', () => {
      expect(isBlobStore(store)).toBe(true);
      expect(typeof store.backend).toBe('string');
    });

    it('put/get are byte-exact, including empty and 5 MiB payloads, and copy', async () => {
      const base = uniqueId('blob');
      const small = bytes(1000);
      await store.put(`${base}/small.bin`, small);
      small[0] = (small[0] ?? 0) ^ 0xff;
      const got = await store.get(`${base}/small.bin`);
      expect(equalBytes(got, bytes(1000))).toBe(true);
      const copy = req(got);
      copy[1] = (copy[1] ?? 0) ^ 0xff;
      expect(equalBytes(await store.get(`${base}/small.bin`), bytes(1000))).toBe(true);
      await store.put(`${base}/empty`, new Uint8Array(0));
      expect((await store.get(`${base}/empty`))?.byteLength).toBe(0);
      const large = bytes(LARGE_BYTES, 3);
      await store.put(`${base}/large`, large);
      expect(equalBytes(await store.get(`${base}/large`), large)).toBe(true);
      expect((await store.head(`${base}/large`))?.size).toBe(LARGE_BYTES);
    });

    it('overwrite, head metadata, missing keys, delete', async () => {
      const key = `${uniqueId('meta')}/doc.json`;
      expect(await store.get(key)).toBeNull();
      expect(await store.head(key)).toBeNull();
      expect(await store.delete(key)).toBe(false);
      await store.put(key, bytes(10), { contentType: 'text/plain', metadata: { a: '1' } });
      await store.put(key, bytes(20), { contentType: 'application/json', metadata: { title: 'Grüße 日本', 'x-id': '42' } });
      const info = await store.head(key);
      expect(BlobInfoSchema.safeParse(info).success).toBe(true);
      expect(info).toMatchObject({ key, size: 20, contentType: 'application/json', metadata: { title: 'Grüße 日本', 'x-id': '42' } });
      expect(Number.isNaN(Date.parse(info?.updatedAt ?? ''))).toBe(false);
      expect(await store.get(key)).toEqual(bytes(20));
      expect(await store.delete(key)).toBe(true);
      expect(await store.get(key)).toBeNull();
    });

    it('list by prefix', async () => {
      const base = uniqueId('ls');
      const keys = [`${base}/a/1`, `${base}/a/2`, `${base}/b/1`];
      for (const k of keys) await store.put(k, bytes(3));
      expect((await store.list(`${base}/`)).sort()).toEqual(keys);
      expect((await store.list(`${base}/a/`)).sort()).toEqual(keys.slice(0, 2));
      expect(await store.list(`${uniqueId('none')}/`)).toEqual([]);
      expect(await store.list()).toEqual(expect.arrayContaining(keys));
    });

    it('invalid keys → InvalidInput on every method', async () => {
      for (const key of INVALID_KEYS) {
        await expect(store.put(key, bytes(1))).rejects.toBeInstanceOf(InvalidInput);
        await expect(store.get(key)).rejects.toBeInstanceOf(InvalidInput);
        await expect(store.head(key)).rejects.toBeInstanceOf(InvalidInput);
        await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidInput);
      }
      await expect(store.put(`${uniqueId('k')}/x`, bytes(1), { metadata: { 'Bad Key': 'v' } })).rejects.toBeInstanceOf(InvalidInput);
    });

    it('round trip through a second store instance', async (ctx) => {
      if (h.reopen === undefined) ctx.skip();
      const key = `${uniqueId('reopen')}/x`;
      await store.put(key, bytes(64), { metadata: { k: 'v' } });
      const second = await req(h.reopen)();
      expect(await second.get(key)).toEqual(bytes(64));
      expect((await second.head(key))?.metadata).toEqual({ k: 'v' });
      await second.close?.();
    });
  });
}

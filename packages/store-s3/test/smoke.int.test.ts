import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Load the SDK's CommonJS build (see test/helpers/s3-server.ts).
vi.mock('@aws-sdk/client-s3', async () => (await import('./helpers/sdk-cjs.js')).default);
import { Session, SessionEvent } from '@chuk/models';
import { S3BlobStore, S3SessionStore } from '../src/index.js';
import { TEST_BUCKET, TestS3Server } from './helpers/s3-server.js';

let server: TestS3Server;
beforeAll(async () => {
  server = await TestS3Server.start();
});
afterAll(async () => {
  await server.stop();
});

describe('smoke', () => {
  it('session', async () => {
    const store = new S3SessionStore({ bucket: TEST_BUCKET, clientConfig: server.clientConfig(), conditionalWrites: false, ttlSeconds: 60 });
    const h = new Session({ id: 'a/b.c', properties: { user_id: 'ü' } }).toHeader();
    expect(await store.create(h)).toBe(1);
    const e1 = new SessionEvent({ id: 'x1', message: 'hi' });
    expect(await store.append('a/b.c', [e1])).toEqual({ appended: 1, eventCount: 1 });
    expect(await store.append('a/b.c', [e1, new SessionEvent({ id: 'x2', message: 'yo' })])).toEqual({ appended: 1, eventCount: 2 });
    const s = await store.get('a/b.c');
    expect(s?.events.map((e) => e.id)).toEqual(['x1', 'x2']);
    const hh = await store.getHeader('a/b.c');
    expect(hh?.eventCount).toBe(2);
    expect(await store.updateHeader(hh!, { expectedRevision: 1 })).toBe(2);
    expect((await store.list('')).ids).toEqual(['a/b.c']);
    expect(await store.readEvents('a/b.c', { from: 1 })).toHaveLength(1);
    expect(await store.extendTtl('a/b.c', 10)).toBe(true);
    expect(await store.delete('a/b.c')).toBe(true);
    expect(await store.get('a/b.c')).toBeNull();
    await store.close();
  });
  it('blob', async () => {
    const store = new S3BlobStore({ bucket: TEST_BUCKET, clientConfig: server.clientConfig(), multipartThresholdBytes: 6 * 1024 * 1024, partSizeBytes: 5 * 1024 * 1024 });
    const big = new Uint8Array(12 * 1024 * 1024).map((_, i) => i % 251);
    await store.put('x/big', big, { metadata: { note: 'héllo' }, contentType: 'application/octet-stream' });
    const back = await store.get('x/big');
    expect(back?.byteLength).toBe(big.byteLength);
    expect(Buffer.from(back!).equals(Buffer.from(big))).toBe(true);
    expect((await store.head('x/big'))?.metadata).toEqual({ note: 'héllo' });
    await store.put('x/empty', new Uint8Array(0));
    expect((await store.get('x/empty'))?.byteLength).toBe(0);
    expect((await store.list('x/')).sort()).toEqual(['x/big', 'x/empty']);
    expect(await store.deleteMany(['x/big', 'x/empty'])).toBe(2);
    await store.close();
  });
});

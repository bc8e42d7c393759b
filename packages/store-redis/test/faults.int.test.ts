import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError, appendWithRetry } from '@chuk/models';
import { RedisBlobStore, RedisSessionStore } from '../src/index.js';
import { event, header } from './helpers/fixtures.js';
import { TestRedisServer, eventually, freePort } from './helpers/redis-server.js';

/** Generous but bounded: a loaded 2-core machine must still finish well within the test timeout. */
const COMMAND_TIMEOUT_MS = 1_500;
const RECOVERY_TIMEOUT_MS = 15_000;
const FAULT_TEST_TIMEOUT_MS = 60_000;

async function expectStorageError(run: () => Promise<unknown>, operation: string): Promise<StorageError> {
  const error = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  const storage = error as StorageError;
  expect(storage.operation).toBe(operation);
  expect(storage.backend).toBe('redis');
  expect(storage.cause).toBeDefined();
  return storage;
}

describe('a server that is not there', () => {
  it('fails every operation with StorageError, without hanging', { timeout: FAULT_TEST_TIMEOUT_MS }, async () => {
    const port = await freePort();
    const store = new RedisSessionStore({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: COMMAND_TIMEOUT_MS });
    await expectStorageError(() => store.create(header('down-1')), 'create');
    await expectStorageError(() => store.get('down-1'), 'get');
    await expectStorageError(() => store.append('down-1', [event('x')]), 'append');
    await expectStorageError(() => store.list(''), 'list');
    const blobs = new RedisBlobStore({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: COMMAND_TIMEOUT_MS });
    await expectStorageError(() => blobs.put('k', new Uint8Array([1])), 'put');
    await store.close();
    await blobs.close();
  });

  it('an unroutable host fails within the command timeout', { timeout: FAULT_TEST_TIMEOUT_MS }, async () => {
    // 192.0.2.0/24 is TEST-NET-1: connects never complete, so only the client-side timeout ends the wait.
    const store = new RedisSessionStore({ url: 'redis://192.0.2.1:6379', commandTimeoutMs: COMMAND_TIMEOUT_MS, connectTimeoutMs: COMMAND_TIMEOUT_MS });
    await expectStorageError(() => store.exists('x'), 'exists');
    await store.close();
  });
});

describe('a server that dies and comes back', () => {
  let server: TestRedisServer;
  beforeAll(async () => {
    server = await TestRedisServer.start();
  });
  afterAll(async () => {
    await server.kill();
  });

  it('fails while down and the same store instance works again afterwards', { timeout: FAULT_TEST_TIMEOUT_MS }, async () => {
    const store = new RedisSessionStore({ url: server.url, commandTimeoutMs: COMMAND_TIMEOUT_MS, ttlSeconds: null });
    await store.create(header('restart-1'));
    expect(await store.append('restart-1', [event('before', 'b1')])).toEqual({ appended: 1, eventCount: 1 });

    await server.kill();
    await expectStorageError(() => store.append('restart-1', [event('during', 'd1')]), 'append');
    await expectStorageError(() => store.get('restart-1'), 'get');

    await server.restart(); // no persistence: the restarted server is empty
    await eventually(async () => !(await store.exists('restart-1')), RECOVERY_TIMEOUT_MS, 'the store to reconnect');
    await store.create(header('restart-1'));
    expect(await store.append('restart-1', [event('after', 'a1')])).toEqual({ appended: 1, eventCount: 1 });
    expect((await store.get('restart-1'))?.events.map((e) => e.id)).toEqual(['a1']);
    await store.close();
  });

  it('a frozen server times out; acknowledged writes survive and a retry adds no duplicate', { timeout: FAULT_TEST_TIMEOUT_MS }, async () => {
    const store = new RedisSessionStore({ url: server.url, commandTimeoutMs: COMMAND_TIMEOUT_MS, ttlSeconds: null });
    await eventually(async () => !(await store.exists('freeze-1')), RECOVERY_TIMEOUT_MS, 'the server');
    await store.create(header('freeze-1'));
    const acknowledged = [event('one', 'f1'), event('two', 'f2')];
    await store.append('freeze-1', acknowledged);

    server.pause();
    const batch = [event('three', 'f3'), event('four', 'f4')];
    // The script may or may not run once the server thaws: the outcome is ambiguous to the caller.
    await expectStorageError(() => store.append('freeze-1', batch), 'append');
    server.resume();

    const result = await appendWithRetry(store, 'freeze-1', batch, { maxAttempts: 20, backoffMs: () => 200 });
    expect(result.eventCount).toBe(4);
    const ids = (await store.get('freeze-1'))?.events.map((e) => e.id);
    expect(ids).toEqual(['f1', 'f2', 'f3', 'f4']);
    await store.close();
  });

  it('blob store recovers too', { timeout: FAULT_TEST_TIMEOUT_MS }, async () => {
    const blobs = new RedisBlobStore({ url: server.url, commandTimeoutMs: COMMAND_TIMEOUT_MS });
    await blobs.put('a/b', new Uint8Array([1, 2, 3]));
    await server.kill();
    await expectStorageError(() => blobs.get('a/b'), 'get');
    await server.restart();
    await eventually(async () => (await blobs.get('a/b')) === null, RECOVERY_TIMEOUT_MS, 'the blob store to reconnect');
    await blobs.put('a/b', new Uint8Array([4]));
    expect(await blobs.get('a/b')).toEqual(new Uint8Array([4]));
    await blobs.close();
  });
});

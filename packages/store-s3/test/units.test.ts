import { describe, expect, it } from 'vitest';
import { S3Layout, decodeSessionId, encodeSessionId } from '../src/client/layout.js';
import { httpStatusOf, isConditionFailed, isNotFound } from '../src/client/errors.js';
import { MAX_TAIL_HINTS, TailHints } from '../src/session/event-log.js';
import { KeyedMutex } from '@chuk/models';
import { mapLimit } from '../src/util/pool.js';


describe('layout', () => {
  it('encodes ids prefix-preservingly and never as dot segments', () => {
    expect(encodeSessionId('a/b c')).toBe('a%2Fb%20c');
    expect(encodeSessionId('..')).toBe('%2E.');
    expect(decodeSessionId(encodeSessionId('.x/ü'))).toBe('.x/ü');
    const layout = new S3Layout('p/');
    expect(layout.eventObject('s', 42)).toBe('p/sessions/s/events/000000000042.json');
    expect(layout.startOf('p/sessions/s/events/000000000042.json')).toBe(42);
    expect(layout.startOf('p/sessions/s/header.json')).toBeNull();
    expect(layout.idOfFolder('p/sessions/a%2Fb/')).toBe('a/b');
    expect(layout.idOfFolder('q/sessions/a/')).toBeNull();
    expect(layout.idOfFolder('p/sessions/a/b/')).toBeNull();
    expect(layout.idOfFolder('p/sessions/%E0%A4%A/')).toBeNull();
    expect(layout.blob('k/1')).toBe('p/blobs/k/1');
  });
});

describe('error classification', () => {
  it('knows missing objects, lost conditions and a missing bucket apart', () => {
    expect(isNotFound({ name: 'NoSuchKey' })).toBe(true);
    expect(isNotFound({ name: 'NotFound', $metadata: { httpStatusCode: 404 } })).toBe(true);
    expect(isNotFound({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } })).toBe(false);
    expect(isNotFound({ Code: 'NoSuchKey' })).toBe(true);
    expect(isNotFound('boom')).toBe(false);
    expect(isConditionFailed({ name: 'PreconditionFailed' })).toBe(true);
    expect(isConditionFailed({ $metadata: { httpStatusCode: 409 } })).toBe(true);
    expect(isConditionFailed(new Error('x'))).toBe(false);
    expect(httpStatusOf({ $metadata: { httpStatusCode: '500' } })).toBeUndefined();
  });
});

describe('tail hints', () => {
  it('are dropped for another generation and evicted least recently used first', () => {
    const hints = new TailHints();
    hints.set('a', { generation: 'g1', lastKey: 'k', end: 3, recent: [] });
    expect(hints.get('a', 'g2')).toBeUndefined();
    expect(hints.get('a', 'g1')).toBeUndefined();
    for (let i = 0; i <= MAX_TAIL_HINTS; i++) hints.set(`s${i}`, { generation: 'g', lastKey: null, end: i, recent: [] });
    expect(hints.size).toBe(MAX_TAIL_HINTS);
    expect(hints.get('s0', 'g')).toBeUndefined();
    expect(hints.get('s1', 'g')?.end).toBe(1);
    hints.drop('s1');
    expect(hints.get('s1', 'g')).toBeUndefined();
  });
});

describe('utilities', () => {
  it('KeyedMutex serialises one key and frees idle keys', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const slow = mutex.run('k', async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push('first');
    });
    const fast = mutex.run('k', async () => {
      order.push('second');
    });
    const other = mutex.run('j', async () => {
      order.push('other');
    });
    expect(mutex.size).toBe(2);
    await Promise.all([slow, fast, other]);
    expect(order).toEqual(['other', 'first', 'second']);
    expect(mutex.size).toBe(0);
    await expect(mutex.run('k', () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(mutex.size).toBe(0);
  });

  it('mapLimit keeps order and bounds concurrency', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 3, 2], 2, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running -= 1;
      return n * 2;
    });
    expect(out).toEqual([10, 2, 6, 4]);
    expect(peak).toBe(2);
    expect(await mapLimit([], 3, async () => 1)).toEqual([]);
  });
});

describe('session listing cursors', () => {
  it('pass the server continuation token through when the server honours MaxKeys', async () => {
    const { S3SessionStore } = await import('../src/index.js');
    const inputs: Record<string, unknown>[] = [];
    const pages = [
      { CommonPrefixes: [{ Prefix: 'chuk/sessions/a/' }, { Prefix: 'chuk/sessions/b/' }], IsTruncated: true, NextContinuationToken: 'tok-1' },
      { CommonPrefixes: [{ Prefix: 'chuk/sessions/c/' }, {}], IsTruncated: false },
    ];
    const client = { send: async (command: { input: Record<string, unknown> }) => (inputs.push(command.input), pages.shift()), destroy: () => undefined };
    const store = new S3SessionStore({ bucket: 'b', client: client as never });
    expect(await store.list('', { limit: 2 })).toEqual({ ids: ['a', 'b'], cursor: 't:tok-1' });
    expect(await store.list('', { limit: 2, cursor: 't:tok-1' })).toEqual({ ids: ['c'], cursor: null });
    expect(inputs[1]).toMatchObject({ ContinuationToken: 'tok-1', MaxKeys: 2, Delimiter: '/', Prefix: 'chuk/sessions/' });
    await expect(store.list('', { cursor: 'zzz' })).rejects.toMatchObject({ name: 'InvalidInput', field: 'cursor' });
    await expect(store.list('', { cursor: 'a:bad id' })).rejects.toMatchObject({ name: 'InvalidInput', field: 'cursor' });
    await expect(store.list('', { cursor: 't:' })).rejects.toMatchObject({ name: 'InvalidInput' });
    await store.close();
  });
});

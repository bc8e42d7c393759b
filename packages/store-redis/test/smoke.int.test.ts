import { afterAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/index.js';
import { SHARED_REDIS_URL, deleteKeys, event, header, uniquePrefix } from './helpers/fixtures.js';

const prefix = uniquePrefix('smoke');
const store = new RedisSessionStore({ url: SHARED_REDIS_URL, keyPrefix: prefix });
afterAll(async () => {
  await store.close();
  await deleteKeys(SHARED_REDIS_URL, prefix);
});

describe('smoke', () => {
  it('create get append', async () => {
    expect(await store.create(header('s1', { user_id: 'u' }))).toBe(1);
    const r = await store.append('s1', [event('a', 'x1', 5), event('b', 'x2')]);
    expect(r).toEqual({ appended: 2, eventCount: 2 });
    expect(await store.append('s1', [event('a', 'x1')])).toEqual({ appended: 0, eventCount: 2 });
    const s = await store.get('s1');
    expect(s?.events.map((e) => e.id)).toEqual(['x1', 'x2']);
    expect(s?.revision).toBe(1);
    const h = await store.getHeader('s1');
    expect(h?.eventCount).toBe(2);
    expect(await store.updateHeader(h!, { expectedRevision: 1 })).toBe(2);
    expect((await store.list('')).ids).toEqual(['s1']);
    expect(await store.readEvents('s1', { from: 1 })).toHaveLength(1);
    expect(await store.extendTtl('s1', 10)).toBe(true);
  });
});

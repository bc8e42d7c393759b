import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { Session, SessionAlreadyExists, SessionVersionConflict, updateHeaderWithRetry } from '@chuk/models';
import { S3SessionStore } from '../src/index.js';
import type { S3SessionStoreOptions } from '../src/index.js';
import { ConditionalWriteHandler } from './helpers/conditional-handler.js';
import { FakeClock, event, header, uniquePrefix } from './helpers/fixtures.js';
import { SDK_ATTEMPTS, TEST_BUCKET, TestS3Server } from './helpers/s3-server.js';

let server: TestS3Server;
let raw: S3Client;
beforeAll(async () => {
  server = await TestS3Server.start();
  raw = server.client();
});
afterAll(async () => {
  raw.destroy();
  await server.stop();
});

describe('with conditional writes (S3 semantics emulated on s3rver)', () => {
  let handler: ConditionalWriteHandler;
  const conditional: S3SessionStore[] = [];
  beforeAll(() => {
    handler = new ConditionalWriteHandler(TEST_BUCKET, server.clientConfig());
  });
  afterAll(async () => {
    await Promise.all(conditional.map((s) => s.close()));
    handler.destroy();
  });
  function store(prefix: string, extra: Partial<S3SessionStoreOptions> = {}): S3SessionStore {
    const s = new S3SessionStore({
      bucket: TEST_BUCKET,
      prefix,
      conditionalWrites: true,
      clientConfig: server.clientConfig({ requestHandler: handler as never }),
      maxConditionalAttempts: 50,
      ...extra,
    });
    conditional.push(s);
    return s;
  }

  it('two writers (separate instances) append 25 events each concurrently: all land once, each in order', async () => {
    const prefix = uniquePrefix('race');
    const a = store(prefix);
    const b = store(prefix);
    await a.create(header('r1'));
    const ea = Array.from({ length: 25 }, (_, i) => event(`a${i}`, `ra-${i}`, 2));
    const eb = Array.from({ length: 25 }, (_, i) => event(`b${i}`, `rb-${i}`, 3));
    const writer = async (s: S3SessionStore, events: typeof ea): Promise<void> => {
      for (const e of events) await s.append('r1', [e]);
    };
    await Promise.all([writer(a, ea), writer(b, eb)]);
    const session = (await a.get('r1'))!;
    const ids = session.events.map((e) => e.id);
    expect(ids).toHaveLength(50);
    expect(new Set(ids).size).toBe(50);
    expect(ids.filter((id) => id.startsWith('ra-'))).toEqual(ea.map((e) => e.id));
    expect(ids.filter((id) => id.startsWith('rb-'))).toEqual(eb.map((e) => e.id));
    expect(session.totalTokens).toBe(25 * 3 + 25 * 4);
  });

  it('expectedCount writers catch up and retry without losing anything', async () => {
    const prefix = uniquePrefix('cas');
    const a = store(prefix);
    const b = store(prefix);
    await a.create(header('k1'));
    const writer = async (s: S3SessionStore, tag: string): Promise<void> => {
      for (let i = 0; i < 10; i++) {
        const e = event(`${tag}${i}`, `${tag}-${i}`);
        for (;;) {
          const count = (await s.getHeader('k1'))!.eventCount;
          try {
            await s.append('k1', [e], { expectedCount: count });
            break;
          } catch (error) {
            if (!(error instanceof SessionVersionConflict)) throw error;
          }
        }
      }
    };
    await Promise.all([writer(a, 'ka'), writer(b, 'kb')]);
    expect((await a.get('k1'))!.events).toHaveLength(20);
  });

  it('concurrent creates: exactly one wins', async () => {
    const prefix = uniquePrefix('create');
    const results = await Promise.allSettled([store(prefix).create(header('n1')), store(prefix).create(header('n1'))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(SessionAlreadyExists);
  });

  it('updateHeaderWithRetry from two instances keeps both changes', async () => {
    const prefix = uniquePrefix('hdr');
    const a = store(prefix);
    const b = store(prefix);
    await a.create(header('u1'));
    const sa = (await a.get('u1'))!;
    const sb = (await b.get('u1'))!;
    await Promise.all([
      updateHeaderWithRetry(a, sa, (s) => {
        s.metadata.properties.fromA = true;
        return true;
      }),
      updateHeaderWithRetry(b, sb, (s) => {
        s.metadata.properties.fromB = true;
        return true;
      }),
    ]);
    const h = (await a.getHeader('u1'))!;
    expect(h.metadata.properties).toMatchObject({ fromA: true, fromB: true });
    expect(h.revision).toBe(3);
  });

  it('a TTL slide between HEAD and PUT of updateHeader is retried, not reported as a conflict', async () => {
    const prefix = uniquePrefix('slide');
    const clock = new FakeClock();
    const a = store(prefix, { ttlSeconds: 60, clock: clock.now });
    await a.create(header('w1'));
    const h = (await a.getHeader('w1'))!;
    handler.failNext({ method: 'PUT', keyIncludes: `${prefix}sessions/w1/header.json`, status: 412, code: 'PreconditionFailed' });
    expect(await a.updateHeader(h, { expectedRevision: 1 })).toBe(2);
  });

  it('maps 412 / 409 answers: conflicts with expectedCount, bounded retries without', async () => {
    const prefix = uniquePrefix('fail');
    const a = store(prefix, { maxConditionalAttempts: 3 });
    await a.create(header('f1'));
    handler.failNext({ method: 'PUT', keyIncludes: `${prefix}sessions/f1/events/`, status: 412, code: 'PreconditionFailed' });
    await expect(a.append('f1', [event('x')], { expectedCount: 0 })).rejects.toMatchObject({ name: 'SessionVersionConflict', kind: 'eventCount' });
    handler.failNext({ method: 'PUT', keyIncludes: `${prefix}sessions/f1/events/`, status: 409, code: 'ConditionalRequestConflict' });
    expect(await a.append('f1', [event('y', 'fy')])).toEqual({ appended: 1, eventCount: 1 });
    for (let i = 0; i < 3; i++) {
      handler.failNext({ method: 'PUT', keyIncludes: `${prefix}sessions/f1/events/`, status: 412, code: 'PreconditionFailed' });
    }
    await expect(a.append('f1', [event('z')])).rejects.toMatchObject({ name: 'StorageError', operation: 'append' });
    for (let i = 0; i < 5; i++) {
      handler.failNext({ method: 'PUT', keyIncludes: `${prefix}sessions/f1/header.json`, status: 409, code: 'ConditionalRequestConflict' });
    }
    const conflict = await a.updateHeader((await a.getHeader('f1'))!, { expectedRevision: 1 }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(SessionVersionConflict);
    expect(conflict).toMatchObject({ kind: 'revision', expected: 1, actual: 1 });
    handler.failNext({ method: 'PUT', keyIncludes: `${prefix}sessions/f2/header.json`, status: 412, code: 'PreconditionFailed' });
    await expect(a.create(header('f2'))).rejects.toBeInstanceOf(SessionAlreadyExists);
    handler.failNext({ method: 'PUT', keyIncludes: `${prefix}sessions/f3/header.json`, status: 500, code: 'InternalError' }, SDK_ATTEMPTS);
    await expect(a.create(header('f3'))).rejects.toMatchObject({ name: 'StorageError', operation: 'create' });
  });

  it('extendTtl retries a lost conditional copy; gives up after bounded attempts', async () => {
    const prefix = uniquePrefix('ext');
    const clock = new FakeClock();
    const a = store(prefix, { ttlSeconds: 60, clock: clock.now, maxConditionalAttempts: 5 });
    await a.create(header('x1'));
    handler.failNext({ method: 'PUT', keyIncludes: `${prefix}sessions/x1/header.json`, status: 412, code: 'PreconditionFailed' });
    expect(await a.extendTtl('x1', 30)).toBe(true);
    const meta = (await raw.send(new HeadObjectCommand({ Bucket: TEST_BUCKET, Key: `${prefix}sessions/x1/header.json` }))).Metadata;
    expect(meta?.['expires-at']).toBe(new Date(clock.now().getTime() + 90_000).toISOString());
    for (let i = 0; i < 5; i++) {
      handler.failNext({ method: 'PUT', keyIncludes: `${prefix}sessions/x1/header.json`, status: 412, code: 'PreconditionFailed' });
    }
    await expect(a.extendTtl('x1', 30)).rejects.toMatchObject({ name: 'StorageError', operation: 'extendTtl' });
  });

  it('append cost does not grow with the session: HEAD, one LIST page, one PUT', async () => {
    const prefix = uniquePrefix('cost');
    const a = store(prefix);
    await a.create(header('big'));
    await a.create(header('small'));
    await a.append('big', Array.from({ length: 10_000 }, (_, i) => event(`m${i}`, `big-${i}`)));
    for (let i = 0; i < 30; i++) await a.append('big', [event(`more${i}`)]);
    await a.append('small', [event('first')]);
    const requestsOf = async (id: string): Promise<string[]> => {
      const start = handler.log.length;
      await a.append(id, [event('one more')]);
      return handler.log.slice(start).map((line) => line.replace(/\d{12}/, 'N').split('?')[0]!);
    };
    const big = await requestsOf('big');
    const small = await requestsOf('small');
    expect(big).toEqual([`HEAD ${prefix}sessions/big/header.json`, `GET /${TEST_BUCKET}/`, `PUT ${prefix}sessions/big/events/N.json`]);
    expect(small.map((r) => r.replace('small', 'big'))).toEqual(big);
    expect((await a.getHeader('big'))?.eventCount).toBe(10_031);
  });

  it('get of a new Session created through the store keeps its revision', async () => {
    const prefix = uniquePrefix('sess');
    const a = store(prefix);
    const s = await Session.create({ id: 'sc1', store: a });
    expect(s.revision).toBe(1);
    expect((await a.get('sc1'))?.revision).toBe(1);
  });
});

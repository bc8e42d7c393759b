import { afterAll, beforeAll } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { defineBlobStoreSuite, defineSessionStoreSuite } from '@chuk/models/testing';
import { S3BlobStore, S3SessionStore, encodeSessionId } from '../src/index.js';
import type { S3SessionStoreOptions } from '../src/index.js';
import { ConditionalWriteHandler } from './helpers/conditional-handler.js';
import { FakeClock, uniquePrefix } from './helpers/fixtures.js';
import { TEST_BUCKET, TestS3Server } from './helpers/s3-server.js';


const TTL_SECONDS = 60;
let server: TestS3Server;
let raw: S3Client;
let handler: ConditionalWriteHandler;
beforeAll(async () => {
  server = await TestS3Server.start();
  raw = server.client();
  handler = new ConditionalWriteHandler(TEST_BUCKET, server.clientConfig());
});
afterAll(async () => {
  raw.destroy();
  handler.destroy();
  await server.stop();
});

function harness(extra: () => Partial<S3SessionStoreOptions>) {
  return async () => {
    const prefix = uniquePrefix('kit');
    const clock = new FakeClock();
    const options = extra();
    const open = (): S3SessionStore => new S3SessionStore({ bucket: TEST_BUCKET, prefix, clock: clock.now, ttlSeconds: TTL_SECONDS, ...options });
    const store = open();
    const opened: S3SessionStore[] = [store];
    return {
      store,
      reopen: async () => {
        const second = open();
        opened.push(second);
        return second;
      },
      advanceTime: async (ms: number) => {
        clock.advance(ms);
      },
      corrupt: async (sessionId: string) => {
        await raw.send(
          new PutObjectCommand({
            Bucket: TEST_BUCKET,
            Key: `${prefix}sessions/${encodeSessionId(sessionId)}/events/000000000000.json`,
            Body: '{"broken":',
          }),
        );
      },
      cleanup: async () => {
        await Promise.all(opened.map((s) => s.close()));
      },
    };
  };
}

// s3rver ignores If-Match / If-None-Match: the store says so (no atomic cross-process guarantees).
defineSessionStoreSuite(
  's3 on s3rver, conditionalWrites: false',
  harness(() => ({ conditionalWrites: false, clientConfig: server.clientConfig() })),
  { ttlSeconds: TTL_SECONDS, concurrentEvents: 20 },
);

// The same server behind a handler that gives S3's documented conditional-write answers.
defineSessionStoreSuite(
  's3 with S3 conditional-write semantics',
  harness(() => ({
    conditionalWrites: true,
    maxConditionalAttempts: 100,
    clientConfig: server.clientConfig({ requestHandler: handler as never }),
  })),
  { ttlSeconds: TTL_SECONDS, concurrentEvents: 20 },
);

defineBlobStoreSuite('s3 on s3rver', async () => {
  const prefix = uniquePrefix('kitblob');
  const open = (): S3BlobStore => new S3BlobStore({ bucket: TEST_BUCKET, prefix, clientConfig: server.clientConfig() });
  const store = open();
  return { store, reopen: async () => open(), cleanup: () => store.close() };
});

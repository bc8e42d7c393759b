/**
 * Sessions in S3 (@chuk/store-s3): each append writes one immutable event object, the session is
 * never rewritten. Needs an S3-compatible server: SESSION_S3_ENDPOINT (e.g. MinIO or s3rver) and
 * SESSION_S3_BUCKET (an existing bucket); skips with a message when none is reachable.
 */
import { S3SessionStore } from '@chuk/store-s3';
import { SessionManager } from '@chuk/session-manager';
import { hostPort, tcpReachable } from './lib/reachable.js';

const endpoint = process.env.SESSION_S3_ENDPOINT;
const bucket = process.env.SESSION_S3_BUCKET;
if (endpoint === undefined || bucket === undefined) {
  console.log('No S3 server configured; skipping (set SESSION_S3_ENDPOINT and SESSION_S3_BUCKET to run this example).');
  process.exit(0);
}
const { host, port } = hostPort(endpoint, endpoint.startsWith('https') ? 443 : 80);
if (!(await tcpReachable(host, port))) {
  console.log(`S3 endpoint ${endpoint} is not reachable; skipping.`);
  process.exit(0);
}

const store = new S3SessionStore({
  bucket,
  prefix: `chuk-example-${Date.now()}/`,
  clientConfig: {
    endpoint,
    region: process.env.SESSION_S3_REGION ?? 'us-east-1',
    forcePathStyle: true,
  },
});
try {
  const sm = new SessionManager({ store });
  await sm.userSays('Archive this conversation, please.');
  await sm.aiResponds('Done: it lives in S3 now.', { model: 'gpt-4o-mini' });
  const reopened = new SessionManager({ store, sessionId: sm.sessionId });
  const stats = await reopened.getStats();
  console.log(`Session ${sm.sessionId} in bucket ${bucket}: ${stats.totalEvents} events, ${stats.totalTokens} tokens`);
  await store.delete(sm.sessionId);
} finally {
  await store.close();
}

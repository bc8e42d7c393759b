import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export const TEST_BUCKET = 'chuk-test';
/** The SDK's own retries of transient failures (a loaded machine resets keep-alive sockets now and then). */
export const SDK_ATTEMPTS = 3;

/** An s3rver on a free loopback port with a temporary directory and one bucket. */
export class TestS3Server {
  private constructor(
    private readonly server: S3rver,
    private readonly directory: string,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<TestS3Server> {
    const directory = await mkdtemp(join(tmpdir(), 'chuk-s3rver-'));
    const server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      directory,
      silent: true,
      configureBuckets: [{ name: TEST_BUCKET }],
    });
    const address = await server.run();
    return new TestS3Server(server, directory, `http://127.0.0.1:${String(address.port)}`);
  }

  /** Client config for this server (s3rver's fixed credentials, path-style URLs). */
  clientConfig(extra: Partial<S3ClientConfig> = {}): S3ClientConfig {
    return {
      region: 'us-east-1',
      endpoint: this.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: SDK_ATTEMPTS,
      ...extra,
    };
  }

  client(extra: Partial<S3ClientConfig> = {}): S3Client {
    return new S3Client(this.clientConfig(extra));
  }

  async stop(): Promise<void> {
    this.server.httpServer?.closeAllConnections();
    await this.server.close();
    await rm(this.directory, { recursive: true, force: true });
  }
}

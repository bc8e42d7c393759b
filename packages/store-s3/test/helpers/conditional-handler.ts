/**
 * Conditional writes as real S3 documents them, for a server that ignores them (s3rver).
 *
 * A request handler wrapping the SDK's own HTTP handler: writes through it are serialised per
 * object key, and a `PutObject`/`CopyObject` carrying `If-None-Match: *` or `If-Match: <etag>`
 * (or `x-amz-copy-source-if-match`) whose condition does not hold gets the HTTP answer S3 gives,
 * `412 PreconditionFailed` with an S3 error document, which goes through the SDK's real error
 * parsing. Every client that shares one handler sees atomic check-and-write, as on S3.
 * `failNext` injects other answers (409 ConditionalRequestConflict, 500) for one request.
 */
import { Readable } from 'node:stream';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { KeyedMutex } from '@chuk/models';

interface HttpRequestLike {
  method: string;
  path: string;
  query?: Record<string, unknown>;
  headers: Record<string, string>;
}
interface HttpResponseLike {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}
interface HandlerLike {
  handle(request: HttpRequestLike, options?: unknown): Promise<{ response: HttpResponseLike }>;
  destroy?(): void;
}

export interface InjectedFailure {
  /** e.g. "PUT" */
  method: string;
  /** the object key must contain this */
  keyIncludes: string;
  status: number;
  code: string;
}

function errorResponse(status: number, code: string): { response: HttpResponseLike } {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message><RequestId>test</RequestId></Error>`;
  return {
    response: {
      statusCode: status,
      headers: { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(xml)) },
      body: Readable.from([Buffer.from(xml)]),
    },
  };
}

export class ConditionalWriteHandler {
  readonly locks = new KeyedMutex();
  readonly failures: InjectedFailure[] = [];
  /** Requests seen, as "METHOD key" (query-less). */
  readonly log: string[] = [];
  private readonly inner: HandlerLike;
  private readonly probe: S3Client;
  readonly metadata = { handlerProtocol: 'http/1.1' };

  constructor(
    private readonly bucket: string,
    config: S3ClientConfig,
  ) {
    this.probe = new S3Client(config);
    this.inner = (this.probe.config as unknown as { requestHandler: HandlerLike }).requestHandler;
  }

  /** The next `times` requests matching `failure` get its answer (the SDK retries 5xx answers itself). */
  failNext(failure: InjectedFailure, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(failure);
  }

  private keyOf(request: HttpRequestLike): string | null {
    const head = `/${this.bucket}/`;
    if (!request.path.startsWith(head)) return null;
    return decodeURIComponent(request.path.slice(head.length));
  }

  private async etagOf(key: string): Promise<string | null> {
    try {
      return (await this.probe.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }))).ETag ?? null;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
      throw error;
    }
  }

  async handle(request: HttpRequestLike, options?: unknown): Promise<{ response: HttpResponseLike }> {
    const key = this.keyOf(request);
    this.log.push(`${request.method} ${key === null || key === '' ? request.path : key}${request.query !== undefined && Object.keys(request.query).length > 0 ? `?${Object.keys(request.query).join('&')}` : ''}`);
    const index = this.failures.findIndex((f) => f.method === request.method && key?.includes(f.keyIncludes) === true);
    if (index >= 0) {
      const [failure] = this.failures.splice(index, 1);
      return errorResponse(failure!.status, failure!.code);
    }
    const query = request.query ?? {};
    if (request.method !== 'PUT' || key === null || 'uploadId' in query || 'partNumber' in query) {
      return this.inner.handle(request, options);
    }
    return this.locks.run(key, async () => {
      const ifNoneMatch = request.headers['if-none-match'];
      const ifMatch = request.headers['if-match'] ?? request.headers['x-amz-copy-source-if-match'];
      if (ifNoneMatch !== undefined || ifMatch !== undefined) {
        const current = await this.etagOf(key);
        if (ifNoneMatch === '*' && current !== null) return errorResponse(412, 'PreconditionFailed');
        if (ifMatch !== undefined && ifMatch !== current) return errorResponse(412, 'PreconditionFailed');
      }
      return this.inner.handle(request, options);
    });
  }

  updateHttpClientConfig(): void {
    // nothing to configure
  }

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {
    this.probe.destroy();
  }
}

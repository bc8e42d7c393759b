import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { CompletedPart, S3Client, StorageClass } from '@aws-sdk/client-s3';
import { InvalidInput, StorageError, noopLogger, validateBlobKey } from '@chuk/models';
import type { BlobInfo, BlobPutOptions, BlobStore, Logger } from '@chuk/models';
import { deleteKeys } from '../client/delete-keys.js';
import { S3_BACKEND, guard, isNotFound } from '../client/errors.js';
import { S3Layout } from '../client/layout.js';
import { listKeyPages } from '../client/list-keys.js';
import { chooseClient } from '../client/owned-client.js';
import { storageClassParam } from '../client/write-params.js';
import { resolveS3BlobOptions, type ResolvedS3BlobStoreOptions, type S3BlobStoreOptions as S3BlobStoreDataOptions, type S3Injectables } from '../options.js';
import { mapLimit } from '../util/pool.js';

const METADATA_KEY = /^[a-z0-9-]+$/;

export type S3BlobStoreOptions = S3BlobStoreDataOptions & S3Injectables;

function checkMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (!METADATA_KEY.test(key)) throw new InvalidInput({ field: `metadata.${key}`, reason: 'keys are lower-case [a-z0-9-]+' });
    if (typeof value !== 'string') throw new InvalidInput({ field: `metadata.${key}`, reason: 'values are strings' });
    // x-amz-meta-* values are ASCII: non-ASCII is URI-encoded and decoded on read (spec §11.4).
    out[key] = encodeURIComponent(value);
  }
  return out;
}

function decodeMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata ?? {})) {
    try {
      out[key] = decodeURIComponent(value);
    } catch {
      out[key] = value;
    }
  }
  return out;
}

/**
 * `BlobStore` on S3 (spec §14.4), the L4 cold tier: blobs at `<prefix>blobs/<key>`; blobs above
 * `multipartThresholdBytes` go up as a multipart upload (aborted when any part fails).
 */
export class S3BlobStore implements BlobStore {
  readonly backend = S3_BACKEND;
  readonly options: Readonly<ResolvedS3BlobStoreOptions>;
  readonly client: S3Client;
  private readonly owned: boolean;
  private readonly layout: S3Layout;
  private readonly logger: Logger;
  private closed = false;

  constructor(options: S3BlobStoreOptions) {
    const { client, clientConfig, logger, clock: _clock, ...data } = options;
    this.options = Object.freeze(resolveS3BlobOptions(data));
    const chosen = chooseClient(client, clientConfig, this.options);
    this.client = chosen.client;
    this.owned = chosen.owned;
    this.layout = new S3Layout(this.options.prefix);
    this.logger = logger ?? noopLogger;
  }

  private get bucket(): string {
    return this.options.bucket;
  }

  private open(operation: string): void {
    if (this.closed) throw new StorageError({ operation, backend: S3_BACKEND, cause: new Error('store is closed') });
  }

  async put(key: string, data: Uint8Array, options: BlobPutOptions = {}): Promise<void> {
    validateBlobKey(key);
    if (!(data instanceof Uint8Array)) throw new InvalidInput({ field: 'data', reason: 'must be a Uint8Array' });
    const metadata = checkMetadata(options.metadata);
    await guard('put', async () => {
      this.open('put');
      const common = {
        Bucket: this.bucket,
        Key: this.layout.blob(key),
        Metadata: metadata,
        ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
        ...storageClassParam(this.options.storageClass),
      };
      if (data.byteLength > this.options.multipartThresholdBytes) {
        await this.putMultipart(common, data);
        return;
      }
      await this.client.send(new PutObjectCommand({ ...common, Body: data, ContentLength: data.byteLength }));
    });
  }

  private async putMultipart(
    common: { Bucket: string; Key: string; Metadata: Record<string, string>; ContentType?: string; StorageClass?: StorageClass },
    data: Uint8Array,
  ): Promise<void> {
    const created = await this.client.send(new CreateMultipartUploadCommand(common));
    const uploadId = created.UploadId;
    if (uploadId === undefined) throw new Error('CreateMultipartUpload returned no UploadId');
    const size = this.options.partSizeBytes;
    const offsets: number[] = [];
    for (let offset = 0; offset < data.byteLength; offset += size) offsets.push(offset);
    try {
      const parts = await mapLimit(offsets, this.options.concurrency, async (offset, index): Promise<CompletedPart> => {
        const body = data.subarray(offset, Math.min(offset + size, data.byteLength));
        const partNumber = index + 1;
        const part = await this.client.send(
          new UploadPartCommand({
            Bucket: common.Bucket,
            Key: common.Key,
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: body,
            ContentLength: body.byteLength,
          }),
        );
        return { PartNumber: partNumber, ETag: part.ETag };
      });
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: common.Bucket, Key: common.Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (error) {
      try {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: common.Bucket, Key: common.Key, UploadId: uploadId }));
      } catch (abortError) {
        this.logger.warn({ err: abortError, key: common.Key, uploadId, backend: S3_BACKEND }, 'could not abort a failed multipart upload');
      }
      throw error;
    }
  }

  async get(key: string): Promise<Uint8Array | null> {
    validateBlobKey(key);
    return guard('get', async () => {
      this.open('get');
      try {
        const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.layout.blob(key) }));
        if (response.Body === undefined) return new Uint8Array(0);
        return new Uint8Array(await response.Body.transformToByteArray());
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    });
  }

  async head(key: string): Promise<BlobInfo | null> {
    validateBlobKey(key);
    return guard('head', async () => {
      this.open('head');
      try {
        const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.layout.blob(key) }));
        return {
          key,
          size: head.ContentLength ?? 0,
          contentType: head.ContentType ?? null,
          metadata: decodeMetadata(head.Metadata),
          updatedAt: (head.LastModified ?? new Date(0)).toISOString(),
        };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    });
  }

  async delete(key: string): Promise<boolean> {
    validateBlobKey(key);
    return guard('delete', async () => {
      this.open('delete');
      const objectKey = this.layout.blob(key);
      try {
        await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return true;
    });
  }

  async list(prefix = ''): Promise<string[]> {
    return guard('list', async () => {
      this.open('list');
      const root = this.layout.blobsRoot;
      const keys: string[] = [];
      for await (const page of listKeyPages(this.client, this.bucket, `${root}${prefix}`)) {
        for (const key of page) keys.push(key.slice(root.length));
      }
      return keys;
    });
  }

  /** Deletes many blobs with `DeleteObjects` in chunks of 1000; returns how many were deleted. */
  async deleteMany(keys: readonly string[]): Promise<number> {
    for (const key of keys) validateBlobKey(key);
    return guard('deleteMany', async () => {
      this.open('deleteMany');
      const deleted = await deleteKeys(this.client, this.bucket, keys.map((k) => this.layout.blob(k)), this.logger);
      return deleted;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.owned) this.client.destroy();
  }
}

/** Factory form of `new S3BlobStore(options)`. */
export function createS3BlobStore(options: S3BlobStoreOptions): S3BlobStore {
  return new S3BlobStore(options);
}

import { DeleteObjectCommand, DeleteObjectsCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@chuk/models';
import { httpStatusOf, S3_BACKEND } from './errors.js';
import { listKeyPages } from './list-keys.js';

/** `DeleteObjects` takes at most this many keys. */
export const DELETE_BATCH = 1000;
const SERVER_ERROR = 500;

/**
 * Deletes `keys` with `DeleteObjects` in chunks of 1000. Keys the batch call could not delete
 * (per-key errors, or a 5xx answer to the whole call, as some S3-compatible servers give under
 * concurrent deletes) are deleted one by one with `DeleteObject`; deleting is idempotent, so the
 * fallback is safe. Returns how many keys were deleted.
 */
export async function deleteKeys(client: S3Client, bucket: string, keys: readonly string[], logger: Logger): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    const chunk = keys.slice(i, i + DELETE_BATCH);
    let retry: string[];
    try {
      const result = await client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }),
      );
      retry = (result.Errors ?? []).map((e) => e.Key).filter((k): k is string => k !== undefined);
      deleted += chunk.length - retry.length;
    } catch (error) {
      if ((httpStatusOf(error) ?? 0) < SERVER_ERROR) throw error;
      logger.debug({ err: error, backend: S3_BACKEND, keys: chunk.length }, 'DeleteObjects failed; deleting one by one');
      retry = chunk;
    }
    for (const key of retry) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      deleted += 1;
    }
  }
  return deleted;
}

/** Deletes every object under `prefix`, one LIST page at a time. */
export async function deletePrefix(client: S3Client, bucket: string, prefix: string, logger: Logger): Promise<void> {
  for await (const keys of listKeyPages(client, bucket, prefix)) await deleteKeys(client, bucket, keys, logger);
}

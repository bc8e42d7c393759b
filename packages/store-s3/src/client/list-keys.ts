import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * The keys under `prefix`, one LIST page at a time, in key order (`ListObjectsV2` with its
 * continuation token). `startAfter` applies to the first page only, as S3 expects.
 */
export async function* listKeyPages(client: S3Client, bucket: string, prefix: string, startAfter?: string | null): AsyncGenerator<string[]> {
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token === undefined ? (startAfter === undefined || startAfter === null ? {} : { StartAfter: startAfter }) : { ContinuationToken: token }),
      }),
    );
    yield (page.Contents ?? []).map((c) => c.Key).filter((k): k is string => k !== undefined);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

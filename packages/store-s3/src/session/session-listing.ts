import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_LIST_LIMIT, InvalidInput, assertSessionId } from '@chuk/models';
import type { ListOptions, ListPage } from '@chuk/models';
import { encodeSessionId } from '../client/layout.js';
import type { S3Layout } from '../client/layout.js';

/** List cursor prefixes: the server's continuation token, or "after this id". */
const CURSOR_TOKEN = 't:';
const CURSOR_AFTER = 'a:';

/**
 * Cursor forms: `t:<continuation token>` (the server's), or `a:<id>` after a page this store cut
 * itself, resumed with `StartAfter` = the id's folder + U+10FFFF (sorts after any key inside it).
 */
function cursorPosition(layout: S3Layout, cursor: string): { ContinuationToken: string } | { StartAfter: string } {
  if (cursor.startsWith(CURSOR_TOKEN) && cursor.length > CURSOR_TOKEN.length) {
    return { ContinuationToken: cursor.slice(CURSOR_TOKEN.length) };
  }
  if (cursor.startsWith(CURSOR_AFTER)) {
    const id = cursor.slice(CURSOR_AFTER.length);
    try {
      assertSessionId(id);
    } catch (error) {
      throw new InvalidInput({ field: 'cursor', reason: 'not a cursor of this store', cause: error });
    }
    return { StartAfter: `${layout.folder(id)}\u{10FFFF}` };
  }
  throw new InvalidInput({ field: 'cursor', reason: 'not a cursor of this store' });
}

/** One page of session ids starting with `prefix`: the session folders, listed with a `/` delimiter. */
export async function listSessionIds(client: S3Client, bucket: string, layout: S3Layout, prefix: string, options: ListOptions): Promise<ListPage> {
  if (typeof prefix !== 'string') throw new InvalidInput({ field: 'prefix', reason: 'must be a string' });
  const limit = options.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit <= 0) throw new InvalidInput({ field: 'limit', reason: 'must be a positive integer' });
  let encoded: string;
  try {
    encoded = encodeSessionId(prefix);
  } catch (error) {
    throw new InvalidInput({ field: 'prefix', reason: 'not a valid string (lone surrogate)', cause: error });
  }
  const position = options.cursor === undefined || options.cursor === null ? {} : cursorPosition(layout, options.cursor);
  const page = await client.send(
    new ListObjectsV2Command({
      Bucket: bucket,
      Prefix: `${layout.sessionsRoot}${encoded}`,
      Delimiter: '/',
      MaxKeys: limit,
      ...position,
    }),
  );
  const ids: string[] = [];
  for (const common of page.CommonPrefixes ?? []) {
    const id = common.Prefix === undefined ? null : layout.idOfFolder(common.Prefix);
    if (id?.startsWith(prefix) === true) ids.push(id);
  }
  if (ids.length > limit) {
    // The server ignored MaxKeys (some S3-compatible servers do with a delimiter): cut the page
    // here and resume after its last id.
    const kept = ids.slice(0, limit);
    return { ids: kept, cursor: `${CURSOR_AFTER}${kept[kept.length - 1] ?? ''}` };
  }
  const token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  return { ids, cursor: token === undefined ? null : `${CURSOR_TOKEN}${token}` };
}

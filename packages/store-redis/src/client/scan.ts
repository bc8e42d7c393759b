import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from './create-client.js';

/** SCAN rounds one `list` page may take to fill itself before returning what it has. */
export const MAX_SCAN_ROUNDS_PER_PAGE = 32;

export interface ScanPage {
  keys: string[];
  /** null when every node has been scanned to the end. */
  cursor: string | null;
}

export class InvalidCursorError extends Error {
  constructor(readonly cursor: string) {
    super(`not a cursor of this store: ${cursor}`);
    this.name = 'InvalidCursorError';
  }
}

/** The nodes to scan: the one client, or every Cluster master in a stable order (connecting first). */
export async function scanNodes(client: RedisClient): Promise<Redis[]> {
  if (!isCluster(client)) return [client];
  if (client.status === 'wait') await client.connect();
  const masters = client.nodes('master');
  if (masters.length === 0) throw new Error('the cluster has no reachable master');
  return masters.slice().sort((a, b) => nodeName(a).localeCompare(nodeName(b)));
}

function nodeName(node: Redis): string {
  return `${node.options.host ?? ''}:${String(node.options.port ?? '')}`;
}

/** Cursor format: "<node index>:<scan cursor>" (standalone uses node 0). */
function parseCursor(cursor: string | null | undefined, nodeCount: number): [number, string] {
  if (cursor === undefined || cursor === null || cursor === '') return [0, '0'];
  const match = /^(\d+):(\d+)$/.exec(cursor);
  if (match === null) throw new InvalidCursorError(cursor);
  const node = Number(match[1]);
  if (node >= nodeCount) throw new InvalidCursorError(cursor);
  return [node, match[2] as string];
}

/**
 * One page of a SCAN over every node: keeps scanning until `target` keys are found, the keyspace
 * ends, or MAX_SCAN_ROUNDS_PER_PAGE rounds have run. Keys may repeat across pages (SCAN semantics).
 */
export async function scanPage(
  client: RedisClient,
  pattern: string,
  options: { cursor?: string | null; count: number; target: number; type?: string },
): Promise<ScanPage> {
  const nodes = await scanNodes(client);
  let [nodeIndex, scanCursor] = parseCursor(options.cursor, nodes.length);
  const keys: string[] = [];
  for (let round = 0; round < MAX_SCAN_ROUNDS_PER_PAGE; round++) {
    const node = nodes[nodeIndex] as Redis;
    const args: (string | number)[] = ['MATCH', pattern, 'COUNT', options.count];
    if (options.type !== undefined) args.push('TYPE', options.type);
    const [next, found] = (await node.call('SCAN', scanCursor, ...args)) as [string, string[]];
    keys.push(...found);
    scanCursor = next;
    if (next === '0') {
      nodeIndex += 1;
      if (nodeIndex >= nodes.length) return { keys, cursor: null };
    }
    if (keys.length >= options.target) break;
  }
  return { keys, cursor: `${nodeIndex}:${scanCursor}` };
}

/** Every key matching `pattern` on every node (deduplicated). */
export async function scanAll(client: RedisClient, pattern: string, count: number, type?: string): Promise<string[]> {
  const seen = new Set<string>();
  let cursor: string | null = null;
  do {
    const page: ScanPage = await scanPage(client, pattern, {
      cursor,
      count,
      target: Number.POSITIVE_INFINITY,
      ...(type === undefined ? {} : { type }),
    });
    for (const key of page.keys) seen.add(key);
    cursor = page.cursor;
  } while (cursor !== null);
  return [...seen];
}

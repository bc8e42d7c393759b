import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SessionEvent } from '@chuk/models';
import type { S3Layout } from '../client/layout.js';
import { decodeEventArray } from './codec.js';

/** Event objects whose ids an append checks (the idempotency window, spec §14.3 step 3). */
export const IDEMPOTENCY_WINDOW_OBJECTS = 16;
/** Sessions whose log tail a store instance remembers (least recently used dropped first). */
export const MAX_TAIL_HINTS = 1024;

export interface EventObjectRef {
  key: string;
  start: number;
}

/** What this store instance knows about the end of a session's log. */
export interface TailHint {
  /** `generation` of the header the hint belongs to (a recreated session starts afresh). */
  generation: string;
  lastKey: string | null;
  end: number;
  /** ids of the last IDEMPOTENCY_WINDOW_OBJECTS objects, oldest first. */
  recent: { key: string; ids: string[] }[];
}

/** Bounded LRU of tail hints. */
export class TailHints {
  private readonly map = new Map<string, TailHint>();

  get(sessionId: string, generation: string): TailHint | undefined {
    const hint = this.map.get(sessionId);
    if (hint === undefined) return undefined;
    if (hint.generation !== generation) {
      this.map.delete(sessionId);
      return undefined;
    }
    this.map.delete(sessionId);
    this.map.set(sessionId, hint);
    return hint;
  }

  set(sessionId: string, hint: TailHint): void {
    this.map.delete(sessionId);
    this.map.set(sessionId, hint);
    if (this.map.size > MAX_TAIL_HINTS) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }

  drop(sessionId: string): void {
    this.map.delete(sessionId);
  }

  get size(): number {
    return this.map.size;
  }
}

/** Lists event objects of a session in key (= log) order, after `startAfter` when given. */
export async function listEventObjects(
  client: S3Client,
  bucket: string,
  layout: S3Layout,
  sessionId: string,
  startAfter?: string | null,
): Promise<EventObjectRef[]> {
  const out: EventObjectRef[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: layout.eventsFolder(sessionId),
        ...(token === undefined ? (startAfter === undefined || startAfter === null ? {} : { StartAfter: startAfter }) : { ContinuationToken: token }),
      }),
    );
    for (const item of page.Contents ?? []) {
      if (item.Key === undefined) continue;
      const start = layout.startOf(item.Key);
      if (start !== null) out.push({ key: item.Key, start });
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return out;
}

/** Reads and decodes one event object (a JSON array of event wire objects). */
export async function readEventObject<M = unknown>(client: S3Client, bucket: string, key: string): Promise<SessionEvent<M>[]> {
  const body = await readText(client, bucket, key);
  return decodeEventArray<M>(body, key);
}

export async function readText(client: S3Client, bucket: string, key: string): Promise<string> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (response.Body === undefined) return '';
  return response.Body.transformToString('utf-8');
}

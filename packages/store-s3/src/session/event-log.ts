import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SessionEvent } from '@chuk/models';
import { JSON_CONTENT_TYPE } from '../client/layout.js';
import type { S3Layout } from '../client/layout.js';
import { listKeyPages } from '../client/list-keys.js';
import { storageClassParam } from '../client/write-params.js';
import { mapLimit } from '../util/pool.js';
import { decodeEventArray, decodingAsync, encodeEvents } from './codec.js';
import { ifAbsent } from './write-conditions.js';

/** Event objects whose ids an append checks (the idempotency window, spec §14.3 step 3). */
export const IDEMPOTENCY_WINDOW_OBJECTS = 16;
/** Sessions whose log tail a store instance remembers (least recently used dropped first). */
export const MAX_TAIL_HINTS = 1024;
/** User-metadata name of an event object: how many events it holds. */
export const EVENT_COUNT_META = 'count';

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
  for await (const keys of listKeyPages(client, bucket, layout.eventsFolder(sessionId), startAfter)) {
    for (const key of keys) {
      const start = layout.startOf(key);
      if (start !== null) out.push({ key, start });
    }
  }
  return out;
}

/** The objects holding any event of positions [from, stop) (`refs` in log order). */
export function eventObjectsInRange(refs: readonly EventObjectRef[], from: number, stop: number): EventObjectRef[] {
  return refs.filter((ref, i) => {
    const next = refs[i + 1];
    const end = next === undefined ? Number.POSITIVE_INFINITY : next.start;
    return ref.start < stop && end > from;
  });
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

/** Where a session's event objects live and how they are written and read. */
export interface EventLogConfig {
  client: S3Client;
  bucket: string;
  layout: S3Layout;
  concurrency: number;
  conditionalWrites: boolean;
  storageClass: string | undefined;
}

/** Writes one immutable event object (create-only with conditional writes). */
export async function writeEventObject(cfg: EventLogConfig, key: string, events: readonly SessionEvent[]): Promise<void> {
  await cfg.client.send(
    new PutObjectCommand({
      Bucket: cfg.bucket,
      Key: key,
      Body: encodeEvents(events),
      ContentType: JSON_CONTENT_TYPE,
      Metadata: { [EVENT_COUNT_META]: String(events.length) },
      ...storageClassParam(cfg.storageClass),
      ...ifAbsent(cfg.conditionalWrites),
    }),
  );
}

/**
 * The end of the log and the ids of its last objects. Lists after the instance's hint (one
 * short LIST page in the steady state) and reads only objects it has not read yet.
 */
export async function findTail(cfg: EventLogConfig, hints: TailHints, sessionId: string, generation: string): Promise<TailHint> {
  const hint = hints.get(sessionId, generation);
  const fresh = await listEventObjects(cfg.client, cfg.bucket, cfg.layout, sessionId, hint?.lastKey ?? null);
  if (fresh.length === 0 && hint !== undefined) return hint;
  const window = fresh.slice(-IDEMPOTENCY_WINDOW_OBJECTS);
  const read = await mapLimit(window, cfg.concurrency, async (ref: EventObjectRef) => ({
    ref,
    events: await decodingAsync('append', () => readEventObject(cfg.client, cfg.bucket, ref.key)),
  }));
  const recent = [...(hint?.recent ?? []), ...read.map((r) => ({ key: r.ref.key, ids: r.events.map((e) => e.id) }))].slice(
    -IDEMPOTENCY_WINDOW_OBJECTS,
  );
  const last = read[read.length - 1];
  const tail: TailHint = {
    generation,
    lastKey: last?.ref.key ?? null,
    end: last === undefined ? 0 : last.ref.start + last.events.length,
    recent,
  };
  hints.set(sessionId, tail);
  return tail;
}

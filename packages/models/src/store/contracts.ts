import { z } from 'zod';
import type { SessionEvent } from '../session/event.js';
import type { SessionHeader } from '../session/header.js';
import type { Session } from '../session/session.js';

export const StoreCapabilitiesSchema = z.object({
  ttl: z.boolean().describe('expires idle sessions; extendTtl is available'),
  atomicAppend: z
    .boolean()
    .describe("append's id check, count check and write are one atomic step, across processes too"),
  atomicHeaderCas: z
    .boolean()
    .describe("updateHeader's revision check and write are one atomic step, across processes too"),
  listing: z.boolean().describe('list sees every stored session, not just a cache'),
});
export type StoreCapabilities = z.infer<typeof StoreCapabilitiesSchema>;

export const StoreStatsSchema = z.object({
  backend: z.string().describe('backend name'),
  sessions: z.number().int().optional().describe('stored sessions, when cheap to know'),
  details: z.record(z.string(), z.unknown()).default({}).describe('backend-specific figures'),
});
export type StoreStats = z.output<typeof StoreStatsSchema>;

export interface AppendOptions {
  /** Compare-and-set on the stored event count. */
  expectedCount?: number;
}
export interface AppendResult {
  /** Events written (known ids excluded). */
  appended: number;
  /** Events stored after the call. */
  eventCount: number;
}
export interface ReadEventsOptions {
  /** First position (default 0). */
  from?: number;
  /** Events at most (default: to the end). */
  limit?: number;
}
/** Default page size of `list`. */
export const DEFAULT_LIST_LIMIT = 100;
export interface ListOptions {
  cursor?: string | null;
  /** Target page size (default 100). */
  limit?: number;
}
export interface ListPage {
  ids: string[];
  /** Cursor of the next page; null = no more pages. */
  cursor: string | null;
}
export interface UpdateHeaderOptions {
  expectedRevision: number;
}

/** Sessions as an append-only event log plus a compare-and-set header (README D2, M §11.1). */
export interface SessionStore {
  /** `"memory" | "redis" | "s3"` or a third-party name. */
  readonly backend: string;
  readonly capabilities: StoreCapabilities;
  /** Stores a new header (revision 1, no events); `SessionAlreadyExists` if present. Returns 1. */
  create(header: SessionHeader): Promise<number>;
  /** Header and every event, as an independent snapshot; null when missing or expired. */
  get<M = unknown>(sessionId: string): Promise<Session<M> | null>;
  /** Header only, without reading events. */
  getHeader(sessionId: string): Promise<SessionHeader | null>;
  /** Events at positions `from … from + limit − 1`; null when the session does not exist. */
  readEvents<M = unknown>(sessionId: string, options?: ReadEventsOptions): Promise<SessionEvent<M>[] | null>;
  /** Atomic, idempotent by event id; `expectedCount` makes it a compare-and-set. */
  append(sessionId: string, events: readonly SessionEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** Compare-and-set on the header revision; returns the new revision. */
  updateHeader(header: SessionHeader, options: UpdateHeaderOptions): Promise<number>;
  /** Header and events; true if it existed. */
  delete(sessionId: string): Promise<boolean>;
  /** One page of ids starting with `prefix` ("" = all). */
  list(prefix?: string, options?: ListOptions): Promise<ListPage>;
  exists(sessionId: string): Promise<boolean>;
  /** Present when `capabilities.ttl`; false when missing or without expiry. */
  extendTtl?(sessionId: string, additionalSeconds: number): Promise<boolean>;
  getStats(): Promise<StoreStats>;
  close(): Promise<void>;
}

const STORE_METHODS = [
  'create', 'get', 'getHeader', 'readEvents', 'append', 'updateHeader', 'delete', 'list', 'exists', 'getStats', 'close',
] as const;

/** Runtime check for the `SessionStore` shape. */
export function isSessionStore(x: unknown): x is SessionStore {
  if (x === null || typeof x !== 'object') return false;
  const o = x as Record<string, unknown>;
  return (
    typeof o.backend === 'string' &&
    typeof o.capabilities === 'object' &&
    o.capabilities !== null &&
    STORE_METHODS.every((m) => typeof o[m] === 'function')
  );
}

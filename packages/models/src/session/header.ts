import { InvalidInput } from '../errors/errors.js';
import { parseInput } from '../errors/parse.js';
import type { Clock } from '../util/clock.js';
import { cloneJson } from '../util/json.js';
import { canonicalTimestamp, freeRecord, isPlainObject } from '../util/wire.js';
import { SessionMetadata } from './metadata.js';
import { SessionRun } from './run.js';
import { MAX_SESSION_ID_LENGTH, SCHEMA_VERSION, SessionHeaderWireSchema, SessionIdSchema } from './schemas.js';

/** Everything of a session but its events and token summary; `revision` and `eventCount` are kept by the store. */
export interface SessionHeader {
  id: string;
  metadata: SessionMetadata;
  parentId: string | null;
  childIds: string[];
  taskIds: string[];
  runs: SessionRun[];
  state: Record<string, unknown>;
  /** Header revision: 1 after `create`, +1 per `updateHeader`; 0 = never stored. */
  revision: number;
  /** Events stored. */
  eventCount: number;
}

/** Stored form of a header (`SessionHeaderWireSchema` output). */
export interface SessionHeaderWireOut {
  schema_version: number;
  id: string;
  metadata: { created_at: string; updated_at: string; properties: Record<string, unknown> };
  parent_id: string | null;
  child_ids: string[];
  task_ids: string[];
  runs: ReturnType<SessionRun['toWire']>[];
  state: Record<string, unknown>;
}

/** An independent deep copy of a header (metadata, runs, state and lists copied). */
export function cloneHeader(header: SessionHeader, clock?: Clock): SessionHeader {
  return {
    id: header.id,
    metadata: header.metadata.clone(clock),
    parentId: header.parentId,
    childIds: [...header.childIds],
    taskIds: [...header.taskIds],
    runs: header.runs.map((r) => r.clone(clock)),
    state: cloneJson(header.state),
    revision: header.revision,
    eventCount: header.eventCount,
  };
}

/** A compact, deeply frozen header as stores keep it; sessions copy from it on first access. */
export interface FrozenHeader {
  readonly id: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly parentId: string | null;
  readonly childIds: readonly string[];
  readonly taskIds: readonly string[];
  /** Frozen runs. */
  readonly runs: readonly SessionRun[];
  readonly state: Readonly<Record<string, unknown>>;
  readonly revision: number;
}

const EMPTY_LIST: readonly never[] = Object.freeze([]);

const EMPTY_RECORD: Readonly<Record<string, unknown>> = Object.freeze({});

function frozenRecord(record: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  for (const _key in record) return cloneJson(record, true);
  return EMPTY_RECORD;
}

function frozenList<T>(list: readonly T[]): readonly T[] {
  return list.length === 0 ? EMPTY_LIST : Object.freeze(list.slice());
}

/**
 * The parts of a header `freezeHeaderParts` freezes. A null part was never read from the frozen header the
 * session was made from: it is taken from that header as it is (already frozen), or is empty without one.
 */
export interface HeaderParts {
  id: string;
  parentId: string | null;
  metadata: SessionMetadata | null;
  childIds: readonly string[] | null;
  taskIds: readonly string[] | null;
  runs: readonly SessionRun[] | null;
  state: Readonly<Record<string, unknown>> | null;
}

/** A deep, frozen copy of `header` with `revision` (what in-memory stores keep). */
export function freezeHeader(header: SessionHeader, revision: number): FrozenHeader {
  return freezeHeaderParts(header, null, revision);
}

/**
 * A deep, frozen header with `revision` from `parts`: given parts are copied, null parts are shared with `base`
 * (frozen, so nothing is copied twice), or empty without a base.
 */
export function freezeHeaderParts(parts: HeaderParts, base: FrozenHeader | null, revision: number): FrozenHeader {
  const m = parts.metadata;
  const times = m ?? base;
  if (times === null) throw new InvalidInput({ field: 'header.metadata', reason: 'must be a SessionMetadata' });
  const runs = parts.runs;
  return Object.freeze({
    id: parts.id,
    createdAt: times.createdAt,
    updatedAt: times.updatedAt,
    properties: m === null ? times.properties : frozenRecord(m.properties),
    parentId: parts.parentId,
    childIds: parts.childIds === null ? (base?.childIds ?? EMPTY_LIST) : frozenList(parts.childIds),
    taskIds: parts.taskIds === null ? (base?.taskIds ?? EMPTY_LIST) : frozenList(parts.taskIds),
    runs: runs === null ? (base?.runs ?? EMPTY_LIST) : runs.length === 0 ? EMPTY_LIST : Object.freeze(runs.map(frozenRun)),
    state: parts.state === null ? (base?.state ?? EMPTY_RECORD) : frozenRecord(parts.state),
    revision,
  });
}

function frozenRun(run: SessionRun): SessionRun {
  const copy = run.clone();
  copy.metadata = cloneJson(copy.metadata, true);
  copy.toolCalls = Object.freeze(copy.toolCalls) as string[];
  Object.freeze(copy);
  return copy;
}

/** A mutable, independent header from a frozen one. */
export function thawHeader(frozen: FrozenHeader, options: { eventCount?: number; clock?: Clock } = {}): SessionHeader {
  return {
    id: frozen.id,
    metadata: thawMetadata(frozen, options.clock),
    parentId: frozen.parentId,
    childIds: [...frozen.childIds],
    taskIds: [...frozen.taskIds],
    runs: frozen.runs.map((r) => r.clone(options.clock)),
    state: cloneJson(frozen.state),
    revision: frozen.revision,
    eventCount: options.eventCount ?? 0,
  };
}

/** The metadata part of a frozen header, as a new mutable `SessionMetadata`. */
export function thawMetadata(frozen: FrozenHeader, clock?: Clock): SessionMetadata {
  return new SessionMetadata({
    createdAt: frozen.createdAt,
    updatedAt: frozen.updatedAt,
    properties: cloneJson(frozen.properties),
    clock,
  });
}

/** Stored form of a header (snake_case, `schema_version`); revision and count are kept beside it by stores. */
export function headerToWire(header: SessionHeader): SessionHeaderWireOut {
  return {
    schema_version: SCHEMA_VERSION,
    id: header.id,
    metadata: header.metadata.toWire(),
    parent_id: header.parentId,
    child_ids: header.childIds,
    task_ids: header.taskIds,
    runs: header.runs.map((r) => r.toWire()),
    state: header.state,
  };
}

/** Decodes a stored header; `InvalidInput` names the field. */
export function headerFromWire(
  raw: unknown,
  options: { revision?: number; eventCount?: number; clock?: Clock; field?: string } = {},
): SessionHeader {
  const fast = fastHeaderFromWire(raw, options);
  if (fast !== null) return fast;
  const field = options.field ?? 'header';
  const w = parseInput(SessionHeaderWireSchema, raw, field);
  const clock = options.clock;
  return {
    id: w.id,
    metadata: new SessionMetadata({
      createdAt: w.metadata.created_at,
      updatedAt: w.metadata.updated_at,
      properties: w.metadata.properties,
      clock,
    }),
    parentId: w.parent_id,
    childIds: w.child_ids,
    taskIds: w.task_ids,
    runs: w.runs.map(
      (r) =>
        new SessionRun({
          id: r.id,
          startedAt: r.started_at,
          endedAt: r.ended_at,
          status: r.status,
          metadata: r.metadata,
          toolCalls: r.tool_calls,
          clock,
        }),
    ),
    state: w.state,
    revision: options.revision ?? 0,
    eventCount: options.eventCount ?? 0,
  };
}

/** A list of strings, copied; null when it is anything else. */
function stringList(value: unknown): string[] | null {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return null;
  for (const item of value) if (typeof item !== 'string') return null;
  return (value as string[]).slice();
}

/**
 * `SessionHeaderWireSchema` without a schema parse, for the form every writer of this package stores
 * (canonical timestamps, no runs); null for anything else, which then goes through the schema (that also
 * reports the failing field).
 */
function fastHeaderFromWire(
  raw: unknown,
  options: { revision?: number; eventCount?: number; clock?: Clock },
): SessionHeader | null {
  if (!isPlainObject(raw)) return null;
  const version = raw.schema_version;
  if (version !== undefined && version !== SCHEMA_VERSION) return null;
  const id = raw.id;
  if (!isSessionId(id)) return null;
  const m = raw.metadata;
  if (!isPlainObject(m)) return null;
  const createdAt = canonicalTimestamp(m.created_at);
  const updatedAt = canonicalTimestamp(m.updated_at);
  const properties = freeRecord(m.properties);
  const parentId = raw.parent_id ?? null;
  const childIds = stringList(raw.child_ids);
  const taskIds = stringList(raw.task_ids);
  const runs = raw.runs;
  const state = freeRecord(raw.state);
  if (
    createdAt === null ||
    updatedAt === null ||
    properties === null ||
    (parentId !== null && typeof parentId !== 'string') ||
    childIds === null ||
    taskIds === null ||
    !(runs === undefined || (Array.isArray(runs) && runs.length === 0)) ||
    state === null
  ) {
    return null;
  }
  return {
    id,
    metadata: new SessionMetadata({ createdAt, updatedAt, properties, clock: options.clock }),
    parentId,
    childIds,
    taskIds,
    runs: [],
    state,
    revision: options.revision ?? 0,
    eventCount: options.eventCount ?? 0,
  };
}

/** Checks a session id (`SessionIdSchema`); throws `InvalidInput` (field `sessionId`). */
export function assertSessionId(id: unknown, field = 'sessionId'): asserts id is string {
  if (!isSessionId(id)) parseInput(SessionIdSchema, id, field);
}

// eslint-disable-next-line no-control-regex
const BAD_ID_CHARS = /[\s\u0000-\u001f\u007f{}]/u;
const ASCII_SPACE = 0x20;
const ASCII_DEL = 0x7f;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Fast form of `SessionIdSchema` (no schema parse; a character loop for ASCII ids, the regex otherwise). */
export function isSessionId(id: unknown): id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_SESSION_ID_LENGTH) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    // beyond ASCII, `\s` also matches Unicode spaces: the regex decides
    if (c > ASCII_DEL) return !BAD_ID_CHARS.test(id);
    if (c <= ASCII_SPACE || c === ASCII_DEL || c === OPEN_BRACE || c === CLOSE_BRACE) return false;
  }
  return true;
}

/** Cheap structural check of a header handed to a store (no schema parse per call). */
export function assertHeader(header: unknown): asserts header is SessionHeader {
  if (header === null || typeof header !== 'object') throw new InvalidInput({ field: 'header', reason: 'must be an object' });
  assertHeaderParts(header, false);
}

/** `assertHeader` of the parts (`lazy`: a null part is allowed, see `HeaderParts`). */
export function assertHeaderParts(h: Partial<HeaderParts>, lazy: boolean): asserts h is HeaderParts {
  assertSessionId(h.id, 'header.id');
  if (!(h.metadata instanceof SessionMetadata || (lazy && h.metadata === null))) {
    throw new InvalidInput({ field: 'header.metadata', reason: 'must be a SessionMetadata' });
  }
  if (h.parentId !== null && typeof h.parentId !== 'string') {
    throw new InvalidInput({ field: 'header.parentId', reason: 'must be a string or null' });
  }
  if (!isPart(h.childIds, lazy, Array.isArray)) throw new InvalidInput({ field: 'header.childIds', reason: 'must be an array' });
  if (!isPart(h.taskIds, lazy, Array.isArray)) throw new InvalidInput({ field: 'header.taskIds', reason: 'must be an array' });
  if (!isPart(h.runs, lazy, allRuns)) throw new InvalidInput({ field: 'header.runs', reason: 'must be an array of SessionRun' });
  if (!isPart(h.state, lazy, isObject)) throw new InvalidInput({ field: 'header.state', reason: 'must be an object' });
}

function isPart(value: unknown, lazy: boolean, check: (value: unknown) => boolean): boolean {
  return (lazy && value === null) || check(value);
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

function allRuns(runs: unknown): boolean {
  if (!Array.isArray(runs)) return false;
  for (const r of runs) if (!(r instanceof SessionRun)) return false;
  return true;
}

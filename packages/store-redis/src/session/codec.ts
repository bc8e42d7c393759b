import { InvalidInput, SessionEvent, assertHeader, assertSessionId, headerFromWire, headerToWire } from '@chuk/models';
import type { SessionHeader } from '@chuk/models';

/** `session_type` of the header hash (parity with the reference's envelope check). */
export const SESSION_TYPE = 'ai_session_manager';
/** `schema_version` field of the header hash. */
export const STORE_SCHEMA_VERSION = '1';

/** Header hash as read back with HGETALL (all values are strings). */
export type HeaderFields = Record<string, string>;

export function checkSessionId(id: unknown): asserts id is string {
  assertSessionId(id);
}

export function encodeHeader(header: SessionHeader): string {
  assertHeader(header);
  try {
    return JSON.stringify(headerToWire(header));
  } catch (error) {
    throw new InvalidInput({ field: 'header', reason: 'must be JSON-serialisable', cause: error });
  }
}

export function encodeEvent(event: SessionEvent, index = 0): string {
  if (!(event instanceof SessionEvent)) throw new InvalidInput({ field: `events.${index}`, reason: 'must be a SessionEvent' });
  try {
    return JSON.stringify(event.toWire());
  } catch (error) {
    throw new InvalidInput({ field: `events.${index}`, reason: 'must be JSON-serialisable', cause: error });
  }
}

/** `properties.user_id` when it is a string (recorded in the hash for filtering, spec §13.2). */
export function userIdOf(header: SessionHeader): string | null {
  const userId = header.metadata.properties.user_id;
  return typeof userId === 'string' ? userId : null;
}

function intField(fields: HeaderFields, name: string): number {
  const value = Number(fields[name]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`header hash field ${name} is not a count: ${String(fields[name])}`);
  return value;
}

/** Decodes the header hash; throws on corrupt data (callers wrap it in StorageError). */
export function decodeHeader(fields: HeaderFields): SessionHeader {
  const json = fields.header;
  if (json === undefined) throw new Error('header hash has no header field');
  return headerFromWire(JSON.parse(json) as unknown, {
    revision: intField(fields, 'revision'),
    eventCount: intField(fields, 'event_count'),
  });
}

export function decodeEvents<M>(raw: readonly string[], offset = 0): SessionEvent<M>[] {
  return raw.map((json, i) => SessionEvent.fromWire<M>(JSON.parse(json) as unknown, { field: `events.${offset + i}` }));
}

import { InvalidInput, SessionEvent, headerFromWire } from '@chuk/models';
import type { SessionHeader } from '@chuk/models';

/** Header hash as read back with HGETALL (all values are strings). */
export type HeaderFields = Record<string, string>;

export function encodeEvent(event: SessionEvent, index = 0): string {
  if (!(event instanceof SessionEvent)) throw new InvalidInput({ field: `events.${index}`, reason: 'must be a SessionEvent' });
  try {
    return JSON.stringify(event.toWire());
  } catch (error) {
    throw new InvalidInput({ field: `events.${index}`, reason: 'must be JSON-serialisable', cause: error });
  }
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

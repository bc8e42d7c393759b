import { InvalidInput, SessionEvent, StorageError, headerFromWire } from '@chuk/models';
import type { SessionHeader } from '@chuk/models';
import { S3_BACKEND } from '../client/errors.js';

/** Body of one event object: a JSON array of the events' wire form. */
export function encodeEvents(events: readonly SessionEvent[]): string {
  const wire = events.map((event, index) => {
    if (!(event instanceof SessionEvent)) throw new InvalidInput({ field: `events.${index}`, reason: 'must be a SessionEvent' });
    return event.toWire();
  });
  try {
    return JSON.stringify(wire);
  } catch (error) {
    throw new InvalidInput({ field: 'events', reason: 'must be JSON-serialisable', cause: error });
  }
}

/** Decodes header.json; `revision` comes from the object metadata. Throws on corrupt data. */
export function decodeHeader(json: string, revision: number, eventCount: number): SessionHeader {
  if (revision < 0) throw new Error('header object has no valid revision metadata');
  return headerFromWire(JSON.parse(json) as unknown, { revision, eventCount });
}

/** Decodes one event object; throws on corrupt data (callers wrap it in StorageError). */
export function decodeEventArray<M>(json: string, key: string): SessionEvent<M>[] {
  const raw = JSON.parse(json) as unknown;
  if (!Array.isArray(raw)) throw new InvalidInput({ field: key, reason: 'event object is not a JSON array' });
  return raw.map((item: unknown, i) => SessionEvent.fromWire<M>(item, { field: `${key}.${i}` }));
}

/** Runs a decode step; anything it throws becomes `StorageError(operation)` (corrupt stored data). */
export function decoding<T>(operation: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new StorageError({ operation, backend: S3_BACKEND, cause: error });
  }
}

/** Runs a read-and-decode step; decode failures (InvalidInput, SyntaxError) become `StorageError(operation)`, I/O errors pass. */
export async function decodingAsync<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof InvalidInput || error instanceof SyntaxError) {
      throw new StorageError({ operation, backend: S3_BACKEND, cause: error });
    }
    throw error;
  }
}

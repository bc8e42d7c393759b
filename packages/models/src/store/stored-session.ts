import type { SessionEvent } from '../session/event.js';
import type { SessionHeader } from '../session/header.js';
import { Session, type SessionOptions } from '../session/session.js';
import { parseTimestamp } from '../util/time.js';

/**
 * The session a store returns from a stored header and its events. Appends never rewrite the
 * header (D2), so `metadata.updatedAt` becomes the later of the header's value and the last
 * event's timestamp. Takes ownership of `header` (its metadata is updated in place), like
 * `Session.fromLog`.
 */
export function sessionFromStoredLog<M = unknown>(
  header: SessionHeader,
  events: readonly SessionEvent<M>[],
  options: SessionOptions = {},
): Session<M> {
  const last = events[events.length - 1];
  if (last !== undefined && parseTimestamp(last.timestamp) > parseTimestamp(header.metadata.updatedAt)) {
    header.metadata.updatedAt = last.timestamp;
  }
  return Session.fromLog<M>(header, events, options);
}

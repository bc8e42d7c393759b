/** What the persistent stores (Redis, S3) write beside a session header, shared so their formats stay one. */
import { InvalidInput } from '../errors/errors.js';
import { USER_ID_PROPERTY } from '../messages/index.js';
import type { SessionHeader } from '../session/header.js';
import { assertHeader, headerToWire } from '../session/header.js';

/** `session_type` recorded beside a stored header (parity with the reference's envelope check). */
export const STORE_SESSION_TYPE = 'ai_session_manager';
/** `schema_version` recorded beside a stored header, as text (hash fields and object metadata are strings). */
export const STORE_SCHEMA_VERSION = '1';

/** The stored JSON of a header (`headerToWire`), after `assertHeader`; `InvalidInput` (field `header`) when not serialisable. */
export function headerToWireJson(header: SessionHeader): string {
  assertHeader(header);
  try {
    return JSON.stringify(headerToWire(header));
  } catch (error) {
    throw new InvalidInput({ field: 'header', reason: 'must be JSON-serialisable', cause: error });
  }
}

/** `properties.user_id` of a header when it is a string, else null (stores record it for filtering). */
export function headerUserId(header: SessionHeader): string | null {
  const userId = header.metadata.properties[USER_ID_PROPERTY];
  return typeof userId === 'string' ? userId : null;
}

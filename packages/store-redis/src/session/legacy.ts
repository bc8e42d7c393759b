import { STORE_SESSION_TYPE, Session, SessionAlreadyExists } from '@chuk/models';
import type { Logger, SessionStore } from '@chuk/models';
import type { RedisClient } from '../client/create-client.js';
import { legacySessionKey } from '../client/keys.js';

interface LegacyEnvelope {
  custom_metadata?: { session_type?: unknown; ai_session_data?: unknown };
}

/**
 * Reads a chuk-sessions envelope at `session:<id>` (spec §12.2, §13.5): accepted only when
 * `custom_metadata.session_type` is `ai_session_manager`; the session JSON inside it is a string
 * (double encoding). Returns null when there is no such envelope. Throws on corrupt data.
 */
export async function readLegacyEnvelope(client: RedisClient, sessionId: string, logger: Logger): Promise<Session | null> {
  const raw = await client.get(legacySessionKey(sessionId));
  if (raw === null) return null;
  const envelope = JSON.parse(raw) as LegacyEnvelope;
  const custom = envelope.custom_metadata;
  if (custom?.session_type !== STORE_SESSION_TYPE || typeof custom.ai_session_data !== 'string') {
    logger.debug({ sessionId }, 'legacy key is not an ai_session_manager envelope');
    return null;
  }
  return Session.fromWire(JSON.parse(custom.ai_session_data) as unknown);
}

/**
 * Migrates a legacy session to the native keys: `create` from its header, then `append` of its
 * events. Both are idempotent, so two processes migrating at once are harmless. The legacy key is
 * left untouched (it expires on its own).
 */
export async function migrateLegacySession(store: SessionStore, session: Session): Promise<void> {
  try {
    await store.create(session.toHeader());
  } catch (error) {
    if (!(error instanceof SessionAlreadyExists)) throw error;
  }
  if (session.events.length > 0) await store.append(session.id, session.events);
}

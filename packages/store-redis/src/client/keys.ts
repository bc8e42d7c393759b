/** Key layout (spec §13.2 and §13.4). The braces are a Redis Cluster hash tag. */
export interface SessionKeys {
  hash: string;
  events: string;
  ids: string;
}

export function sessionKeys(keyPrefix: string, sessionId: string): SessionKeys {
  const hash = `${keyPrefix}session:{${sessionId}}`;
  return { hash, events: `${hash}:events`, ids: `${hash}:ids` };
}

/** The chuk-sessions (reference) key of a session, no prefix (spec §12.2). */
export function legacySessionKey(sessionId: string): string {
  return `session:${sessionId}`;
}

export function blobKey(keyPrefix: string, key: string): string {
  return `${keyPrefix}blob:${key}`;
}

/** Backslash-escapes the Redis glob characters `* ? [ ] \`. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** SCAN pattern of the session hashes whose id starts with `idPrefix`. */
export function sessionScanPattern(keyPrefix: string, idPrefix: string): string {
  return `${escapeGlob(keyPrefix)}session:{${escapeGlob(idPrefix)}*`;
}

/** The session id of a session hash key, or null for any other key (`:events`, `:ids`, foreign keys). */
export function sessionIdOfKey(keyPrefix: string, key: string): string | null {
  const head = `${keyPrefix}session:{`;
  if (!key.startsWith(head) || !key.endsWith('}')) return null;
  const id = key.slice(head.length, -1);
  return id === '' || id.includes('{') || id.includes('}') ? null : id;
}

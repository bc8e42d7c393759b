/**
 * Object layout (spec models-and-stores.md §14.2): everything of a session under
 * `<prefix>sessions/<enc(id)>/`, the header at `header.json`, the events in immutable objects
 * `events/<start>.json` (start zero-padded to 12 digits so key order is log order).
 */
export const EVENT_POSITION_DIGITS = 12;
export const HEADER_FILE = 'header.json';
export const EVENTS_FOLDER = 'events/';
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * `encodeURIComponent(id)`, except that a leading `.` becomes `%2E`, so the ids `.` and `..`
 * never form a dot path segment. Prefix-preserving: enc(p) is a prefix of enc(id) when p is of id.
 */
export function encodeSessionId(id: string): string {
  return id.startsWith('.') ? `%2E${encodeURIComponent(id.slice(1))}` : encodeURIComponent(id);
}

export function decodeSessionId(segment: string): string {
  return decodeURIComponent(segment);
}

export class S3Layout {
  constructor(readonly prefix: string) {}

  get sessionsRoot(): string {
    return `${this.prefix}sessions/`;
  }

  get blobsRoot(): string {
    return `${this.prefix}blobs/`;
  }

  folder(sessionId: string): string {
    return `${this.sessionsRoot}${encodeSessionId(sessionId)}/`;
  }

  header(sessionId: string): string {
    return `${this.folder(sessionId)}${HEADER_FILE}`;
  }

  eventsFolder(sessionId: string): string {
    return `${this.folder(sessionId)}${EVENTS_FOLDER}`;
  }

  eventObject(sessionId: string, start: number): string {
    return `${this.eventsFolder(sessionId)}${String(start).padStart(EVENT_POSITION_DIGITS, '0')}.json`;
  }

  /** Log position of an event object's first event, or null for a foreign key. */
  startOf(eventKey: string): number | null {
    const match = /\/events\/(\d+)\.json$/.exec(eventKey);
    return match === null ? null : Number(match[1]);
  }

  /** The id of a session folder common prefix (`…/sessions/<enc>/`), or null. */
  idOfFolder(commonPrefix: string): string | null {
    if (!commonPrefix.startsWith(this.sessionsRoot) || !commonPrefix.endsWith('/')) return null;
    const segment = commonPrefix.slice(this.sessionsRoot.length, -1);
    if (segment === '' || segment.includes('/')) return null;
    try {
      return decodeSessionId(segment);
    } catch {
      return null;
    }
  }

  blob(key: string): string {
    return `${this.blobsRoot}${key}`;
  }
}

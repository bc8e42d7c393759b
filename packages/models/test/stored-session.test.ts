import { describe, expect, it } from 'vitest';
import { Session, SessionEvent, sessionFromStoredLog } from '../src/index.js';

const HEADER_TIME = '2026-01-01T00:00:00.000Z';

function storedHeader() {
  return new Session({ id: 's1', clock: () => new Date(HEADER_TIME) }).toHeader();
}

describe('sessionFromStoredLog', () => {
  it('takes updatedAt from the last event when it is later than the stored header', () => {
    const events = [
      new SessionEvent({ id: 'e1', message: 'a', timestamp: '2026-01-01T00:00:05.000Z' }),
      new SessionEvent({ id: 'e2', message: 'b', timestamp: '2026-01-01T00:00:09.000Z' }),
    ];
    const session = sessionFromStoredLog(storedHeader(), events);
    expect(session.metadata.updatedAt).toBe('2026-01-01T00:00:09.000Z');
    expect(session.events.map((e) => e.id)).toEqual(['e1', 'e2']);
  });

  it('keeps the header value when no event is later, or there are no events', () => {
    const older = [new SessionEvent({ id: 'e1', message: 'a', timestamp: '2025-12-31T23:59:00.000Z' })];
    expect(sessionFromStoredLog(storedHeader(), older).metadata.updatedAt).toBe(HEADER_TIME);
    expect(sessionFromStoredLog(storedHeader(), []).metadata.updatedAt).toBe(HEADER_TIME);
  });
});

import { InMemorySessionStore, Session, SessionVersionConflict } from '@chuk/models';
import type { SessionHeader, SessionStore } from '@chuk/models';
import { describe, expect, it } from 'vitest';
import { storeToolEventSink } from '../src/processor/sink.js';

describe('storeToolEventSink', () => {
  it('setState re-applies the change after a lost header race', async () => {
    const store = new InMemorySessionStore();
    await Session.create({ store, id: 'race' });
    let conflicts = 0;
    const racing = {
      getHeader: (id: string) => store.getHeader(id),
      updateHeader: async (header: SessionHeader, opts: { expectedRevision: number }) => {
        if (conflicts++ === 0) {
          const fresh = await store.getHeader('race');
          if (fresh === null) throw new Error('missing');
          await store.updateHeader({ ...fresh, state: { other: 1 } }, { expectedRevision: fresh.revision });
          throw new SessionVersionConflict({ sessionId: 'race', kind: 'revision', expected: opts.expectedRevision, actual: opts.expectedRevision + 1 });
        }
        return store.updateHeader(header, opts);
      },
      append: store.append.bind(store),
    } as unknown as SessionStore;
    const sink = storeToolEventSink(racing, 'race');
    await sink.setState('tool_state', { v: 1 });
    const header = await store.getHeader('race');
    expect(header?.state).toEqual({ other: 1, tool_state: { v: 1 } });
    expect(conflicts).toBe(2);
    expect(sink.id).toBe('race');
  });
});

/**
 * W1 store and W1b cold get (../shared/bench/workloads.md). W1: the default in-memory `SessionStore`,
 * 50,000 pre-built small sessions, `await create(s); await get(s.id)` each (2 ops per pair). W1b: 50,000
 * `get()` from a store that keeps the wire JSON and decodes it on every read, as a persistent store does.
 */
import { InMemorySessionStore, MemoryEncoding, Session } from '@chuk/models';
import type { RunResult, Workload } from '../lib/harness.js';

export const SESSIONS = 50_000;
const OPS_PER_PAIR = 2;
const MS_PER_S = 1000;

function buildSessions(prefix: string): Session[] {
  return Array.from(
    { length: SESSIONS },
    (_, i) => new Session({ id: `${prefix}-${String(i).padStart(5, '0')}`, properties: { user_id: 'bench-user' } }),
  );
}

const w1: Workload = {
  id: 'W1',
  title: 'store: in-memory create + get (50,000 sessions)',
  async run(run: number): Promise<RunResult> {
    const sessions = buildSessions(`w1-r${run}`);
    const store = new InMemorySessionStore();
    const start = performance.now();
    for (const s of sessions) {
      await store.create(s);
      await store.get(s.id);
    }
    const ms = performance.now() - start;
    return {
      figures: [
        { name: 'W1', unit: 'ops/s', value: (SESSIONS * OPS_PER_PAIR * MS_PER_S) / ms, description: 'InMemorySessionStore create+get, 2 ops per pair' },
      ],
    };
  },
};

const w1b: Workload = {
  id: 'W1b',
  title: 'cold get: decode from the stored wire form (50,000 sessions)',
  async run(run: number): Promise<RunResult> {
    const sessions = buildSessions(`w1b-r${run}`);
    const store = new InMemorySessionStore({ encoding: MemoryEncoding.Json });
    for (const s of sessions) await store.create(s);
    const start = performance.now();
    for (const s of sessions) await store.get(s.id);
    const ms = performance.now() - start;
    return {
      figures: [
        { name: 'W1b', unit: 'ops/s', value: (SESSIONS * MS_PER_S) / ms, description: 'InMemorySessionStore (json encoding) get, wire JSON decoded per read' },
      ],
    };
  },
};

export default [w1, w1b];

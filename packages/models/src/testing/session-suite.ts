import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInput, SessionAlreadyExists, SessionNotFound, SessionVersionConflict, StorageError } from '../errors/errors.js';
import type { SessionEvent } from '../session/event.js';
import { updateHeaderWithRetry } from '../session/header-retry.js';
import { SessionMetadata } from '../session/metadata.js';
import { Session } from '../session/session.js';
import type { SessionStore, StoreCapabilities } from '../store/contracts.js';
import { StoreCapabilitiesSchema, StoreStatsSchema, isSessionStore } from '../store/contracts.js';
import { makeEvents, makeSession, req, totalTokensOf, uniqueId } from './fixtures.js';

/** What a store author's factory returns for each test. */
export interface SessionStoreHarness {
  store: SessionStore;
  /** A second store instance on the same backing data (another process, in effect). */
  reopen?: () => Promise<SessionStore>;
  /** Moves the store's clock forward (fake clock, or a real wait); enables the TTL cases with `ttlSeconds`. */
  advanceTime?: (ms: number) => Promise<void>;
  /** Damages what is stored for `sessionId` so that reading it must fail (enables the corrupt-data case). */
  corrupt?: (sessionId: string) => Promise<void>;
  /** Called after each test (close clients, drop data). */
  cleanup?: () => Promise<void>;
}

export interface SessionStoreSuiteOptions {
  /** The store's TTL in seconds (needed by the TTL cases with `advanceTime`). */
  ttlSeconds?: number;
  /** Fallback for `SessionStoreHarness.advanceTime`. */
  advanceTime?: (ms: number) => Promise<void>;
  /** Events each writer appends in the concurrency cases (default 50). */
  concurrentEvents?: number;
  /**
   * Overrides of the capabilities the suite relies on when gating cases, e.g. `{ atomicAppend: false }` for a
   * test server that ignores the conditional requests the store sends.
   */
  capabilities?: Partial<StoreCapabilities>;
}

const MS_PER_SECOND = 1000;
const DEFAULT_CONCURRENT_EVENTS = 50;
const PAGE_LIMIT = 2;

async function drain(store: SessionStore, prefix: string, limit: number): Promise<string[]> {
  const seen = new Set<string>();
  let cursor: string | null = null;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.list(prefix, { cursor, limit });
    for (const id of page.ids) seen.add(id);
    cursor = page.cursor;
    if (cursor === null) break;
  }
  return [...seen].sort();
}

async function appendCatchingUp(store: SessionStore, id: string, events: readonly SessionEvent[]): Promise<void> {
  for (const event of events) {
    for (;;) {
      const header = await store.getHeader(id);
      try {
        await store.append(id, [event], { expectedCount: header?.eventCount ?? 0 });
        break;
      } catch (e) {
        if (!(e instanceof SessionVersionConflict)) throw e;
      }
    }
  }
}

/**
 * The `SessionStore` conformance cases of spec M §11 / §15 as a vitest suite. Cases needing a capability or a
 * harness hook (TTL, atomic appends, corrupt data, second instance) run only when it is available.
 */
export function defineSessionStoreSuite(
  name: string,
  factory: () => Promise<SessionStoreHarness>,
  options: SessionStoreSuiteOptions = {},
): void {
  describe(`SessionStore conformance: ${name}`, () => {
    let h: SessionStoreHarness;
    let store: SessionStore;
    const caps = (): StoreCapabilities => ({ ...store.capabilities, ...options.capabilities });
    beforeEach(async () => {
      h = await factory();
      store = h.store;
    });
    afterEach(async () => {
      await h.cleanup?.();
    });

    it('has the contract shape', async () => {
      expect(isSessionStore(store)).toBe(true);
      expect(StoreCapabilitiesSchema.safeParse(store.capabilities).success).toBe(true);
      const stats = StoreStatsSchema.parse(await store.getStats());
      expect(stats.backend).toBe(store.backend);
      if (store.capabilities.ttl) expect(typeof store.extendTtl).toBe('function');
    });

    it('create then get returns an equal, independent snapshot', async () => {
      const id = uniqueId('snap');
      const s = makeSession(id);
      s.setState('k', { deep: [1] });
      expect(await store.create(s.toHeader())).toBe(1);
      s.metadata.properties.user_id = 'changed-after-create';
      s.state.k = 'changed';
      const got = await store.get(id);
      expect(got).not.toBeNull();
      expect(got).not.toBe(s);
      expect(got?.revision).toBe(1);
      expect(got?.events).toHaveLength(0);
      expect(got?.metadata.properties.user_id).toBe('kit-user');
      expect(got?.getState('k')).toEqual({ deep: [1] });
      got?.metadata.setProperty('user_id', 'mutated');
      (got?.getState('k') as { deep: number[] }).deep.push(2);
      const header = await store.getHeader(id);
      header?.childIds.push('x');
      const again = await store.get(id);
      expect(again?.metadata.properties.user_id).toBe('kit-user');
      expect(again?.getState('k')).toEqual({ deep: [1] });
      expect(again?.childIds).toEqual([]);
      expect(header?.revision).toBe(1);
      expect(header?.eventCount).toBe(0);
    });

    it('returned events cannot change storage', async () => {
      const id = uniqueId('ev');
      await store.create(makeSession(id).toHeader());
      const [e] = makeEvents('ev', 1);
      await store.append(id, [req(e)]);
      (req(e).message as { text: string }).text = 'changed-after-append';
      const got = await store.get(id);
      const first = got?.events[0];
      try {
        (first?.message as { text: string }).text = 'mutated';
        first?.setMetadata('x', 1);
      } catch {
        // frozen events refuse mutation; copies accept it — either way storage must not change
      }
      const again = await store.readEvents(id);
      expect((again?.[0]?.message as { text: string }).text).toBe('message 0');
      expect(again?.[0]?.metadata).toEqual({});
    });

    it('create on an existing id, missing sessions, delete', async () => {
      const id = uniqueId('exists');
      await store.create(makeSession(id).toHeader());
      await expect(store.create(makeSession(id).toHeader())).rejects.toBeInstanceOf(SessionAlreadyExists);
      await expect(Session.create({ id, store })).rejects.toBeInstanceOf(SessionAlreadyExists);
      const missing = uniqueId('missing');
      expect(await store.get(missing)).toBeNull();
      expect(await store.getHeader(missing)).toBeNull();
      expect(await store.readEvents(missing)).toBeNull();
      expect(await store.exists(missing)).toBe(false);
      expect(await store.delete(missing)).toBe(false);
      await store.append(id, makeEvents('del', 2));
      expect(await store.exists(id)).toBe(true);
      expect(await store.delete(id)).toBe(true);
      expect(await store.get(id)).toBeNull();
      expect(await store.create(makeSession(id).toHeader())).toBe(1);
      expect((await store.get(id))?.events).toHaveLength(0);
    });

    it('rejects an invalid header with InvalidInput', async () => {
      const bad = { ...makeSession(uniqueId('bad')).toHeader(), id: 'has {braces}' };
      await expect(store.create(bad)).rejects.toBeInstanceOf(InvalidInput);
    });

    it('append: order, counts, paging and token totals', async () => {
      const id = uniqueId('append');
      await expect(store.append(id, makeEvents('x', 1))).rejects.toBeInstanceOf(SessionNotFound);
      await store.create(makeSession(id).toHeader());
      const events = makeEvents('a', 7);
      expect(await store.append(id, events.slice(0, 3))).toEqual({ appended: 3, eventCount: 3 });
      expect(await store.append(id, events.slice(3))).toEqual({ appended: 4, eventCount: 7 });
      const got = await store.get(id);
      expect(got?.events.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(got?.eventCount).toBe(7);
      expect(got?.events[2]?.message).toEqual(events[2]?.message);
      expect(got?.events[2]?.tokenUsage?.toWire()).toEqual(events[2]?.tokenUsage?.toWire());
      expect(got?.tokenSummary.totalTokens).toBe(totalTokensOf(events));
      const pages: string[] = [];
      for (let from = 0; from < 7; from += 3) {
        const page = await store.readEvents(id, { from, limit: 3 });
        pages.push(...(page ?? []).map((e) => e.id));
      }
      expect(pages).toEqual(events.map((e) => e.id));
      expect(await store.readEvents(id, { from: 7 })).toEqual([]);
      expect(await store.readEvents(id, { from: 100, limit: 5 })).toEqual([]);
      expect((await store.getHeader(id))?.eventCount).toBe(7);
    });

    it('append is idempotent by event id', async () => {
      const id = uniqueId('idem');
      await store.create(makeSession(id).toHeader());
      const events = makeEvents('i', 4);
      expect(await store.append(id, events.slice(0, 2))).toEqual({ appended: 2, eventCount: 2 });
      expect(await store.append(id, events.slice(0, 2))).toEqual({ appended: 0, eventCount: 2 });
      expect(await store.append(id, events.slice(1, 3))).toEqual({ appended: 1, eventCount: 3 });
      expect(await store.append(id, [req(events[3]), req(events[3])])).toEqual({ appended: 1, eventCount: 4 });
      expect((await store.get(id))?.events.map((e) => e.id)).toEqual(events.map((e) => e.id));
    });

    it('append with expectedCount is a compare-and-set', async () => {
      const id = uniqueId('cas');
      await store.create(makeSession(id).toHeader());
      const events = makeEvents('c', 3);
      expect(await store.append(id, [req(events[0])], { expectedCount: 0 })).toEqual({ appended: 1, eventCount: 1 });
      const err = await store.append(id, [req(events[1])], { expectedCount: 0 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SessionVersionConflict);
      expect(err).toBeInstanceOf(StorageError);
      expect(err).toMatchObject({ kind: 'eventCount', expected: 0, actual: 1, sessionId: id });
      expect((await store.readEvents(id))?.map((e) => e.id)).toEqual(['c-0']);
      expect(await store.append(id, [req(events[0])], { expectedCount: 0 })).toEqual({ appended: 0, eventCount: 1 });
      expect(await store.append(id, [req(events[1])], { expectedCount: 1 })).toEqual({ appended: 1, eventCount: 2 });
    });

    it('updateHeader is a compare-and-set on the revision', async () => {
      const id = uniqueId('rev');
      await store.create(makeSession(id).toHeader());
      await store.append(id, makeEvents('r', 2));
      const s = req(await store.get(id));
      s.setState('a', 1);
      s.childIds.push('child-1');
      expect(await store.updateHeader(s.toHeader(), { expectedRevision: 1 })).toBe(2);
      const err = await store.updateHeader(s.toHeader(), { expectedRevision: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SessionVersionConflict);
      expect(err).toMatchObject({ kind: 'revision', expected: 1, actual: 2 });
      await expect(
        store.updateHeader({ ...s.toHeader(), id: uniqueId('nohdr') }, { expectedRevision: 1 }),
      ).rejects.toBeInstanceOf(SessionNotFound);
      const after = req(await store.get(id));
      expect(after.revision).toBe(2);
      expect(after.getState('a')).toBe(1);
      expect(after.childIds).toEqual(['child-1']);
      expect(after.events).toHaveLength(2);
      await store.append(id, makeEvents('r', 1, 2));
      expect((await store.getHeader(id))?.revision).toBe(2);
    });

    it('updateHeaderWithRetry keeps both writers\' changes', async () => {
      const id = uniqueId('retry');
      await store.create(makeSession(id).toHeader());
      const a = req(await store.get(id));
      const b = req(await store.get(id));
      await updateHeaderWithRetry(store, a, (s) => { s.metadata.properties.a = 1; return true; });
      await updateHeaderWithRetry(store, b, (s) => { s.metadata.properties.b = 2; return true; });
      const header = await store.getHeader(id);
      expect(header?.metadata.properties).toMatchObject({ a: 1, b: 2 });
      expect(header?.revision).toBe(3);
    });

    it('metadata.updatedAt reflects the last event', async () => {
      const id = uniqueId('upd');
      const s = new Session({ id, metadata: new SessionMetadata({ createdAt: '2020-01-01T00:00:00.000Z', updatedAt: '2020-01-01T00:00:00.000Z' }) });
      await store.create(s.toHeader());
      const [e] = makeEvents('u', 1);
      await store.append(id, [req(e)]);
      expect((await store.get(id))?.metadata.updatedAt).toBe(req(e).timestamp);
    });

    const n = options.concurrentEvents ?? DEFAULT_CONCURRENT_EVENTS;

    it(`two writers appending ${n} events each, sequentially interleaved, lose nothing`, async () => {
      const id = uniqueId('seq');
      await store.create(makeSession(id).toHeader());
      const a = makeEvents('wa', n);
      const b = makeEvents('wb', n);
      for (let i = 0; i < n; i++) {
        await store.append(id, [req(a[i])]);
        await store.append(id, [req(b[i])]);
      }
      const got = req(await store.get(id));
      expect(got.events).toHaveLength(2 * n);
      expect(got.tokenSummary.totalTokens).toBe(totalTokensOf(a) + totalTokensOf(b));
    });

    it(`two writers appending ${n} events each concurrently lose and duplicate nothing`, async (ctx) => {
      if (!caps().atomicAppend) ctx.skip();
      const id = uniqueId('conc');
      await store.create(makeSession(id).toHeader());
      const other = h.reopen === undefined ? store : await h.reopen();
      const a = makeEvents('ca', n);
      const b = makeEvents('cb', n);
      await Promise.all([
        Promise.all(a.map((e) => store.append(id, [e]))),
        Promise.all(b.map((e) => other.append(id, [e]))),
      ]);
      const got = req(await store.get(id));
      const ids = got.events.map((e) => e.id);
      expect(ids).toHaveLength(2 * n);
      expect(new Set(ids).size).toBe(2 * n);
      expect(ids.filter((x) => x.startsWith('ca-'))).toEqual(a.map((e) => e.id));
      expect(ids.filter((x) => x.startsWith('cb-'))).toEqual(b.map((e) => e.id));
      expect(got.tokenSummary.totalTokens).toBe(totalTokensOf(a) + totalTokensOf(b));
      if (other !== store) await other.close();
    });

    it('concurrent writers with expectedCount and catch-up lose nothing', async (ctx) => {
      if (!caps().atomicAppend) ctx.skip();
      const id = uniqueId('cascat');
      await store.create(makeSession(id).toHeader());
      const a = makeEvents('xa', 10);
      const b = makeEvents('xb', 10);
      await Promise.all([appendCatchingUp(store, id, a), appendCatchingUp(store, id, b)]);
      const ids = req(await store.readEvents(id)).map((e) => e.id);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
    });

    it('list: prefixes, glob characters, unicode and paging', async () => {
      const base = uniqueId('list');
      const ids = [`${base}-a1`, `${base}-a2`, `${base}-a*3`, `${base}-b?1`, `${base}-[c]`, `${base}-ünï`, `${base}-日本`];
      for (const id of ids) await store.create(makeSession(id).toHeader());
      expect(await drain(store, base, 100)).toEqual([...ids].sort());
      expect(await drain(store, `${base}-a`, 100)).toEqual([`${base}-a*3`, `${base}-a1`, `${base}-a2`].sort());
      expect(await drain(store, `${base}-a*`, 100)).toEqual([`${base}-a*3`]);
      expect(await drain(store, `${base}-b?`, 100)).toEqual([`${base}-b?1`]);
      expect(await drain(store, `${base}-[`, 100)).toEqual([`${base}-[c]`]);
      expect(await drain(store, `${base}-日`, 100)).toEqual([`${base}-日本`]);
      expect(await drain(store, base, PAGE_LIMIT)).toEqual([...ids].sort());
      const all = await drain(store, '', 100);
      for (const id of ids) expect(all).toContain(id);
      expect(await drain(store, uniqueId('none'), 10)).toEqual([]);
    });

    it('round trip through a second store instance', async (ctx) => {
      if (h.reopen === undefined) ctx.skip();
      const id = uniqueId('reopen');
      const s = makeSession(id);
      s.setState('k', 'v');
      await store.create(s.toHeader());
      await store.append(id, makeEvents('ro', 3));
      const second = await req(h.reopen)();
      const got = await second.get(id);
      expect(got?.events.map((e) => e.id)).toEqual(['ro-0', 'ro-1', 'ro-2']);
      expect(got?.getState('k')).toBe('v');
      expect(got?.metadata.properties).toEqual({ user_id: 'kit-user' });
      expect(await second.append(id, makeEvents('ro', 1, 3))).toEqual({ appended: 1, eventCount: 4 });
      expect((await store.readEvents(id))?.map((e) => e.id)).toContain('ro-3');
      expect((await drain(second, id, 10))).toEqual([id]);
      await second.close();
    });

    it('corrupt stored data → StorageError, not null', async (ctx) => {
      if (h.corrupt === undefined) ctx.skip();
      const id = uniqueId('corrupt');
      await store.create(makeSession(id).toHeader());
      await store.append(id, makeEvents('k', 1));
      await req(h.corrupt)(id);
      const err = await store.get(id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect(err).toMatchObject({ operation: 'get', backend: store.backend });
    });

    describe('TTL', () => {
      const ttl = options.ttlSeconds;
      const advance = async (ms: number): Promise<void> => {
        const fn = h.advanceTime ?? options.advanceTime;
        if (fn !== undefined) await fn(ms);
      };
      const gated = (ctx: { skip: () => void }): void => {
        if (!caps().ttl || ttl === undefined || (h.advanceTime ?? options.advanceTime) === undefined) ctx.skip();
      };

      it('expires after the TTL', async (ctx) => {
        gated(ctx);
        const id = uniqueId('ttl');
        await store.create(makeSession(id).toHeader());
        await advance((ttl ?? 0) * MS_PER_SECOND * 0.5);
        expect(await store.exists(id)).toBe(true);
        await advance((ttl ?? 0) * MS_PER_SECOND * 0.6);
        expect(await store.exists(id)).toBe(false);
        expect(await store.get(id)).toBeNull();
        expect(await store.create(makeSession(id).toHeader())).toBe(1);
      });

      it('append and updateHeader slide the expiry; extendTtl', async (ctx) => {
        gated(ctx);
        const ms = (ttl ?? 0) * MS_PER_SECOND;
        const id = uniqueId('slide');
        await store.create(makeSession(id).toHeader());
        await advance(ms * 0.7);
        await store.append(id, makeEvents('s', 1));
        await advance(ms * 0.7);
        expect((await store.readEvents(id))?.length).toBe(1);
        const s = req(await store.get(id));
        s.setState('x', 1);
        await store.updateHeader(s.toHeader(), { expectedRevision: s.revision });
        await advance(ms * 0.7);
        expect((await store.get(id))?.events).toHaveLength(1);
        expect(await store.extendTtl?.(id, ttl ?? 0)).toBe(true);
        await advance(ms * 1.2);
        expect(await store.exists(id)).toBe(true);
        expect(await store.extendTtl?.(uniqueId('nottl'), 10)).toBe(false);
      });
    });
  });
}

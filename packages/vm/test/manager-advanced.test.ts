import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryBlobStore, InvalidInput, StorageError } from '@chuk/models';
import {
  BlobTierStore,
  MemoryManager,
  PAGE_ID_PREFIX_MSG,
  PageNotFoundError,
  StreamingFaultHandler,
  VM_TOOL_NAMES,
  VmImportance,
  createInMemoryTierStore,
  eventToPage,
  makePage,
  resolveVmFacadeSettings,
  type MemoryManagerOptions,
} from '../src/index.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const vm = (opts: MemoryManagerOptions = {}) => new MemoryManager({ sessionId: 's1', clock: () => T0, ...opts });

async function add(m: MemoryManager, id: string, chars: number, opts: Parameters<MemoryManager['createPage']>[1] = {}) {
  await m.createPage('x'.repeat(chars), { pageId: id, ...opts });
  return m.addToWorkingSet(id);
}

describe('handleToolCall', () => {
  async function setup(opts: MemoryManagerOptions = {}) {
    const m = vm(opts);
    await add(m, 'msg_1', 400, { hint: '[assistant] a haiku about autumn' });
    await m.evictPage('msg_1');
    return m;
  }
  it('dispatches page_fault and search_pages (object or JSON string args)', async () => {
    const m = await setup();
    const fault = await m.handleToolCall(VM_TOOL_NAMES.PageFault, { page_id: 'msg_1', target_level: 0, reason: 'user_requested_recall' });
    expect(fault.handled).toBe(true);
    expect(fault.faultResult?.success).toBe(true);
    const env = JSON.parse(fault.content) as { page: { page_id: string; tier: string }; effects: { promoted_to_working_set: boolean } };
    expect(env.page).toMatchObject({ page_id: 'msg_1', tier: 'L0' });
    expect(m.uxMetrics.faultHistory.at(-1)?.reason).toBe('user_requested_recall');
    const search = await m.handleToolCall('search_pages', '{"query":"haiku","limit":3}');
    expect(search.searchResult?.results[0]?.pageId).toBe('msg_1');
    expect(JSON.parse(search.content)).toMatchObject({ total_available: 1 });
    expect((await m.handleToolCall('search_pages', '')).content).toContain('Invalid arguments');
  });
  it('returns error JSON for invalid arguments, failures and passive mode; unknown tools are not handled', async () => {
    const m = await setup();
    expect(JSON.parse((await m.handleToolCall('page_fault', { page_id: 'msg_1', target_level: 9 })).content)).toMatchObject({ page_id: 'msg_1' });
    expect(JSON.parse((await m.handleToolCall('page_fault', {})).content)).toMatchObject({ page_id: null });
    expect(JSON.parse((await m.handleToolCall('page_fault', '{oops')).content)).toEqual({ error: 'Arguments are not valid JSON', page_id: null });
    expect(JSON.parse((await m.handleToolCall('page_fault', { page_id: 'ghost' })).content)).toEqual({ error: 'Page not found: ghost', page_id: 'ghost' });
    expect((await m.handleToolCall('search_pages', { query: 'x', modality: 'smell' })).content).toContain('Invalid arguments');
    expect(await m.handleToolCall('web_search', {})).toEqual({ handled: false, content: '' });
    const passive = await setup({ mode: 'passive' });
    expect(JSON.parse((await passive.handleToolCall('page_fault', { page_id: 'msg_1' })).content).error).toContain('passive');
    expect(passive.getVmTools()).toEqual([]);
    expect(m.getVmTools({ includeSearch: false })).toHaveLength(1);
    const legacy = await setup({ legacyErrorEnvelope: true });
    expect(JSON.parse((await legacy.handleToolCall('page_fault', { page_id: 'ghost' })).content).page.page_id).toBe('error');
    expect((await m.handleToolCall('page_fault', null)).content).toContain('Invalid arguments');
  });
});

describe('tool call and result stay together', () => {
  it('are evicted, compressed, packed and faulted together', async () => {
    const m = vm({ config: { maxL0Tokens: 1000, reservedTokens: 0, targetUtilization: 0.9 }, compressorRegistry: null });
    await add(m, 'call', 1600, { groupId: 'g', role: 'assistant' });
    await add(m, 'other', 800);
    await add(m, 'result', 1200, { groupId: 'g', role: 'tool' });
    await add(m, 'more', 800);
    const tiers = () => ['call', 'result', 'other'].map((id) => m.pageTable.lookup(id)?.tier);
    expect(tiers()).toEqual(['L2', 'L2', 'L0']);
    const r = await m.handleFault('result', 0);
    expect(r.success).toBe(true);
    expect(m.pageTable.lookup('call')?.tier).toBe('L0');
    expect(m.mutationLog.getHistory('call').at(-1)?.mutationType).toBe('fault_in');
    const ctx = await m.buildContext({ tokenBudget: 250 });
    const included = ctx.packedContext?.pagesIncluded ?? [];
    expect(included.includes('call')).toBe(included.includes('result'));
    expect(await m.evictPage('call')).toBe(true);
    expect(m.pageTable.lookup('result')?.tier).toBe('L2');
  });
  it('a pinned member keeps the whole group; explicit compression covers the group', async () => {
    const m = vm();
    await add(m, 'call', 400, { groupId: 'g' });
    await add(m, 'result', 400, { groupId: 'g' });
    await m.pinPage('call');
    expect(await m.evictPage('result')).toBe(false);
    expect(await m.evictSegmentPages()).toEqual([]);
    await m.unpinPage('call');
    await m.compressPage('call', 1);
    expect(m.pageTable.lookup('result')?.compressionLevel).toBe(1);
    await m.deletePage('call');
    expect(await m.evictPage('result')).toBe(true);
  });
  it('compress-before-evict compresses a whole group', async () => {
    const m = vm({ config: { maxL0Tokens: 500, reservedTokens: 0 } });
    const long = Array.from({ length: 30 }, (_, i) => `Sentence ${i} of the result.`).join(' ');
    await m.createPage(long, { pageId: 'call', groupId: 'g' });
    await m.addToWorkingSet('call');
    await m.createPage(long, { pageId: 'result', groupId: 'g' });
    await m.addToWorkingSet('result');
    await m.createPage(long, { pageId: 'next' });
    await m.addToWorkingSet('next');
    expect(m.pageTable.lookup('call')?.compressionLevel).toBe(m.pageTable.lookup('result')?.compressionLevel);
  });
});

describe('concurrency', () => {
  it('concurrent adds never exceed the budget', async () => {
    const m = vm({ config: { maxL0Tokens: 1000, reservedTokens: 0 }, compressorRegistry: null });
    await Promise.all(Array.from({ length: 20 }, (_, i) => m.createPage('x'.repeat(400), { pageId: `p${i}` })));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => m.addToWorkingSet(`p${i}`)));
    expect(results.every(Boolean)).toBe(true);
    expect(m.workingSet.tokensUsed).toBeLessThanOrEqual(1000);
    const [a, b] = await Promise.all([m.getStats(), m.buildContext()]);
    expect(a.workingSet.tokensUsed).toBe(m.workingSet.tokensUsed);
    expect(b.packedContext?.pagesIncluded.length).toBe(a.workingSet.l0Pages);
  });
});

describe('updatePage, deletePage, flush', () => {
  it('updatePage bumps the version, marks dirty and re-charges the budget', async () => {
    const m = vm({ config: { maxL0Tokens: 1000, reservedTokens: 0 } });
    await add(m, 'a', 400);
    const next = await m.updatePage('a', { content: 'y'.repeat(800) });
    expect(next.version).toBe(2);
    expect(next.dirty).toBe(true);
    expect(m.pageTable.lookup('a')).toMatchObject({ dirty: true, version: 2, sizeTokens: 200 });
    expect(m.workingSet.tokensUsed).toBe(200);
    expect(m.mutationLog.getHistory('a').at(-1)).toMatchObject({ mutationType: 'update', cause: 'update_page' });
    await expect(m.updatePage('nope', { importance: 0.2 })).rejects.toThrow(PageNotFoundError);
    await expect(m.updatePage('a', { importance: 2 })).rejects.toThrow(InvalidInput);
    await add(m, 'b', 2400);
    await m.updatePage('b', { content: 'z'.repeat(3600) });
    expect(m.workingSet.tokensUsed).toBeLessThanOrEqual(1000);
  });
  it('flush writes L0–L2 pages to the derived store and L3 pages to the tier store', async () => {
    const derived = new InMemoryBlobStore();
    const tier = createInMemoryTierStore('s1');
    const m = vm({ derivedStore: derived, tierStore: tier });
    await add(m, 'a', 40);
    await m.updatePage('a', { metadata: { note: 1 } });
    expect(await m.flush()).toEqual(['a']);
    expect(await derived.list()).toEqual(['vm/s1/derived/a.json']);
    expect(m.pageTable.lookup('a')?.dirty).toBe(false);
    expect(m.pageTable.lookup('a')?.lastFlushed).toEqual(T0);
    expect(m.mutationLog.getHistory('a').at(-1)?.mutationType).toBe('flush');
    await add(m, 'cold', 40);
    await m.evictPage('cold', 'L3');
    const firstArtifact = m.pageTable.lookup('cold')?.artifactId;
    await m.updatePage('cold', { content: 'new content' });
    expect(await m.flush({ pageIds: ['cold', 'a'] })).toEqual(['cold']);
    const second = m.pageTable.lookup('cold')?.artifactId;
    expect(second).not.toBe(firstArtifact);
    expect(await tier.loadPage(firstArtifact!)).toBeNull();
    expect((await tier.loadPage(second!))?.content).toBe('new content');
    expect((await m.getPage('cold'))?.content).toBe('new content');
  });
  it('flushes every N turns and before a checkpoint', async () => {
    const m = vm({ flushEveryNTurns: 2, tierStore: createInMemoryTierStore('s1') });
    await add(m, 'a', 40);
    await m.updatePage('a', { caption: 'c' });
    await m.newTurn();
    expect(m.pageTable.lookup('a')?.dirty).toBe(true);
    await m.newTurn();
    expect(m.pageTable.lookup('a')?.dirty).toBe(false);
    await m.updatePage('a', { caption: 'd' });
    await m.checkpoint('c');
    expect(m.pageTable.lookup('a')?.dirty).toBe(false);
  });
  it('deletePage removes the page everywhere', async () => {
    const m = vm({ tierStore: createInMemoryTierStore('s1') });
    await add(m, 'a', 40, { hint: 'h' });
    await m.evictPage('a', 'L3');
    await m.deletePage('a');
    expect(m.pageTable.has('a')).toBe(false);
    expect(m.hints.has('a')).toBe(false);
    expect(m.mutationLog.getHistory('a').at(-1)?.mutationType).toBe('delete');
    await expect(m.deletePage('a')).rejects.toThrow(PageNotFoundError);
    await expect(m.getPageOrThrow('a')).rejects.toThrow(PageNotFoundError);
  });
  it('getPageOrThrow: StorageError when content is unavailable', async () => {
    const m = vm({ tierStore: createInMemoryTierStore('s1') });
    await add(m, 'a', 40);
    expect((await m.getPageOrThrow('a')).pageId).toBe('a');
    await m.evictPage('a', 'L3');
    await m.configureStorage(createInMemoryTierStore('s1'));
    await expect(m.getPageOrThrow('a')).rejects.toThrow(StorageError);
    expect(await m.getPage('nope')).toBeUndefined();
  });
});

describe('checkpoint and restore', () => {
  it('round-trips the whole VM state', async () => {
    const store = createInMemoryTierStore('s1', { clock: () => T0 });
    const m = vm({ tierStore: store });
    await add(m, 'a', 400, { hint: 'ha', role: 'user' });
    await add(m, 'b', 400, { groupId: 'g' });
    await add(m, 'cold', 400);
    await m.evictPage('cold', 'L3');
    await m.createPage('l1only', { pageId: 'l1' });
    await m.pinPage('a');
    await m.setImportance('b', 0.9);
    await m.newTurn();
    const id = await m.checkpoint('before');
    const snapshotCtx = (await m.buildContext()).developerMessage;
    await m.evictPage('b');
    await add(m, 'c', 400);
    await m.unpinPage('a');
    await m.restore(id);
    expect(m.turn).toBe(1);
    expect(m.workingSet.l0Pages).toEqual(['a', 'b']);
    expect(m.workingSet.isPinned('a')).toBe(true);
    expect(m.pageTable.has('c')).toBe(false);
    expect(m.pageTable.lookup('cold')?.tier).toBe('L3');
    expect(m.hints.get('a')).toBe('ha');
    expect((await m.buildContext()).developerMessage).toBe(snapshotCtx);
    expect((await m.handleFault('cold', 0)).page?.content).toBe('x'.repeat(400));
    expect(m.mutationLog.getMutationsByType('restore')).toHaveLength(1);
    const list = await m.listCheckpoints();
    expect(list).toEqual([{ id, name: 'before', createdAt: T0, pageCount: 4 }]);
  });
  it('re-runs eviction when the restored L0 no longer fits', async () => {
    const store = createInMemoryTierStore('s1');
    const big = vm({ tierStore: store });
    for (let i = 0; i < 5; i++) await add(big, `p${i}`, 400);
    const id = await big.checkpoint('x');
    const small = vm({ tierStore: store, config: { maxL0Tokens: 300, reservedTokens: 0 }, compressorRegistry: null });
    await small.restore(id);
    expect(small.workingSet.tokensUsed).toBeLessThanOrEqual(300);
    expect(small.pageTable.size).toBe(5);
  });
  it('fails loudly without storage, for missing checkpoints and for unknown schema versions', async () => {
    await expect(vm().checkpoint('x')).rejects.toThrow(StorageError);
    await expect(vm().restore('x')).rejects.toThrow(StorageError);
    expect(await vm().listCheckpoints()).toEqual([]);
    const l3 = new InMemoryBlobStore();
    const store = new BlobTierStore({ sessionId: 's1', l3 });
    const m = vm({ tierStore: store });
    await expect(m.restore('vm/s1/checkpoints/none.json')).rejects.toThrow(/not found/);
    const id = await store.storeCheckpoint([], 'bad', { schema_version: 99 });
    await expect(m.restore(id)).rejects.toThrow(/schema_version 99/);
    const id2 = await store.storeCheckpoint([], 'bad2', { schema_version: 1, session_id: 's' });
    await expect(m.restore(id2)).rejects.toThrow(StorageError);
    const id3 = await store.storeCheckpoint([], 'bad3', {
      schema_version: 1, session_id: 's', turn: 0, mode: 'strict', entries: [], working_set: { nope: 1 }, hints: {}, fault_policy: {}, metrics: {},
    });
    await expect(m.restore(id3)).rejects.toThrow(/working_set/);
    const noState = await store.storeCheckpoint([], 'nostate');
    await expect(m.restore(noState)).rejects.toThrow(StorageError);
  });
});

describe('copy-on-write fork', () => {
  it('parent and child do not see each other’s changes; pages are shared until written', async () => {
    const tier = createInMemoryTierStore('s1');
    const parent = vm({ tierStore: tier });
    await add(parent, 'a', 400, { hint: 'h' });
    await add(parent, 'b', 400);
    await add(parent, 'cold', 400);
    await parent.evictPage('cold', 'L3');
    const child = await parent.fork({ targetSessionId: 'child', copyMutationLog: true });
    expect(child.sessionId).toBe('child');
    expect(child.workingSet.l0Pages).toEqual(['a', 'b']);
    expect(child.mutationLog.getMutationsByType('fork')[0]?.cause).toBe('fork_from:s1');
    expect(child.mutationLog.getHistory('a').length).toBeGreaterThan(0);
    expect((await child.getPage('a')) === (await parent.getPage('a'))).toBe(true);
    await parent.compressPage('a', 1);
    await parent.evictPage('b');
    await parent.pinPage('a');
    expect(child.pageTable.lookup('a')?.compressionLevel).toBe(0);
    expect(child.pageTable.lookup('b')?.tier).toBe('L0');
    expect(child.workingSet.isPinned('a')).toBe(false);
    expect((await child.getPage('a'))?.content).toBe('x'.repeat(400));
    await child.evictPage('a');
    expect(parent.pageTable.lookup('a')?.tier).toBe('L0');
    expect((await parent.getPage('a'))?.storageTier).toBe('L0');
    expect((await child.getPage('a'))?.sessionId).toBe('child');
    await parent.deletePage('cold');
    expect((await child.handleFault('cold', 0)).success).toBe(true);
    await parent.buildContext();
    await child.buildContext();
    expect(parent.packCache).not.toBe(child.packCache);
    const plain = await parent.fork({ targetSessionId: 'c2' });
    expect(plain.mutationLog.mutationCount()).toBe(1);
  });
});

describe('StreamingFaultHandler', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  let gate: Promise<void> = Promise.resolve();
  let release: () => void = () => undefined;
  /** The next searchPages call holds the manager lock until `release()`. */
  const hold = () => {
    gate = new Promise<void>((r) => (release = r));
  };
  async function setup() {
    const m = vm({
      searchFn: async () => {
        await gate;
        return { results: [], totalAvailable: 0 };
      },
    });
    for (const id of ['a', 'b', 'c']) {
      await add(m, id, 400, { hint: `hint ${id}` });
      await m.evictPage(id);
    }
    return m;
  }
  it('single-flight requests map the page and emit ready', async () => {
    const m = await setup();
    const s = new StreamingFaultHandler(m);
    const ready: string[] = [];
    const off = s.on('ready', (d) => ready.push(d.pageId));
    const d1 = s.requestAsync('a');
    const d2 = s.requestAsync('a');
    expect(d1).toBe(d2);
    expect(d1.placeholder).toBe('[loading a: hint a]');
    expect(s.pending.has('a')).toBe(true);
    const page = await d1.awaitOrPlaceholder(1000);
    expect(typeof page === 'string' ? page : page.pageId).toBe('a');
    expect(d1.status).toBe('ready');
    expect(ready).toEqual(['a']);
    expect(m.pageTable.lookup('a')?.tier).toBe('L0');
    off();
    const failed: string[] = [];
    s.on('failed', (d) => failed.push(d.pageId));
    const bad = s.requestAsync('ghost');
    expect(await bad.awaitOrPlaceholder()).toBe('[loading ghost]');
    expect(bad.status).toBe('failed');
    expect(failed).toEqual(['ghost']);
    s.dispose();
  });
  it('returns the placeholder on timeout (fake clock)', async () => {
    const m = await setup();
    const s = new StreamingFaultHandler(m);
    vi.useFakeTimers();
    hold();
    const lockHolder = m.searchPages('x');
    const d = s.requestAsync('b');
    const pending = d.awaitOrPlaceholder(100);
    await vi.advanceTimersByTimeAsync(100);
    expect(await pending).toBe('[loading b: hint b]');
    release();
    await lockHolder;
    await d.result;
  });
  it('cancels on request, by signal and low urgency on newTurn', async () => {
    const m = await setup();
    const s = new StreamingFaultHandler(m);
    hold();
    const blocker = m.searchPages('x');
    const d = s.requestAsync('a');
    expect(s.cancel('a')).toBe(true);
    expect(s.cancel('a')).toBe(false);
    expect(d.status).toBe('cancelled');
    release();
    await blocker;
    expect((await d.result).error).toBe('Fault cancelled');
    expect(d.status).toBe('cancelled');
    const ctrl = new AbortController();
    const viaSignal = s.requestAsync('b', { signal: ctrl.signal });
    ctrl.abort();
    expect((await viaSignal.result).success).toBe(false);
    const pre = new AbortController();
    pre.abort();
    expect((await s.requestAsync('c', { signal: pre.signal }).result).success).toBe(false);
    hold();
    const blocker2 = m.searchPages('again');
    const low = s.requestAsync('c', { urgency: 'low', targetLevel: 0 });
    const normal = s.requestAsync('a', { urgency: 'normal' });
    const turn = m.newTurn();
    expect(low.status).toBe('cancelled');
    expect(normal.status).toBe('pending');
    release();
    await Promise.all([blocker2, turn, low.result, normal.result]);
    expect(normal.status).toBe('ready');
  });
});

describe('helpers', () => {
  it('eventToPage builds msg_ pages with the role kept', () => {
    const p = eventToPage({ message: 'hi', role: 'user', sessionId: 's', eventId: '1234567890abcdef', importance: VmImportance.User, clock: () => T0 });
    expect(p.pageId).toBe(`${PAGE_ID_PREFIX_MSG}_12345678`);
    expect(p.metadata).toEqual({ role: 'user', event_id: '1234567890abcdef' });
    expect(p.importance).toBe(0.6);
    expect(p.storageTier).toBe('L1');
    expect(eventToPage({ message: 'x', role: 'assistant', sessionId: 's' }).pageId).toMatch(/^msg_[0-9a-f]{8}$/);
  });
  it('rebuildFromPages re-registers and re-maps L0 pages', async () => {
    const m = vm({ config: { maxL0Tokens: 1000, reservedTokens: 0 } });
    await m.createPage('old', { pageId: 'a' });
    await m.rebuildFromPages([
      makePage({ pageId: 'a', modality: 'text', content: 'x'.repeat(400), storageTier: 'L0', groupId: 'g', pinned: true }),
      makePage({ pageId: 'b', modality: 'text', content: 'y', storageTier: 'L2', groupId: 'g' }),
      makePage({ pageId: 'c', modality: 'text', storageTier: 'L3', artifactId: 'L3:x' }),
    ]);
    expect(m.workingSet.l0Pages).toEqual(['a']);
    expect(m.workingSet.isPinned('a')).toBe(true);
    expect(m.pageTable.lookup('b')?.tier).toBe('L2');
    expect((await m.getPage('a'))?.content).toBe('x'.repeat(400));
  });
  it('buildAbi, recordToolCall, setLastSegmentSummary and prefetch on a new turn', async () => {
    const m = vm({ prefetchOnNewTurn: true });
    await add(m, 'sum', 40, { pageType: 'summary' });
    await m.pinPage('sum');
    const abi = await m.buildAbi();
    expect(abi.pages[0]).toMatchObject({ pageId: 'sum', canEvict: false, canCompress: true, tokens: 10 });
    expect(abi.maxContextTokens).toBe(32000);
    await m.unpinPage('sum');
    await m.evictPage('sum');
    await m.setLastSegmentSummary('sum');
    await m.recordToolCall('search');
    expect(m.prefetcher.getLikelyTools()).toEqual(['search']);
    await m.newTurn();
    expect(m.pageTable.lookup('sum')?.tier).toBe('L0');
  });
  it('resolves the facade settings', () => {
    expect(resolveVmFacadeSettings()).toEqual({ mode: 'strict', developerRole: 'system', promptStrategy: 'mapped_messages', turnPerUserMessage: true });
    expect(resolveVmFacadeSettings({ mode: 'passive', developerRole: 'developer', promptStrategy: 'duplicate', turnPerUserMessage: false }).promptStrategy).toBe('duplicate');
    expect(() => resolveVmFacadeSettings({ developerRole: 'boss' as 'system' })).toThrow(InvalidInput);
  });
});

describe('north-star acceptance (scripted, no LLM)', () => {
  it('200+ turns over 5 topics: the right claim is available, ≤ 2 faults per turn, L0 never over budget', async () => {
    const topics = ['databases', 'deployment', 'frontend', 'billing', 'security'];
    const m = vm({ faultPolicy: { maxFaultsPerTurn: 2 }, config: { maxL0Tokens: 32000, reservedTokens: 4000 } });
    const filler = (t: string, i: number) => `Turn ${i} about ${t}. ${'We keep discussing details of the plan. '.repeat(30)}`;
    for (let i = 0; i < 220; i++) {
      const topic = topics[i % 5]!;
      await m.newTurn();
      await m.createPage(filler(topic, i), { pageId: `u${i}`, role: 'user', importance: VmImportance.User, hint: `[user] ${topic} ${i}` });
      await m.addToWorkingSet(`u${i}`);
      await m.createPage(filler(topic, i), { pageId: `a${i}`, role: 'assistant', importance: VmImportance.Ai, hint: `[assistant] ${topic} ${i}` });
      await m.addToWorkingSet(`a${i}`);
      if (i < 5) {
        const id = `claim_${topic}`;
        await m.createPage(`Decision on ${topic}: use option ${i}.`, { pageId: id, pageType: 'claim', hint: `decision ${topic}` });
        await m.addToWorkingSet(id);
      }
      expect(m.workingSet.tokensUsed).toBeLessThanOrEqual(28000);
    }
    for (const topic of topics) {
      await m.newTurn();
      const faulted = await m.demandPrePass(`as we decided earlier about ${topic}, what was it?`);
      const id = `claim_${topic}`;
      expect(m.workingSet.isInL0(id) || faulted.includes(id)).toBe(true);
      const [x, y, z] = Array.from({ length: 220 }, (_, i) => `a${i}`).filter((p) => !m.workingSet.isInL0(p));
      const r1 = await m.handleToolCall('page_fault', { page_id: x });
      const r2 = await m.handleToolCall('page_fault', { page_id: y });
      const r3 = await m.handleToolCall('page_fault', { page_id: z });
      expect([r1, r2].every((r) => r.faultResult?.success)).toBe(true);
      expect(r3.faultResult?.error).toBe('Fault policy limit reached for this turn');
      expect(m.workingSet.tokensUsed).toBeLessThanOrEqual(28000);
    }
    expect(m.uxMetrics.thrashIndex()).toBeLessThan(0.5);
  });
});

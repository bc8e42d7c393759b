import { describe, expect, it, vi } from 'vitest';
import {
  PageFaultHandler,
  PageSearchHandler,
  PageTLB,
  PageTable,
  buildToolError,
  buildToolResult,
  makePage,
  parsePageContent,
  searchResultToJSON,
  type FaultResult,
  type MemoryPage,
} from '../src/index.js';

const page = (id: string, init: Partial<MemoryPage> = {}) => makePage({ pageId: id, modality: 'text', content: 'hello world', ...init });

function setup(opts: ConstructorParameters<typeof PageFaultHandler>[0] = {}) {
  const table = new PageTable();
  const handler = new PageFaultHandler(opts);
  return { table, handler };
}

describe('PageFaultHandler', () => {
  it('reports the reference error messages without throwing', async () => {
    const { table, handler } = setup({ maxFaultsPerTurn: 1 });
    expect((await handler.handleFault('x')).error).toBe('PageFaultHandler not configured');
    handler.configure({ pageTable: table });
    expect((await handler.handleFault('x')).error).toBe('Page not found: x');
    table.register(page('a', { storageTier: 'L2' }));
    const missing = await handler.handleFault('a');
    expect(missing.error).toBe('Failed to load page from L2');
    expect(missing.sourceTier).toBe('L2');
    handler.storePage(page('a', { storageTier: 'L2' }));
    expect((await handler.handleFault('a')).success).toBe(true);
    const limited = await handler.handleFault('a');
    expect(limited.error).toBe('Fault limit exceeded (1 per turn)');
    expect(limited.latencyMs).toBeGreaterThanOrEqual(0);
    handler.newTurn();
    expect(handler.canFault()).toBe(true);
  });
  it('returns an error instead of throwing on an invalid target level', async () => {
    const { table, handler } = setup();
    handler.configure({ pageTable: table });
    table.register(page('a'));
    handler.storePage(page('a'));
    const r = await handler.handleFault('a', 7);
    expect(r.success).toBe(false);
    expect(r.error).toBe('Invalid target_level: 7');
  });
  it('looks up through the TLB and mirrors hits/misses into its metrics', async () => {
    const { table, handler } = setup({ maxFaultsPerTurn: 5 });
    const tlb = new PageTLB();
    handler.configure({ pageTable: table, tlb });
    table.register(page('a'));
    handler.storePage(page('a'));
    await handler.handleFault('a');
    await handler.handleFault('a');
    expect(handler.metrics.tlbMisses).toBe(1);
    expect(handler.metrics.tlbHits).toBe(1);
    expect(handler.getMetrics()).toMatchObject({ faultsThisTurn: 2, maxFaultsPerTurn: 5, faultsRemaining: 3, totalFaults: 2, tlbHitRate: 0.5 });
    expect(table.lookup('a')?.accessCount).toBe(2);
    expect(await handler.handleFault('nope')).toMatchObject({ success: false });
    expect(handler.metrics.tlbMisses).toBe(2);
  });
  it('awaits a custom loader and compressor; the stored page is never relabelled', async () => {
    const { table, handler } = setup();
    const stored = page('a');
    table.register(stored);
    const loader = { load: vi.fn(async () => stored) };
    const compressor = { compress: vi.fn(async (p: MemoryPage, t: 0 | 1 | 2 | 3) => ({ ...p, compressionLevel: t, content: 'short' })) };
    handler.configure({ pageTable: table, loader, compressor });
    const r = await handler.handleFault('a', 2);
    expect(loader.load).toHaveBeenCalledWith('a', 'L1', null);
    expect(r.wasCompressed).toBe(true);
    expect(r.page?.content).toBe('short');
    expect(stored.compressionLevel).toBe(0);
    expect(stored.content).toBe('hello world');
  });
  it('without a compressor keeps the page as is (was_compressed false)', async () => {
    const { table, handler } = setup();
    const stored = page('a');
    table.register(stored);
    handler.configure({ pageTable: table });
    handler.storePage(stored);
    const r = await handler.handleFault('a', 2);
    expect(r.wasCompressed).toBe(false);
    expect(stored.compressionLevel).toBe(0);
  });
  it('legacy switch reproduces the reference relabel', async () => {
    const { table, handler } = setup({ legacyRelabelOnFault: true });
    const stored = page('a');
    table.register(stored);
    handler.configure({ pageTable: table });
    handler.storePage(stored);
    const r = await handler.handleFault('a', 2);
    expect(r.wasCompressed).toBe(true);
    expect(stored.compressionLevel).toBe(2);
    expect((await handler.handleFault('a', 2)).wasCompressed).toBe(false);
  });
  it('turns loader and compressor failures into results', async () => {
    const { table, handler } = setup({ maxFaultsPerTurn: 5 });
    table.register(page('a'));
    handler.configure({ pageTable: table, loader: { load: async () => Promise.reject(new Error('disk gone')) } });
    expect((await handler.handleFault('a')).error).toBe('Failed to load page from L1: disk gone');
    handler.configure({ pageTable: table, loader: { load: async () => page('a') }, compressor: { compress: async () => Promise.reject(new Error('boom')) } });
    expect((await handler.handleFault('a', 3)).error).toBe('Compression failed: boom');
  });
});

describe('buildToolResult', () => {
  const ok = (p: MemoryPage, extra: Partial<FaultResult> = {}): FaultResult => ({ success: true, page: p, error: null, sourceTier: 'L2', latencyMs: 0.1234, wasCompressed: false, ...extra });

  it('builds the error page for failures (parity) and the error JSON', () => {
    const r = buildToolResult({ success: false, page: null, error: 'nope', sourceTier: null, latencyMs: 0, wasCompressed: false });
    expect(r.page.page_id).toBe('error');
    expect(r.page.content).toEqual({ text: 'nope' });
    expect(r.effects.promoted_to_working_set).toBe(false);
    expect(buildToolResult({ success: false, page: null, error: null, sourceTier: null, latencyMs: 0, wasCompressed: false }).page.content).toEqual({ text: 'Unknown error' });
    expect(buildToolError('bad', 'p1')).toEqual({ error: 'bad', page_id: 'p1' });
  });
  it('fills text content, meta and effects', () => {
    const r = buildToolResult(ok(page('a', { mimeType: 'text/plain', sizeBytes: 11 }), { finalTier: 'L0', evictions: ['x'] }));
    expect(r.page).toMatchObject({ page_id: 'a', modality: 'text', level: 0, tier: 'L0', content: { text: 'hello world' } });
    expect(r.page.meta).toEqual({ source_tier: 'L2', mime_type: 'text/plain', size_bytes: 11, dimensions: null, duration_seconds: null, latency_ms: 0.12 });
    expect(r.effects).toEqual({ promoted_to_working_set: true, tokens_est: 2, evictions: ['x'] });
    expect(buildToolResult(ok(page('a')), ['y']).effects.evictions).toEqual(['y']);
    expect(buildToolResult(ok(page('a'), { latencyMs: 0 })).page.tier).toBe('L1');
    expect(buildToolResult(ok(page('a', { content: null }))).page.content).toEqual({ text: '' });
    expect(buildToolResult(ok(page('a', { content: { k: 1 } }))).page.content).toEqual({ text: '{"k":1}' });
  });
  it('image: url / base64 / plain caption only when no caption is set', () => {
    const img = (content: unknown, caption: string | null = null) => makePage({ pageId: 'i', modality: 'image', content, caption, dimensions: [4, 3] });
    expect(buildToolResult(ok(img('https://x/a.png'))).page.content).toEqual({ caption: null, url: 'https://x/a.png' });
    expect(buildToolResult(ok(img('data:image/png;base64,AA'))).page.content).toEqual({ caption: null, base64: 'data:image/png;base64,AA' });
    expect(buildToolResult(ok(img('a dog'))).page.content).toEqual({ caption: 'a dog' });
    expect(buildToolResult(ok(img('a dog', 'real caption'))).page.content).toEqual({ caption: 'real caption' });
    expect(buildToolResult(ok(img('x'))).page.meta.dimensions).toEqual([4, 3]);
  });
  it('audio transcript fallback, video scenes, structured dict / JSON string / other', () => {
    const audio = makePage({ pageId: 'a', modality: 'audio', content: 'spoken', durationSeconds: 5 });
    expect(buildToolResult(ok(audio)).page.content).toEqual({ transcript: 'spoken', duration_seconds: 5 });
    expect(buildToolResult(ok(audio)).page.meta.duration_seconds).toBe(5);
    const audio2 = makePage({ pageId: 'a', modality: 'audio', transcript: 't' });
    expect(buildToolResult(ok(audio2)).page.content).toEqual({ transcript: 't' });
    const video = makePage({ pageId: 'v', modality: 'video', transcript: 'vt', durationSeconds: 9, metadata: { scenes: [{ s: 1 }] } });
    expect(buildToolResult(ok(video)).page.content).toEqual({ transcript: 'vt', duration_seconds: 9, scenes: [{ s: 1 }] });
    const video2 = makePage({ pageId: 'v', modality: 'video', metadata: { scenes: [] } });
    expect(buildToolResult(ok(video2)).page.content).toEqual({ transcript: null, scenes: [] });
    const s = (content: unknown) => makePage({ pageId: 's', modality: 'structured', content });
    expect(buildToolResult(ok(s({ a: 1 }))).page.content).toEqual({ data: { a: 1 } });
    expect(buildToolResult(ok(s('{"b":2}'))).page.content).toEqual({ data: { b: 2 } });
    expect(buildToolResult(ok(s('not json'))).page.content).toEqual({ data: {} });
    expect(buildToolResult(ok(s('[1]'))).page.content).toEqual({ data: {} });
    expect(buildToolResult(ok(s(5))).page.content).toEqual({ data: {} });
  });
  it('parses envelope content by modality', () => {
    expect(parsePageContent('text', {})).toEqual({ text: '' });
    expect(parsePageContent('video', {})).toEqual({ scenes: [] });
    expect(parsePageContent('structured', { data: { a: 1 } })).toEqual({ data: { a: 1 } });
    expect(parsePageContent('image', { url: 'http://x' })).toEqual({ url: 'http://x' });
    expect(parsePageContent('audio', { transcript: 't', duration_seconds: 2 })).toEqual({ transcript: 't', duration_seconds: 2 });
    expect(() => parsePageContent('text', { text: 5 })).toThrow(/Invalid content/);
  });
  it('the handler method uses its estimator', () => {
    const h = new PageFaultHandler();
    expect(h.buildToolResult(ok(page('a'))).effects.tokens_est).toBe(2);
  });
});

describe('PageSearchHandler', () => {
  function setupSearch() {
    const table = new PageTable();
    const search = new PageSearchHandler();
    search.configure(table);
    return { table, search };
  }
  it('returns nothing when not configured', async () => {
    expect(await new PageSearchHandler().search('x')).toEqual({ results: [], totalAvailable: 0 });
  });
  it('matches hints (0.8) and ids (1.0), filters modality, sorts and limits', async () => {
    const { table, search } = setupSearch();
    for (let i = 0; i < 6; i++) {
      table.register(page(`p${i}`));
      search.setHint(`p${i}`, `database notes ${i}`);
    }
    table.register(page('database', { modality: 'image' }));
    const r = await search.search('Database', null, 3);
    expect(r.results).toHaveLength(3);
    expect(r.results[0]).toMatchObject({ pageId: 'database', relevance: 1, levels: [0, 1, 2, 3] });
    expect(r.results[1]?.relevance).toBe(0.8);
    expect(r.totalAvailable).toBe(7);
    expect((await search.search('database', 'image')).results.map((x) => x.pageId)).toEqual(['database']);
    expect((await search.search('nomatch')).results).toEqual([]);
    expect((await search.search('database', 'smell')).results).toEqual([]);
    expect(search.pageHints.get('p0')).toBe('database notes 0');
  });
  it('does not lose a later id match when limit hint matches came first', async () => {
    const { table, search } = setupSearch();
    for (let i = 0; i < 5; i++) {
      table.register(page(`h${i}`));
      search.setHint(`h${i}`, 'about schema');
    }
    table.register(page('schema'));
    const r = await search.search('schema', undefined, 5);
    expect(r.results[0]?.pageId).toBe('schema');
  });
  it('matches ids only whole: a query word inside a random id is no match (fidelity fix 13)', async () => {
    const { table, search } = setupSearch();
    table.register(page('msg_3f46a1b2'));
    search.setHint('msg_3f46a1b2', '[user] filler text');
    table.register(page('msg_0000aaaa'));
    search.setHint('msg_0000aaaa', '[user] the invoice total was 46 euros');
    expect((await search.search('46')).results.map((x) => x.pageId)).toEqual(['msg_0000aaaa']);
    expect((await search.search('46 euros', null, 5, { matchMode: 'any_terms' })).results.map((x) => x.pageId)).toEqual(['msg_0000aaaa']);
    expect((await search.search('3f46')).results).toEqual([]);
    expect((await search.search(' MSG_3F46A1B2 ')).results[0]).toMatchObject({ pageId: 'msg_3f46a1b2', relevance: 1 });
    expect((await search.search('msg_3f46a1b2 other', null, 5, { matchMode: 'any_terms' })).results[0]).toMatchObject({ pageId: 'msg_3f46a1b2', relevance: 0.4 });
  });
  /** Page `a` mapped (L0), page `b` evicted (L2), both with `hint`. */
  const mappedAndEvicted = (hint: string): ReturnType<typeof setupSearch> => {
    const setup = setupSearch();
    setup.table.register(page('a', { storageTier: 'L0' }));
    setup.table.register(page('b', { storageTier: 'L2' }));
    setup.search.setHint('a', hint);
    setup.search.setHint('b', hint);
    return setup;
  };
  it('says which results are already mapped (mapped: true, also in the wire JSON)', async () => {
    const { search } = mappedAndEvicted('schema notes');
    const r = await search.search('schema');
    expect(r.results.map((x) => [x.pageId, x.mapped])).toEqual([
      ['a', true],
      ['b', undefined],
    ]);
    const wire = JSON.parse(searchResultToJSON(r)) as { results: Record<string, unknown>[] };
    expect(wire.results[0]?.['mapped']).toBe(true);
    expect('mapped' in (wire.results[1] ?? {})).toBe(false);
  });
  it('excludes mapped pages and supports tokenised matching', async () => {
    const { search } = mappedAndEvicted('schema for the database');
    expect((await search.search('database schema')).results).toEqual([]);
    expect((await search.search('database schema', null, 5, { matchMode: 'all_terms' })).results).toHaveLength(2);
    expect((await search.search('database schema', null, 5, { matchMode: 'all_terms', excludeMapped: true })).results.map((x) => x.pageId)).toEqual(['b']);
    expect((await search.search('database banana', null, 5, { matchMode: 'all_terms' })).results).toEqual([]);
    const any = await search.search('database banana', null, 5, { matchMode: 'any_terms' });
    expect(any.results[0]?.relevance).toBeCloseTo(0.4);
    expect((await search.search('   ', null, 5, { matchMode: 'any_terms' })).results).toHaveLength(0);
  });
  it('delegates to a custom search function', async () => {
    const table = new PageTable();
    const fn = vi.fn(async () => ({ results: [], totalAvailable: 42 }));
    const search = new PageSearchHandler();
    search.configure(table, fn);
    expect((await search.search('q', 'image', 7)).totalAvailable).toBe(42);
    expect(fn).toHaveBeenCalledWith('q', 'image', 7);
    await search.search('q', 'bogus');
    expect(fn).toHaveBeenLastCalledWith('q', null, 5);
    expect(searchResultToJSON({ results: [{ pageId: 'p', modality: 'text', tier: 'L2', levels: [0], hint: 'h', relevance: 1 }], totalAvailable: 1 })).toBe(
      '{"results":[{"page_id":"p","modality":"text","tier":"L2","levels":[0],"hint":"h","relevance":1}],"total_available":1}',
    );
  });
});

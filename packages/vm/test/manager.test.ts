import { describe, expect, it } from 'vitest';
import { InvalidInput, StorageError } from '@chuk/models';
import {
  CompressorRegistry,
  DuplicatePageError,
  MemoryManager,
  PageNotFoundError,
  VmMode,
  createInMemoryTierStore,
  type MemoryManagerOptions,
} from '../src/index.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const words = (n: number, w = 'word') => Array.from({ length: n }, (_, i) => `${w}${i}.`).join(' ');

function vm(opts: MemoryManagerOptions = {}) {
  return new MemoryManager({ sessionId: 's1', clock: () => T0, ...opts });
}

async function addText(m: MemoryManager, id: string, chars: number, opts: Parameters<MemoryManager['createPage']>[1] = {}) {
  const p = await m.createPage('x'.repeat(chars), { pageId: id, ...opts });
  return m.addToWorkingSet(p);
}

describe('MemoryManager basics', () => {
  it('has defaults: random session id, strict mode, turn 0, empty store', async () => {
    const m = new MemoryManager();
    expect(m.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.mode).toBe(VmMode.Strict);
    expect(m.turn).toBe(0);
    const stats = await m.getStats();
    expect(stats.pagesInStore).toBe(0);
    expect(stats.storage).toBeNull();
    expect(Object.keys(stats).sort()).toEqual(
      ['faultHandler', 'metrics', 'mode', 'mutationLog', 'packCache', 'pageTable', 'pagesInStore', 'prefetcher', 'sessionId', 'storage', 'tlb', 'turn', 'workingSet'].sort(),
    );
    expect(m.mutationLog.getContextAtTurn(0)).toEqual([]);
  });
  it('creates pages at L1 with ids, hints, roles and a create mutation', async () => {
    const m = vm();
    const p = await m.createPage('hello', { pageType: 'summary', hint: 'a hint', role: 'assistant', importance: 0.9 });
    expect(p.pageId).toMatch(/^summary_[0-9a-f]{8}$/);
    expect(p.storageTier).toBe('L1');
    expect(p.sessionId).toBe('s1');
    expect(p.metadata['role']).toBe('assistant');
    expect(p.sizeTokens).toBe(1);
    expect(m.hints.get(p.pageId)).toBe('a hint');
    expect(m.pageTable.lookup(p.pageId)?.tier).toBe('L1');
    expect(m.mutationLog.getHistory(p.pageId)[0]).toMatchObject({ mutationType: 'create', tierAfter: 'L1', actor: 'system', cause: 'create_page' });
    const media = await m.createPage('http://x/a.png', {
      modality: 'image',
      caption: 'c',
      transcript: 't',
      durationSeconds: 1,
      dimensions: [1, 2],
      mimeType: 'image/png',
      sizeBytes: 10,
      sizeTokens: 85,
      provenance: ['a'],
      metadata: { k: 1 },
      compressionLevel: 1,
    });
    expect(media).toMatchObject({ caption: 'c', transcript: 't', durationSeconds: 1, mimeType: 'image/png', sizeBytes: 10, sizeTokens: 85, compressionLevel: 1 });
  });
  it('rejects duplicate ids unless replace (then logs an update)', async () => {
    const m = vm();
    await m.createPage('a', { pageId: 'p', hint: 'old' });
    await expect(m.createPage('b', { pageId: 'p' })).rejects.toThrow(DuplicatePageError);
    const replaced = await m.createPage('b', { pageId: 'p', replace: true });
    expect(replaced.content).toBe('b');
    expect(m.hints.has('p')).toBe(false);
    expect(m.mutationLog.getHistory('p').map((x) => x.mutationType)).toEqual(['create', 'update']);
    await expect(m.createPage('c', { importance: 3 })).rejects.toThrow(InvalidInput);
  });
  it('maps pages into L0 and keeps metrics consistent with the page table', async () => {
    const m = vm({ config: { maxL0Tokens: 1000, reservedTokens: 0 } });
    expect(await addText(m, 'a', 400)).toBe(true);
    expect(m.pageTable.lookup('a')?.tier).toBe('L0');
    expect((await m.getL0Pages()).map((p) => p.pageId)).toEqual(['a']);
    const metrics = await m.getMetrics();
    expect(metrics.tokensInWorkingSet).toBe(100);
    expect(metrics.tokensAvailable).toBe(900);
    expect(metrics.pagesByTier).toEqual(m.pageTable.getStats().pagesByTier);
    expect(metrics.pagesByModality.text).toBe(1);
    expect(await m.addToWorkingSet('missing')).toBe(false);
  });
  it('uses the stored page even if the caller passes another object with the same id', async () => {
    const m = vm();
    const p = await m.createPage('stored', { pageId: 'p' });
    expect(await m.addToWorkingSet({ ...p, content: 'impostor' })).toBe(true);
    expect((await m.getL0Pages())[0]?.content).toBe('stored');
  });
  it('a page larger than the whole window is refused without evicting anything', async () => {
    const m = vm({ config: { maxL0Tokens: 500, reservedTokens: 0 } });
    await addText(m, 'a', 400);
    expect(await addText(m, 'huge', 4000)).toBe(false);
    expect(m.pageTable.lookup('huge')?.tier).toBe('L1');
    expect(m.workingSet.l0Pages).toEqual(['a']);
  });
});

describe('compress-before-evict', () => {
  const pageText = (i: number) => words(20, `p${i}w`).padEnd(680, ' z');

  it('compresses first (500-token window, five ~170-token pages)', async () => {
    const m = vm({ config: { maxL0Tokens: 500, reservedTokens: 0 } });
    for (let i = 0; i < 5; i++) expect(await m.addToWorkingSet(await m.createPage(pageText(i), { pageId: `p${i}` }))).toBe(true);
    const metrics = await m.getMetrics();
    expect(metrics.compressionsTotal).toBeGreaterThan(0);
    expect(m.workingSet.tokensUsed).toBeLessThanOrEqual(500);
    expect(m.mutationLog.getMutationsByType('compress')[0]?.cause).toBe('compress_reduced');
    expect(m.pageTable.lookup('p0')?.compressionLevel).toBe(1);
  });
  it('without a registry only evicts', async () => {
    const m = vm({ config: { maxL0Tokens: 500, reservedTokens: 0 }, compressorRegistry: null });
    for (let i = 0; i < 5; i++) await m.addToWorkingSet(await m.createPage(pageText(i), { pageId: `p${i}` }));
    const metrics = await m.getMetrics();
    expect(metrics.compressionsTotal).toBe(0);
    expect(metrics.evictionsTotal).toBeGreaterThan(0);
    expect(await m.compressPage('p4', 1)).toBeNull();
  });
  it('pages already at ABSTRACT are evicted, not compressed', async () => {
    const m = vm({ config: { maxL0Tokens: 500, reservedTokens: 0 } });
    await m.addToWorkingSet(await m.createPage(pageText(0), { pageId: 'abs', compressionLevel: 2 }));
    await m.addToWorkingSet(await m.createPage(pageText(1), { pageId: 'b' }));
    await m.addToWorkingSet(await m.createPage(pageText(2), { pageId: 'c' }));
    expect(m.pageTable.lookup('abs')?.tier).toBe('L2');
    expect(m.pageTable.lookup('abs')?.compressionLevel).toBe(2);
  });
  it('never picks pinned or fault-protected pages; importance decides the order', async () => {
    const m = vm({ config: { maxL0Tokens: 1300, reservedTokens: 0, targetUtilization: 0.9 }, compressorRegistry: null });
    await addText(m, 'pinned', 1600);
    await m.pinPage('pinned');
    await addText(m, 'low', 1600, { importance: 0.1 });
    await addText(m, 'high', 1600, { importance: 1 });
    await addText(m, 'new', 800, { importance: 0.5 });
    expect(m.pageTable.lookup('pinned')?.tier).toBe('L0');
    expect(m.pageTable.lookup('low')?.tier).toBe('L2');
    expect(m.pageTable.lookup('high')?.tier).toBe('L0');
    expect(m.pageTable.lookup('new')?.tier).toBe('L0');
    const r = await m.handleFault('low', 0);
    expect(r.success).toBe(true);
    // The fault needs 400 tokens: 'high' covers it alone, so 'new' (200, not enough alone) stays (spec §8.5).
    expect(r.evictions).toEqual(['high']);
    await addText(m, 'x1', 1600);
    await addText(m, 'x2', 1600);
    expect(m.pageTable.lookup('low')?.tier).toBe('L0');
    expect(m.pageTable.lookup('x1')?.tier).toBe('L2');
    expect(m.workingSet.tokensUsed).toBeLessThanOrEqual(1300);
  });
  it('page type weighs in: claims outlive transcripts', async () => {
    const m = vm({ config: { maxL0Tokens: 1000, reservedTokens: 0, targetUtilization: 0.9 }, compressorRegistry: null });
    await addText(m, 'claim', 1600, { pageType: 'claim' });
    await addText(m, 'talk', 1600);
    await addText(m, 'talk2', 1600);
    expect(m.pageTable.lookup('claim')?.tier).toBe('L0');
    expect(m.pageTable.lookup('talk')?.tier).toBe('L2');
  });
});

describe('compressPage and evictPage', () => {
  it('compressPage updates store, table, budget, metrics and the log', async () => {
    const m = vm();
    await addText(m, 'a', 400);
    const r = await m.compressPage('a', 1);
    expect(r?.levelAfter).toBe(1);
    expect(m.pageTable.lookup('a')).toMatchObject({ compressionLevel: 1, sizeTokens: 50 });
    expect(m.workingSet.tokensUsed).toBe(50);
    expect((await m.getMetrics()).tokensSavedByCompression).toBe(50);
    expect((await m.getL0Pages())[0]?.compressionLevel).toBe(1);
    expect(await m.compressPage('nope', 1)).toBeNull();
    expect(() => m.compressPage('a', 9 as 1)).toThrow(InvalidInput);
  });
  it('applies level-only changes (image REDUCED) and never grows a page', async () => {
    const m = vm();
    await m.addToWorkingSet(await m.createPage('http://x/a.png', { pageId: 'img', modality: 'image' }));
    await m.compressPage('img', 1);
    expect(m.pageTable.lookup('img')?.compressionLevel).toBe(1);
    expect(m.mutationLog.getMutationsByType('compress')).toHaveLength(0);
    await m.addToWorkingSet(await m.createPage('tiny', { pageId: 't' }));
    await m.compressPage('t', 3);
    expect(m.pageTable.lookup('t')?.compressionLevel).toBe(0);
  });
  it('evicts to L2 keeping content; refuses pinned pages', async () => {
    const m = vm();
    await addText(m, 'a', 400);
    expect(await m.evictPage('a')).toBe(true);
    expect(m.pageTable.lookup('a')?.tier).toBe('L2');
    expect(m.workingSet.tokensUsed).toBe(0);
    expect((await m.getPage('a'))?.content).toBe('x'.repeat(400));
    expect(m.mutationLog.getHistory('a').at(-1)).toMatchObject({ mutationType: 'evict', tierBefore: 'L0', tierAfter: 'L2', cause: 'explicit_evict' });
    await addText(m, 'p', 40);
    await m.pinPage('p');
    expect(await m.evictPage('p')).toBe(false);
    expect(await m.evictPage('missing')).toBe(false);
  });
  it('evicting to L3 without storage throws and loses nothing', async () => {
    const m = vm();
    await addText(m, 'a', 400);
    await expect(m.evictPage('a', 'L3')).rejects.toThrow(StorageError);
    expect(m.pageTable.lookup('a')?.tier).toBe('L0');
    expect((await m.getPage('a'))?.content).toBe('x'.repeat(400));
    await expect(m.evictSegmentPages('L4')).rejects.toThrow(StorageError);
  });
  it('evicting to L3 stores a blob; a fault reloads it', async () => {
    const m = vm({ tierStore: createInMemoryTierStore('s1') });
    await addText(m, 'a', 400, { hint: 'the a page' });
    expect(await m.evictPage('a', 'L3')).toBe(true);
    const entry = m.pageTable.lookup('a');
    expect(entry?.tier).toBe('L3');
    expect(entry?.artifactId).toMatch(/^L3:vm\/s1\/pages\/L3\/a\//);
    expect((await m.getStats()).pagesInStore).toBe(0);
    const r = await m.handleFault('a', 0);
    expect(r.success).toBe(true);
    expect(r.sourceTier).toBe('L3');
    expect(r.page?.content).toBe('x'.repeat(400));
    expect(m.pageTable.lookup('a')?.tier).toBe('L0');
    expect(await m.evictPage('a', 'L4')).toBe(true);
    expect(m.pageTable.lookup('a')?.artifactId).toMatch(/^L4:/);
  });
  it('evictSegmentPages keeps pinned pages and returns the evicted ids', async () => {
    const m = vm({ maxPinnedSummaries: 1 });
    await addText(m, 's_old', 40, { pageType: 'summary' });
    await m.pinPage('s_old');
    await addText(m, 't1', 40);
    await addText(m, 't2', 40);
    await addText(m, 's_new', 40, { pageType: 'summary' });
    await m.pinPage('s_new');
    expect(await m.evictSegmentPages()).toEqual(['s_old', 't1', 't2']);
    expect(m.workingSet.l0Pages).toEqual(['s_new']);
    expect(m.mutationLog.getHistory('t1').at(-1)?.cause).toBe('segment_rollover');
  });
});

describe('faults', () => {
  async function setup(opts: MemoryManagerOptions = {}) {
    const m = vm({ config: { maxL0Tokens: 2000, reservedTokens: 0 }, ...opts });
    for (let i = 0; i < 5; i++) {
      await addText(m, `p${i}`, 400, { hint: `hint ${i}` });
      await m.evictPage(`p${i}`);
    }
    return m;
  }
  it('maps the page into L0 and logs fault_in by the model', async () => {
    const m = await setup();
    const r = await m.handleFault('p1');
    expect(r.success).toBe(true);
    expect(r.promoted).toBe(true);
    expect(r.finalTier).toBe('L0');
    expect(m.pageTable.lookup('p1')?.tier).toBe('L0');
    expect(m.mutationLog.getHistory('p1').at(-1)).toMatchObject({ mutationType: 'fault_in', actor: 'model', cause: 'page_fault', tierBefore: 'L2' });
    const env = m.buildToolResult(r);
    expect(env.page.tier).toBe('L0');
    expect(env.effects.promoted_to_working_set).toBe(true);
    expect(m.uxMetrics.faultHistory[0]).toMatchObject({ pageId: 'p1', reason: 'resolve_reference' });
  });
  it('the default fault (level 2) compresses with the registry without relabelling the stored page', async () => {
    const long = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const m = vm();
    await m.addToWorkingSet(await m.createPage(long, { pageId: 'long' }));
    await m.evictPage('long');
    const r = await m.handleFault('long');
    expect(r.wasCompressed).toBe(true);
    expect(r.page?.compressionLevel).toBe(2);
    expect(m.pageTable.lookup('long')?.compressionLevel).toBe(2);
    expect((r.page?.content as string).length).toBeLessThan(long.length);
    await m.evictPage('long');
    const full = await m.handleFault('long', 0);
    expect(full.page?.content).toBe(long);
    expect(full.page?.compressionLevel).toBe(0);
  });
  it('without a registry a fault returns the page at its true level', async () => {
    const m = await setup({ compressorRegistry: null });
    const r = await m.handleFault('p0', 2);
    expect(r.wasCompressed).toBe(false);
    expect(r.page?.compressionLevel).toBe(0);
    expect(m.buildToolResult(r).page.level).toBe(0);
  });
  it('enforces the policy limit with the reference message; newTurn restores it', async () => {
    const m = await setup();
    for (const id of ['p0', 'p1', 'p2']) expect((await m.handleFault(id)).success).toBe(true);
    const r = await m.handleFault('p3');
    expect(r.error).toBe('Fault policy limit reached for this turn');
    await m.newTurn();
    expect((await m.handleFault('p3')).success).toBe(true);
  });
  it('a fault of an already-mapped page does not double-charge', async () => {
    const m = await setup();
    await m.handleFault('p0');
    const used = m.workingSet.tokensUsed;
    const again = await m.handleFault('p0');
    expect(again.success).toBe(true);
    expect(again.promoted).toBe(false);
    expect(m.workingSet.tokensUsed).toBe(used);
    expect(m.buildToolResult(again).effects.promoted_to_working_set).toBe(false);
  });
  it('a fault that does not fit reports failure; evictions are reported', async () => {
    const m = vm({ config: { maxL0Tokens: 300, reservedTokens: 0, targetUtilization: 0.9 }, compressorRegistry: null });
    await m.createPage('x'.repeat(4000), { pageId: 'huge' });
    expect((await m.handleFault('huge', 0)).error).toBe('Page does not fit in the working set');
    await addText(m, 'a', 480);
    await addText(m, 'b', 480);
    await m.evictPage('a');
    await addText(m, 'c', 480);
    const r = await m.handleFault('a', 0);
    expect(r.success).toBe(true);
    expect(r.evictions).toEqual(['b']);
    expect(m.buildToolResult(r).effects.evictions).toEqual(['b']);
  });
  it('reports not found / invalid level and counts TLB hits in the manager metrics', async () => {
    const m = await setup();
    expect((await m.handleFault('nope')).error).toBe('Page not found: nope');
    expect((await m.handleFault('p0', 7)).error).toBe('Invalid target_level: 7');
    await m.handleFault('p0');
    const metrics = await m.getMetrics();
    expect(metrics.tlbMisses + metrics.tlbHits).toBeGreaterThanOrEqual(2);
    const aborted = new AbortController();
    aborted.abort();
    expect((await m.handleFault('p1', 2, { signal: aborted.signal })).error).toBe('Fault cancelled');
  });
  it('the legacy switch relabels like the reference', async () => {
    const m = await setup({ legacyRelabelOnFault: true, compressorRegistry: null });
    const r = await m.handleFault('p0', 2);
    expect(r.wasCompressed).toBe(true);
    expect(r.page?.compressionLevel).toBe(2);
  });
});

describe('demand paging through the manager', () => {
  async function setup(opts: MemoryManagerOptions = {}) {
    const m = vm({ config: { maxL0Tokens: 4000, reservedTokens: 0 }, ...opts });
    await addText(m, 'claim1', 200, { pageType: 'claim', hint: 'decision: postgres' });
    await addText(m, 'sum1', 200, { pageType: 'summary', hint: 'segment summary: databases' });
    await addText(m, 'k8s', 200, { hint: '[user] kubernetes helm question' });
    for (const id of ['claim1', 'sum1', 'k8s']) await m.evictPage(id);
    return m;
  }
  it('faults evicted claims and summaries on a recall signal without using the model quota', async () => {
    const m = await setup();
    expect(await m.demandPrePass('what did we decide?')).toEqual(['claim1', 'sum1']);
    expect(m.pageTable.lookup('claim1')?.tier).toBe('L0');
    expect(m.mutationLog.getHistory('claim1').at(-1)).toMatchObject({ mutationType: 'fault_in', actor: 'system', cause: 'demand_prefetch' });
    expect(m.faultPolicy.faultsThisTurn).toBe(0);
    expect(m.uxMetrics.faultHistory[0]?.reason).toBe('user_requested_recall');
    expect(await m.demandPrePass('')).toEqual([]);
  });
  it('topic-only (speculative) faults follow the confidence threshold', async () => {
    expect(await (await setup()).demandPrePass('kubernetes please')).toEqual([]);
    const spec = await setup({ faultPolicy: { faultConfidenceThreshold: 'speculative' } });
    expect(await spec.demandPrePass('kubernetes please')).toEqual(['k8s']);
    expect(spec.uxMetrics.faultHistory[0]?.reason).toBe('speculative');
    expect(await (await setup({ faultPolicy: { faultConfidenceThreshold: 'explicit' } })).demandPrePass('what did we decide?')).toEqual([]);
  });
  it('a question naming an evicted page faults it in as resolve_reference under the default threshold', async () => {
    const m = await setup();
    await addText(m, 'acct', 200, { hint: '[user] My Amber Falcon account number is 7731.' });
    await m.evictPage('acct');
    expect(await m.demandPrePass('What is my Amber Falcon account number?')).toEqual(['acct']);
    expect(m.uxMetrics.faultHistory.at(-1)?.reason).toBe('resolve_reference');
    expect(m.faultPolicy.faultsThisTurn).toBe(0);
    expect(await m.demandPrePass('What is my Amber Falcon account number?')).toEqual([]);
    const off = await setup({ demandPaging: { referenceMinTopics: 0 } });
    await addText(off, 'acct', 200, { hint: '[user] My Amber Falcon account number is 7731.' });
    await off.evictPage('acct');
    expect(await off.demandPrePass('What is my Amber Falcon account number?')).toEqual([]);
  });
  it('respects the pre-pass token budget', async () => {
    const m = await setup({ demandPaging: { maxPrefetchTokens: 60 } });
    expect(await m.demandPrePass('what did we decide?')).toEqual(['claim1']);
  });
  it('stop words alone fault nothing', async () => {
    const m = await setup({ faultPolicy: { faultConfidenceThreshold: 'speculative' } });
    expect(await m.demandPrePass('what about that with this?')).toEqual([]);
  });
});

describe('pins and session ids', () => {
  it('pins sync page and entry flags; unknown ids throw', async () => {
    const m = vm();
    await addText(m, 'a', 40);
    await m.pinPage('a');
    expect(m.pageTable.lookup('a')?.pinned).toBe(true);
    expect((await m.getPage('a'))?.pinned).toBe(true);
    expect(m.mutationLog.getHistory('a').at(-1)).toMatchObject({ mutationType: 'pin', tierBefore: 'L0', tierAfter: 'L0' });
    await m.unpinPage('a');
    expect(m.pageTable.lookup('a')?.pinned).toBe(false);
    expect(m.mutationLog.getHistory('a').at(-1)?.mutationType).toBe('unpin');
    await expect(m.pinPage('nope')).rejects.toThrow(PageNotFoundError);
    await expect(m.unpinPage('nope')).rejects.toThrow(PageNotFoundError);
    await expect(m.setImportance('nope', 1)).rejects.toThrow(PageNotFoundError);
  });
  it('updateSessionId moves the log and storage scope', async () => {
    const store = createInMemoryTierStore('s1');
    const m = vm({ tierStore: store });
    await m.updateSessionId('s2');
    expect(m.sessionId).toBe('s2');
    expect(m.mutationLog.sessionId).toBe('s2');
    await addText(m, 'a', 40);
    await m.evictPage('a', 'L3');
    expect(m.pageTable.lookup('a')?.artifactId).toContain('vm/s2/');
  });
});

describe('newTurn', () => {
  it('snapshots L0, resets per-turn counters and refreshes auto-pins', async () => {
    const m = vm({ autoPin: { autoPinLastNTurns: 1 } });
    await addText(m, 'sys', 40, { role: 'system' });
    await addText(m, 'claim', 40, { pageType: 'claim' });
    await addText(m, 't0', 40);
    await m.newTurn();
    expect(m.turn).toBe(1);
    expect(m.mutationLog.getContextAtTurn(1)).toEqual(['sys', 'claim', 't0']);
    expect(m.workingSet.isPinned('sys')).toBe(true);
    expect(m.workingSet.isPinned('claim')).toBe(true);
    expect(m.workingSet.isPinned('t0')).toBe(false);
    await addText(m, 't1', 40);
    await m.newTurn();
    expect(m.workingSet.isPinned('t1')).toBe(false);
    const m2 = vm({ autoPin: { autoPinLastNTurns: 2 } });
    await m2.newTurn();
    await addText(m2, 'recent', 40);
    await m2.newTurn();
    expect(m2.workingSet.isPinned('recent')).toBe(true);
    expect(m2.pageTable.lookup('recent')?.pinned).toBe(true);
    const off = vm({ autoPin: false });
    await addText(off, 'claim', 40, { pageType: 'claim' });
    await off.newTurn();
    expect(off.workingSet.isPinned('claim')).toBe(false);
  });
});

describe('buildContext', () => {
  it('offers tools in strict/relaxed, none in passive; mode override; policy limits in manifest and rules', async () => {
    const m = vm({ faultPolicy: { maxFaultsPerTurn: 4 } });
    await addText(m, 'a', 40, { role: 'user', importance: 0.6 });
    await m.createPage('old', { pageId: 'old', hint: '[user] old stuff' });
    const strict = await m.buildContext({ systemPrompt: 'SYS' });
    expect(strict.tools.map((t) => t.function.name)).toEqual(['page_fault', 'search_pages']);
    expect(strict.manifest?.policies).toMatchObject({ faults_allowed: true, max_faults_per_turn: 4, upgrade_budget_tokens: 8192 });
    expect(strict.manifest?.working_set[0]).toMatchObject({ page_id: 'a', importance: 0.6, tokens_est: 10 });
    expect(strict.manifest?.available_pages[0]).toMatchObject({ page_id: 'old', hint: '[user] old stuff' });
    expect(strict.developerMessage).toContain('at most 4 faults per turn');
    expect(strict.developerMessage.startsWith('SYS')).toBe(true);
    expect(strict.packedContext?.content).toBe(`U (a): "${'x'.repeat(40)}"`);
    const relaxed = await m.buildContext({ mode: 'relaxed', includeSearchTool: false });
    expect(relaxed.tools.map((t) => t.function.name)).toEqual(['page_fault']);
    const passive = await m.buildContext({ mode: 'passive' });
    expect(passive.tools).toEqual([]);
    expect(passive.developerMessage).not.toContain('VM:MANIFEST_JSON');
    expect(passive.manifest?.policies.faults_allowed).toBe(false);
  });
  it('is served from the pack cache while nothing changes', async () => {
    const m = vm();
    await addText(m, 'a', 40);
    const first = await m.buildContext({ systemPrompt: 'x' });
    const second = await m.buildContext({ systemPrompt: 'x' });
    expect(second.developerMessage).toBe(first.developerMessage);
    expect(m.packCache.getStats().hits).toBe(1);
    await addText(m, 'b', 40);
    const third = await m.buildContext({ systemPrompt: 'x' });
    expect(third.packedContext?.pagesIncluded).toEqual(['a', 'b']);
    const passive = await m.buildContext({ systemPrompt: 'x', mode: 'passive' });
    expect((await m.buildContext({ systemPrompt: 'x', mode: 'passive' })).tools).toEqual(passive.tools);
    const budgeted = await m.buildContext({ tokenBudget: 5 });
    expect(budgeted.packedContext?.pagesOmitted.length).toBeGreaterThan(0);
  });
});

describe('stats', () => {
  it('never throws', async () => {
    const store = createInMemoryTierStore('s1');
    store.getStats = async () => Promise.reject(new Error('down'));
    const m = vm({ tierStore: store });
    const stats = await m.getStats();
    expect(stats.sessionId).toBe('s1');
    expect(stats.pageTable.totalPages).toBe(0);
  });
  it('reports storage and registry defaults', async () => {
    const m = vm({ compressorRegistry: CompressorRegistry.default() });
    await m.configureStorage();
    expect((await m.getStats()).storage).toMatchObject({ persistent: false, sessionId: 's1' });
    await m.configureStorage(createInMemoryTierStore('x'), 'scope');
    expect((await m.getStats()).storage?.sessionId).toBe('scope');
  });
});

import { describe, expect, it } from 'vitest';
import { CompressionLevel, MemoryManager, StorageTier, createInMemoryTierStore, type MemoryManagerOptions } from '../src/index.js';

/** Fix 1 of bench/fidelity: a fault returns detail built from the kept original, also for a page mapped compressed. */

const T0 = new Date('2026-01-01T00:00:00Z');
const ANSWER = '7,425.22';
// A page whose answer sits at the end: REDUCED of a transcript page (the first half of the characters) loses it.
const TOOL_TEXT = `lookup_invoice({"invoice":"INV-12345"}) -> {"invoice":"INV-12345","currency":"EUR","customer":"Dune Otter","note":"paid in full after the second reminder","total":"${ANSWER}"}`;

function vm(opts: MemoryManagerOptions = {}): MemoryManager {
  return new MemoryManager({ sessionId: 's', clock: () => T0, autoPin: false, ...opts });
}

async function compressedTool(m: MemoryManager, id = 'tool'): Promise<void> {
  await m.addToWorkingSet(await m.createPage(TOOL_TEXT, { pageId: id }));
  await m.compressPage(id, CompressionLevel.Reduced);
  expect(((await m.getL0Pages()).find((p) => p.pageId === id)?.content as string).includes(ANSWER)).toBe(false);
}

const text = (r: { page: { content: unknown } | null }): string => r.page?.content as string;

describe('a fault of a compressed page whose original is kept', () => {
  it('compresses the original (not the lossy copy) to the default level', async () => {
    const m = vm();
    await compressedTool(m);
    await m.evictPage('tool');
    const r = await m.handleFault('tool');
    expect(r.success).toBe(true);
    expect(r.page?.compressionLevel).toBe(CompressionLevel.Abstract);
    expect(text(r)).toContain(ANSWER);
    expect(m.pageTable.lookup('tool')?.compressionLevel).toBe(CompressionLevel.Abstract);
    // The original is still kept: a level-0 fault after another eviction returns it.
    await m.evictPage('tool');
    expect(text(await m.handleFault('tool', 0))).toBe(TOOL_TEXT);
  });

  it('uses the FULL representation of a page evicted to tier storage, and keeps it for later faults', async () => {
    const m = vm({ tierStore: createInMemoryTierStore('s') });
    await compressedTool(m);
    await m.evictPage('tool', StorageTier.L3);
    const r = await m.handleFault('tool', CompressionLevel.Reduced);
    expect(r.page?.compressionLevel).toBe(CompressionLevel.Reduced);
    await m.evictPage('tool', StorageTier.L3);
    const again = await m.handleFault('tool', CompressionLevel.Abstract);
    expect(text(again)).toContain(ANSWER);
    await m.evictPage('tool', StorageTier.L3);
    expect(text(await m.handleFault('tool', 0))).toBe(TOOL_TEXT);
  });

  it('a page stored compressed from the start (no original) is returned as it is', async () => {
    const m = vm();
    await m.createPage('Short abstract.', { pageId: 'a', compressionLevel: CompressionLevel.Abstract });
    const r = await m.handleFault('a', 0);
    expect(r.page?.content).toBe('Short abstract.');
    expect(r.page?.compressionLevel).toBe(CompressionLevel.Abstract);
  });
});

describe('a fault of a page mapped compressed', () => {
  it('replaces the mapped copy by the detailed one and charges L0 the difference', async () => {
    const m = vm();
    await compressedTool(m);
    const before = m.workingSet.tokensUsed;
    const compressedTokens = m.workingSet.chargedTokens('tool');
    const r = await m.handleFault('tool', 0);
    expect(r.success).toBe(true);
    expect(r.promoted).toBe(false);
    expect(r.finalTier).toBe(StorageTier.L0);
    expect(text(r)).toBe(TOOL_TEXT);
    expect(r.page?.compressionLevel).toBe(CompressionLevel.Full);
    const mapped = (await m.getL0Pages()).find((p) => p.pageId === 'tool');
    expect(mapped?.content).toBe(TOOL_TEXT);
    const fullTokens = m.workingSet.chargedTokens('tool');
    expect(fullTokens).toBeGreaterThan(compressedTokens);
    expect(m.workingSet.tokensUsed).toBe(before - compressedTokens + fullTokens);
    expect(m.pageTable.lookup('tool')?.compressionLevel).toBe(CompressionLevel.Full);
    expect(m.mutationLog.getHistory('tool').at(-1)).toMatchObject({ mutationType: 'fault_in', tierBefore: 'L0', tierAfter: 'L0', actor: 'model' });
    const context = await m.buildContext();
    expect(context.developerMessage).toContain(ANSWER);
    // At (or above) the mapped level nothing changes and no fault is counted.
    const faults = (await m.getMetrics()).faultsTotal;
    const same = await m.handleFault('tool', 0);
    expect(same).toMatchObject({ success: true, promoted: false });
    expect((await m.getMetrics()).faultsTotal).toBe(faults);
  });

  it('at the default level, a short page mapped REDUCED gets its ABSTRACT built from the original (all of it); never less detail', async () => {
    const m = vm();
    await compressedTool(m);
    const r = await m.handleFault('tool');
    expect(r.page?.compressionLevel).toBe(CompressionLevel.Abstract);
    expect(text(r)).toBe(TOOL_TEXT);
    expect((await m.getL0Pages())[0]?.content).toBe(TOOL_TEXT);
    // REFERENCE of a two-line page (its first line) holds less than the mapped REDUCED copy: the page stays as mapped.
    const twoLines = `Heading line.\n${'body words '.repeat(30)}`;
    await m.addToWorkingSet(await m.createPage(twoLines, { pageId: 'two' }));
    await m.compressPage('two', CompressionLevel.Reduced);
    const reduced = (await m.getL0Pages()).find((p) => p.pageId === 'two')?.content;
    const reference = await m.handleFault('two', CompressionLevel.Reference);
    expect(reference).toMatchObject({ success: true, promoted: false });
    expect(text(reference)).toBe(reduced);
    expect(m.pageTable.lookup('two')?.compressionLevel).toBe(CompressionLevel.Reduced);
  });

  it('evicts other pages to make room for the detail', async () => {
    const m = vm({ config: { maxL0Tokens: 90, reservedTokens: 0, targetUtilization: 1 } });
    await compressedTool(m);
    // Already ABSTRACT: compress-before-evict evicts it.
    await m.addToWorkingSet(await m.createPage('x'.repeat(200), { pageId: 'filler', compressionLevel: CompressionLevel.Abstract }));
    const r = await m.handleFault('tool', 0);
    expect(r.success).toBe(true);
    expect(r.evictions).toEqual(['filler']);
    expect(m.workingSet.tokensUsed).toBeLessThanOrEqual(90);
  });

  it('fails with a typed result when L0 cannot take the detail, leaving the mapped copy and the budget as they were', async () => {
    const m = vm({ config: { maxL0Tokens: 60, reservedTokens: 0 } });
    await compressedTool(m);
    await m.addToWorkingSet(await m.createPage('x'.repeat(120), { pageId: 'pinned' }));
    await m.pinPage('pinned');
    const compressed = (await m.getL0Pages())[0]?.content;
    const used = m.workingSet.tokensUsed;
    const r = await m.handleFault('tool', 0);
    expect(r.success).toBe(false);
    expect(r.error).toBe('Page does not fit in the working set');
    expect(r.sourceTier).toBe(StorageTier.L0);
    expect((await m.getL0Pages())[0]?.content).toBe(compressed);
    expect(m.workingSet.tokensUsed).toBe(used);
    expect(m.workingSet.tokensUsed).toBeLessThanOrEqual(60);
    expect(m.pageTable.lookup('tool')?.compressionLevel).toBe(CompressionLevel.Reduced);
  });

  it('counts against the fault policy', async () => {
    const m = vm({ faultPolicy: { maxFaultTokensPerTurn: 10 } });
    await compressedTool(m);
    const r = await m.handleFault('tool', 0);
    expect(r.error).toBe('Fault policy limit reached for this turn');
    expect((await m.getL0Pages())[0]?.compressionLevel).toBe(CompressionLevel.Reduced);
  });

  it('the handler limit applies too', async () => {
    const m = vm({ faultPolicy: { maxFaultsPerTurn: 1 } });
    await compressedTool(m);
    await m.createPage('other', { pageId: 'other' });
    expect((await m.handleFault('other')).success).toBe(true);
    const r = await m.handleFault('tool', 0);
    expect(r.success).toBe(false);
    expect((await m.getL0Pages()).find((p) => p.pageId === 'tool')?.compressionLevel).toBe(CompressionLevel.Reduced);
  });
});

describe('pages the pre-pass faults in', () => {
  async function setup(opts: MemoryManagerOptions = {}): Promise<MemoryManager> {
    const m = vm({ config: { maxL0Tokens: 200, reservedTokens: 0 }, ...opts });
    await m.addToWorkingSet(await m.createPage('x'.repeat(400), { pageId: 'old', pageType: 'claim', hint: 'decision: postgres' }));
    await m.evictPage('old');
    // Past the eviction cooldown of the anti-thrash policy.
    for (let t = 0; t < 3; t++) await m.newTurn();
    await m.addToWorkingSet(await m.createPage('y'.repeat(360), { pageId: 'pinned' }));
    await m.pinPage('pinned');
    expect(await m.demandPrePass('what did we decide?')).toEqual(['old']);
    return m;
  }
  it('yield to the user message that follows (no anti-thrash protection by default)', async () => {
    const m = await setup();
    expect(await m.addToWorkingSet(await m.createPage('z'.repeat(300), { pageId: 'question' }))).toBe(true);
    expect(m.pageTable.lookup('old')?.tier).not.toBe(StorageTier.L0);
  });
  it('are protected like model faults with demandPaging.protectPrefetched', async () => {
    const m = await setup({ demandPaging: { protectPrefetched: true } });
    expect(await m.addToWorkingSet(await m.createPage('z'.repeat(300), { pageId: 'question' }))).toBe(false);
    expect(m.pageTable.lookup('old')?.tier).toBe(StorageTier.L0);
  });
});

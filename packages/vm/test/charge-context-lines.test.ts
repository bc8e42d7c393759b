import { describe, expect, it } from 'vitest';
import { CompressionLevel, MemoryManager, Modality, type MemoryManagerOptions } from '../src/index.js';

const T0 = new Date('2026-01-01T00:00:00Z');

function manager(opts: MemoryManagerOptions = {}): MemoryManager {
  return new MemoryManager({ sessionId: 's1', clock: () => T0, chargeContextLines: true, ...opts });
}

function words(i: number, n: number): string {
  return Array.from({ length: n }, (_, k) => `word${(i * 31 + k) % 97}`).join(' ');
}

type Ctx = Awaited<ReturnType<MemoryManager['buildContext']>>;

function packed(ctx: Ctx): NonNullable<Ctx['packedContext']> {
  if (ctx.packedContext === null) throw new Error('no packed context');
  return ctx.packedContext;
}

/** The tokens of the unbudgeted VM:CONTEXT line of a page as it is stored now (the test texts are ASCII). */
async function lineTokens(m: MemoryManager, pageId: string): Promise<number> {
  const line = packed(await m.buildContext()).content.split('\n').find((l) => l.includes(`(${pageId})`));
  if (line === undefined) throw new Error(`no line for ${pageId}`);
  return Math.floor(line.length / 4);
}

describe('chargeContextLines', () => {
  it('charges an L0 page its VM:CONTEXT line, which is more than its content', async () => {
    const m = manager();
    const page = await m.createPage('a "quoted" text\nover two lines', { pageId: 'msg_1', role: 'user' });
    await m.addToWorkingSet(page);
    const charged = m.workingSet.chargedTokens('msg_1');
    expect(charged).toBe(await lineTokens(m, 'msg_1'));
    expect(charged).toBeGreaterThan(page.sizeTokens ?? 0);
  });

  it('keeps the budget equal to the packed context: sum of charges = packed tokens', async () => {
    const m = manager({ config: { maxL0Tokens: 2_000, reservedTokens: 0 } });
    for (let i = 0; i < 60; i++) {
      const page = await m.createPage(words(i, 20), { pageId: `msg_${String(i).padStart(3, '0')}`, role: i % 2 === 0 ? 'user' : 'assistant' });
      await m.addToWorkingSet(page);
    }
    const ctx = await m.buildContext();
    expect(m.workingSet.tokensUsed).toBe(packed(ctx).tokensEst);
    expect(packed(ctx).tokensEst).toBeLessThanOrEqual(2_000);
    // Compression and eviction ran: every page still charged its current line.
    expect(m.metrics.evictionsTotal + m.metrics.compressionsTotal).toBeGreaterThan(0);
    expect((ctx.manifest?.working_set ?? []).reduce((sum, e) => sum + e.tokens_est, 0)).toBe(packed(ctx).tokensEst);
  });

  it('without the option the lines exceed the budget the pages were charged', async () => {
    const m = new MemoryManager({ sessionId: 's1', clock: () => T0, config: { maxL0Tokens: 2_000, reservedTokens: 0 } });
    for (let i = 0; i < 60; i++) {
      const page = await m.createPage(words(i, 20), { pageId: `msg_${String(i).padStart(3, '0')}`, role: 'user' });
      await m.addToWorkingSet(page);
    }
    const ctx = await m.buildContext();
    expect(packed(ctx).tokensEst).toBeGreaterThan(m.workingSet.tokensUsed);
  });

  it('re-charges the line after compression and after an update', async () => {
    const m = manager();
    await m.createPage(words(1, 80), { pageId: 'msg_1', role: 'assistant' });
    await m.addToWorkingSet('msg_1');
    const full = m.workingSet.chargedTokens('msg_1');
    await m.compressPage('msg_1', CompressionLevel.Reduced);
    const reduced = m.workingSet.chargedTokens('msg_1');
    expect(reduced).toBeLessThan(full);
    expect(reduced).toBe(await lineTokens(m, 'msg_1'));
    await m.updatePage('msg_1', { content: 'short "now"' });
    expect(m.workingSet.chargedTokens('msg_1')).toBe(await lineTokens(m, 'msg_1'));
    expect(m.workingSet.tokensUsed).toBe(m.workingSet.chargedTokens('msg_1'));
  });

  it('charges a faulted page its line', async () => {
    const m = manager();
    await m.createPage(words(2, 40), { pageId: 'msg_1', role: 'user' });
    await m.addToWorkingSet('msg_1');
    await m.evictPage('msg_1');
    expect(m.workingSet.isInL0('msg_1')).toBe(false);
    const r = await m.handleFault('msg_1', CompressionLevel.Full);
    expect(r.success).toBe(true);
    expect(m.workingSet.chargedTokens('msg_1')).toBe(await lineTokens(m, 'msg_1'));
  });

  it('keeps a size larger than the line (a media page with an explicit size)', async () => {
    const m = manager();
    await m.createPage(null, { pageId: 'img_1', modality: Modality.Image, caption: 'a chart', sizeTokens: 500 });
    await m.addToWorkingSet('img_1');
    expect(m.workingSet.chargedTokens('img_1')).toBe(500);
  });

  it('refuses a page whose line does not fit, charging nothing for it', async () => {
    const m = manager({ config: { maxL0Tokens: 50, reservedTokens: 0 } });
    await m.createPage(words(3, 200), { pageId: 'msg_big', role: 'user' });
    expect(await m.addToWorkingSet('msg_big')).toBe(false);
    expect(m.workingSet.tokensUsed).toBe(0);
    await m.createPage('small', { pageId: 'msg_small', role: 'user' });
    await m.addToWorkingSet('msg_small');
    const ctx = await m.buildContext();
    expect(packed(ctx).pagesIncluded).toEqual(['msg_small']);
    expect(packed(ctx).content).not.toContain('msg_big');
  });
});

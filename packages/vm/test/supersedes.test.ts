import { describe, expect, it } from 'vitest';
import { MemoryManager, StorageTier, type MemoryManagerOptions } from '../src/index.js';

/** Fix 8 of bench/fidelity: a correction names the page it supersedes (`metadata.supersedes`). */

const T0 = new Date('2026-01-01T00:00:00Z');
const STATED = 'The Fjord Newt staging port is 24487.';
const CORRECTED = 'Correction: the Fjord Newt staging port is 57242.';

function vm(opts: MemoryManagerOptions = {}): MemoryManager {
  return new MemoryManager({ sessionId: 's', clock: () => T0, autoPin: false, ...opts });
}

async function stated(m: MemoryManager): Promise<void> {
  await m.addToWorkingSet(await m.createPage(STATED, { pageId: 'old', hint: `[user] ${STATED}` }));
  await m.addToWorkingSet(await m.createPage(CORRECTED, { pageId: 'new', hint: `[user] ${CORRECTED}`, metadata: { supersedes: 'old' } }));
  await m.evictPage('old');
  await m.evictPage('new');
}

describe('a page that supersedes another', () => {
  it('marks the old page [superseded] in its hint (manifest and search_pages)', async () => {
    const m = vm();
    await stated(m);
    expect(m.hints.get('old')).toBe(`[superseded] [user] ${STATED}`);
    expect(m.hints.get('new')).toBe(`[user] ${CORRECTED}`);
    const found = await m.searchPages('staging port');
    expect(found.results.find((r) => r.pageId === 'old')?.hint.startsWith('[superseded] ')).toBe(true);
    const context = await m.buildContext();
    expect(context.manifest?.available_pages.find((a) => a.page_id === 'old')?.hint).toContain('[superseded]');
  });

  it('a fault of the old page maps its successor too', async () => {
    const m = vm();
    await stated(m);
    const r = await m.handleFault('old', 0);
    expect(r.success).toBe(true);
    expect(m.pageTable.lookup('new')?.tier).toBe(StorageTier.L0);
    expect((await m.getL0Pages()).map((p) => p.pageId).sort()).toEqual(['new', 'old']);
    expect(m.mutationLog.getHistory('new').at(-1)).toMatchObject({ mutationType: 'fault_in', actor: 'model' });
    // The successor alone does not bring the old page back.
    await m.evictPage('old');
    await m.evictPage('new');
    for (let t = 0; t < 3; t++) await m.newTurn();
    await m.handleFault('new', 0);
    expect(m.pageTable.lookup('old')?.tier).not.toBe(StorageTier.L0);
  });

  it('follows a chain of corrections; ignores unknown ids and itself; accepts a list', async () => {
    const m = vm();
    await m.createPage('a', { pageId: 'a' });
    await m.createPage('b', { pageId: 'b', metadata: { supersedes: ['a', 'nope'] } });
    await m.createPage('c', { pageId: 'c', metadata: { supersedes: 'b' } });
    await m.createPage('d', { pageId: 'd', metadata: { supersedes: 'd' } });
    await m.createPage('e', { pageId: 'e', metadata: { supersedes: 42 } });
    expect(m.hints.get('a')).toBe('[superseded]');
    expect(m.hints.has('d')).toBe(false);
    expect(m.hints.has('nope')).toBe(false);
    await m.handleFault('a', 0);
    expect((await m.getL0Pages()).map((p) => p.pageId).sort()).toEqual(['a', 'b', 'c']);
  });

  it('a replaced successor is forgotten', async () => {
    const m = vm();
    await m.createPage('a', { pageId: 'a' });
    await m.createPage('b', { pageId: 'b', metadata: { supersedes: 'a' } });
    await m.createPage('x', { pageId: 'x' });
    await m.createPage('y', { pageId: 'y', metadata: { supersedes: 'x' } });
    // y is replaced by a page that supersedes nothing: the link from x goes with the old y.
    await m.createPage('y2', { pageId: 'y', replace: true });
    await m.handleFault('x', 0);
    expect((await m.getL0Pages()).map((p) => p.pageId)).toEqual(['x']);
  });
});

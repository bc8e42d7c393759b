import { describe, expect, it } from 'vitest';
import { MemoryManager } from '../src/index.js';

const T0 = new Date('2026-01-01T00:00:00Z');

async function setup(): Promise<MemoryManager> {
  const m = new MemoryManager({ sessionId: 's1', clock: () => T0 });
  for (const [id, text] of [
    ['msg_a', 'alpha user turn'],
    ['msg_b', 'bravo assistant turn'],
    ['sum_1', 'charlie summary'],
  ] as const) {
    await m.createPage(text, { pageId: id });
    await m.addToWorkingSet(id);
  }
  return m;
}

type Ctx = Awaited<ReturnType<MemoryManager['buildContext']>>;

function packed(ctx: Ctx): NonNullable<Ctx['packedContext']> {
  if (ctx.packedContext === null) throw new Error('no packed context');
  return ctx.packedContext;
}

function manifestIds(ctx: Ctx): string[] {
  return (ctx.manifest?.working_set ?? []).map((e) => e.page_id);
}

describe('buildContext excludePageIds', () => {
  it('leaves excluded pages out of VM:CONTEXT but keeps them in the manifest working set', async () => {
    const m = await setup();
    const ctx = await m.buildContext({ excludePageIds: ['msg_a', 'msg_b'] });
    expect(packed(ctx).content).toContain('charlie summary');
    expect(packed(ctx).content).not.toContain('alpha user turn');
    expect(packed(ctx).content).not.toContain('bravo assistant turn');
    expect(packed(ctx).pagesIncluded).toEqual(['sum_1']);
    expect(manifestIds(ctx).sort()).toEqual(['msg_a', 'msg_b', 'sum_1']);
    expect(ctx.developerMessage).not.toContain('alpha user turn');
  });

  it('accepts a Set, and an empty exclusion packs every L0 page', async () => {
    const m = await setup();
    const fromSet = await m.buildContext({ excludePageIds: new Set(['sum_1']) });
    expect(packed(fromSet).pagesIncluded.sort()).toEqual(['msg_a', 'msg_b']);
    const none = await m.buildContext({ excludePageIds: [] });
    expect(packed(none).pagesIncluded.sort()).toEqual(['msg_a', 'msg_b', 'sum_1']);
  });

  it('never serves a cached pack built with another exclusion set', async () => {
    const m = await setup();
    const all = await m.buildContext();
    expect(packed(all).content).toContain('alpha user turn');
    const ex = await m.buildContext({ excludePageIds: ['msg_a'] });
    expect(packed(ex).content).not.toContain('alpha user turn');
    const exAgain = await m.buildContext({ excludePageIds: new Set(['msg_a']) });
    expect(packed(exAgain).content).toBe(packed(ex).content);
    const other = await m.buildContext({ excludePageIds: ['msg_b'] });
    expect(packed(other).content).toContain('alpha user turn');
    expect(packed(other).content).not.toContain('bravo assistant turn');
    const allAgain = await m.buildContext();
    expect(packed(allAgain).content).toBe(packed(all).content);
    // Same ids in another order are the same key: served from the cache.
    const hitsBefore = (await m.getStats()).packCache.hits;
    await m.buildContext({ excludePageIds: ['msg_b', 'msg_a'] });
    await m.buildContext({ excludePageIds: ['msg_a', 'msg_b'] });
    expect((await m.getStats()).packCache.hits).toBe(hitsBefore + 1);
  });

  it('packs a partly excluded group whole (a tool call and its result stay together)', async () => {
    const m = await setup();
    await m.createPage('delta tool call', { pageId: 'call', groupId: 'g' });
    await m.createPage('echo tool result', { pageId: 'result', groupId: 'g' });
    await m.addToWorkingSet('call');
    await m.addToWorkingSet('result');
    const partly = await m.buildContext({ excludePageIds: ['call'] });
    expect(packed(partly).content).toContain('delta tool call');
    expect(packed(partly).content).toContain('echo tool result');
    const whole = await m.buildContext({ excludePageIds: ['call', 'result'] });
    expect(packed(whole).content).not.toContain('delta tool call');
    expect(packed(whole).content).not.toContain('echo tool result');
    expect(manifestIds(whole)).toEqual(expect.arrayContaining(['call', 'result']));
  });
});

import { describe, expect, it } from 'vitest';
import { makeManager } from './helpers.js';

describe('getStats unpricedModels', () => {
  it('lists a model without a price, costed at 0, and not the priced ones', async () => {
    const { manager } = makeManager();
    await manager.userSays('hello there');
    await manager.aiResponds('a priced answer', { model: 'gpt-4o' });
    expect((await manager.getStats()).unpricedModels).toEqual([]);
    await manager.aiResponds('an answer from a model nobody prices', { model: 'acme-llm-9' });
    const stats = await manager.getStats();
    expect(stats.unpricedModels).toEqual(['acme-llm-9']);
    expect(stats.usageByModel['acme-llm-9']?.estimatedCostUsd).toBe(0);
    expect(stats.usageByModel['acme-llm-9']?.totalTokens).toBeGreaterThan(0);
    expect(stats.usageByModel['gpt-4o']?.estimatedCostUsd).toBeGreaterThan(0);
  });

  it('lists unpriced models of every segment of an infinite-context chain', async () => {
    const { manager } = makeManager({ infiniteContext: true, maxTurnsPerSegment: 2 });
    await manager.userSays('first question');
    await manager.aiResponds('first answer', { model: 'zeta-unknown' });
    await manager.userSays('second question');
    await manager.aiResponds('second answer', { model: 'alpha-unknown' });
    const current = await manager.getStats({ includeAllSegments: false });
    expect(current.sessionSegments).toBe(1);
    expect(current.unpricedModels).toEqual(['alpha-unknown']);
    const all = await manager.getStats({ includeAllSegments: true });
    expect(all.sessionSegments).toBeGreaterThan(1);
    expect(all.unpricedModels).toEqual(['alpha-unknown', 'zeta-unknown']);
  });
});

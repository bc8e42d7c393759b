import { describe, expect, it } from 'vitest';
import {
  ContextPacker,
  ImportanceWeightedLRU,
  ManifestBuilder,
  MemoryManager,
  MutationLogLite,
  MutationType,
  PageTable,
  StorageTier,
  makePage,
  manifestToJSON,
} from '../src/index.js';

const text = (i: number): string => `Page ${i} says something about the session and the model. `.repeat(6);

describe('incremental build caches', () => {
  it('buildContext output equals a fresh render after compressions, evictions and sliding windows', async () => {
    const vm = new MemoryManager({ sessionId: 's', config: { maxL0Tokens: 2_000, reservedTokens: 200 }, evictionPolicy: new ImportanceWeightedLRU() });
    for (let i = 0; i < 400; i++) {
      const page = await vm.createPage(text(i), { pageId: `p_${i}`, hint: `[user] turn ${i}` });
      await vm.addToWorkingSet(page);
      if (i % 7 === 0) {
        const built = await vm.buildContext({ systemPrompt: 'sys' });
        const pages = await vm.getL0Pages();
        const { packedContext, manifest } = built;
        if (!packedContext || !manifest) throw new Error('buildContext returned no packed context or manifest');
        const ctx = { developerMessage: built.developerMessage, packedContext, manifest };
        expect(ctx.packedContext.content).toBe(new ContextPacker().pack(pages).content);
        expect(ctx.packedContext.pagesIncluded).toEqual(pages.map((p) => p.pageId));
        expect(ctx.developerMessage).toContain(`<VM:MANIFEST_JSON>\n${manifestToJSON(ctx.manifest)}\n`);
        expect(ctx.manifest.working_set.map((e) => e.page_id)).toEqual(pages.map((p) => p.pageId));
        for (const e of ctx.manifest.working_set) {
          const page = pages.find((p) => p.pageId === e.page_id);
          expect(e.level).toBe(page?.compressionLevel);
        }
        expect(ctx.manifest.available_pages.some((a) => pages.some((p) => p.pageId === a.page_id))).toBe(false);
      }
    }
    const stats = await vm.getStats();
    expect(stats.mutationLog.compressions).toBeGreaterThan(0);
    expect(stats.mutationLog.evictions).toBeGreaterThan(0);
  });

  it('ManifestBuilder: persistent entry caches stay exact and bounded across changing working sets', () => {
    const table = new PageTable();
    for (let i = 0; i < 300; i++) table.register(makePage({ pageId: `p_${i}`, modality: 'text', content: 'x'.repeat(40 + i), storageTier: i < 200 ? StorageTier.L2 : StorageTier.L0 }));
    const builder = new ManifestBuilder({ maxAvailablePages: 5 });
    for (let step = 0; step < 60; step++) {
      const ids = Array.from({ length: 20 }, (_, k) => `p_${(step * 3 + k) % 300}`);
      const tokens = (id: string): number => (id.length + step) % 4 === 0 ? 7 : 9;
      const { manifest, json } = builder.buildWithJson({ sessionId: 's', pageTable: table, workingSetIds: ids, workingSetTokens: tokens, hintGenerator: (e) => `h${e.pageId}` });
      const fresh = new ManifestBuilder({ maxAvailablePages: 5 }).buildWithJson({ sessionId: 's', pageTable: table, workingSetIds: ids, workingSetTokens: tokens, hintGenerator: (e) => `h${e.pageId}` });
      expect(json).toBe(manifestToJSON(manifest));
      expect(json).toBe(fresh.json);
      expect(manifest.available_pages.every((a) => !ids.includes(a.page_id))).toBe(true);
    }
    const cacheSize = (builder as unknown as { wsCache: Map<string, unknown> }).wsCache.size;
    expect(cacheSize).toBeLessThanOrEqual(20 * 2 + 64);
  });

  it('ManifestBuilder: a primed entry is used only while it matches, and maxAvailablePages 0 lists nothing', () => {
    const table = new PageTable();
    table.register(makePage({ pageId: 'a', modality: 'text', content: 'hello world', storageTier: StorageTier.L0 }));
    table.register(makePage({ pageId: 'b', modality: 'text', content: 'other', storageTier: StorageTier.L2 }));
    const builder = new ManifestBuilder({ maxAvailablePages: 0 });
    const entry = table.lookup('a');
    if (!entry) throw new Error('missing entry');
    builder.primeWorkingSetEntry('a', entry, 5, 0.9);
    const primed = builder.buildWithJson({ sessionId: 's', pageTable: table, workingSetIds: ['a'], workingSetTokens: () => 5, workingSetImportance: () => 0.9 });
    expect(primed.manifest.working_set[0]).toEqual({ page_id: 'a', modality: 'text', level: 0, tokens_est: 5, importance: 0.9 });
    expect(primed.manifest.available_pages).toEqual([]);
    const changed = builder.buildWithJson({ sessionId: 's', pageTable: table, workingSetIds: ['a'] });
    expect(changed.manifest.working_set[0]).toEqual({ page_id: 'a', modality: 'text', level: 0, tokens_est: entry.sizeTokens, importance: 0.5 });
    expect(changed.json).toBe(manifestToJSON(changed.manifest));
  });

  it('ContextPacker: primed lines match a fresh render, are replaced when the page object changes and are pruned', () => {
    const packer = new ContextPacker();
    const pages = Array.from({ length: 100 }, (_, i) => makePage({ pageId: `p_${i}`, modality: 'text', content: `line "${i}"\n` }));
    for (const p of pages) packer.prime(p);
    expect(packer.pack(pages).content).toBe(new ContextPacker().pack(pages).content);
    const replaced = pages.map((p, i) => (i % 2 === 0 ? makePage({ pageId: p.pageId, modality: 'text', content: `new ${i}` }) : p));
    packer.prime(replaced[0] as (typeof replaced)[number]);
    expect(packer.pack(replaced).content).toBe(new ContextPacker().pack(replaced).content);
    const few = replaced.slice(0, 3);
    expect(packer.pack(few).content).toBe(new ContextPacker().pack(few).content);
    const size = (packer as unknown as { lineCache: Map<string, unknown> }).lineCache.size;
    expect(size).toBe(3);
  });
});

describe('context caches hold the working set only', () => {
  /** The manager's private caches, read for this test only. */
  const caches = (vm: MemoryManager): { lines: number; entries: number } => {
    const core = (vm as unknown as { core: { packer: unknown; manifestBuilder: unknown } }).core;
    return {
      lines: (core.packer as { lineCache: Map<string, unknown> }).lineCache.size,
      entries: (core.manifestBuilder as { wsCache: Map<string, unknown> }).wsCache.size,
    };
  };
  it('evicted and deleted pages leave them, with no buildContext or only budgeted ones', async () => {
    const vm = new MemoryManager({ sessionId: 's', config: { maxL0Tokens: 2_000, reservedTokens: 200 }, evictionPolicy: new ImportanceWeightedLRU() });
    for (let i = 0; i < 400; i++) {
      await vm.addToWorkingSet(await vm.createPage(text(i), { pageId: `p_${i}` }));
      if (i % 50 === 49) await vm.buildContext({ tokenBudget: 500 });
    }
    const mapped = (await vm.getL0Pages()).length;
    expect(mapped).toBeLessThan(100);
    expect(caches(vm).lines).toBeLessThanOrEqual(mapped);
    expect(caches(vm).entries).toBeLessThanOrEqual(mapped);
    const last = (await vm.getL0Pages()).at(-1)?.pageId ?? '';
    await vm.deletePage(last);
    expect(caches(vm).lines).toBeLessThanOrEqual(mapped - 1);
    expect(caches(vm).entries).toBeLessThanOrEqual(mapped - 1);
  });
});

describe('MutationLogLite lazy indexes', () => {
  it('indexes entries recorded after a query, and clear() resets them', () => {
    const log = new MutationLogLite({ sessionId: 's' });
    log.recordMutation({ pageId: 'a', mutationType: MutationType.Create, tierAfter: StorageTier.L1, turn: 1 });
    expect(log.getHistory('a')).toHaveLength(1);
    expect(log.pageCount()).toBe(1);
    log.recordMutation({ pageId: 'a', mutationType: MutationType.Evict, tierAfter: StorageTier.L2, turn: 2 });
    log.recordMutation({ pageId: 'b', mutationType: MutationType.Create, tierAfter: StorageTier.L1, turn: 2 });
    expect(log.getHistory('a').map((m) => m.mutationType)).toEqual([MutationType.Create, MutationType.Evict]);
    expect(log.getMutationsInTurn(2)).toHaveLength(2);
    expect(log.getPagesEvictedInTurn(2)).toEqual(['a']);
    expect(log.getSummary().uniquePages).toBe(2);
    log.clear();
    expect(log.pageCount()).toBe(0);
    log.recordMutation({ pageId: 'c', mutationType: MutationType.Create, tierAfter: StorageTier.L1, turn: 3 });
    expect(log.getHistory('c')).toHaveLength(1);
    expect(log.getHistory('a')).toEqual([]);
    expect(log.getPagesCreatedInTurn(3)).toEqual(['c']);
  });
});

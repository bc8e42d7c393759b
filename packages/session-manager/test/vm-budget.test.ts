import { CompressionLevel, LRUEvictionPolicy, PageType, VM_TAGS, charRatioEstimator, type MemoryManager, type VmManifest } from '@chuk/vm';
import { describe, expect, it } from 'vitest';
import { makeManager } from './helpers.js';

/** The manifest JSON of the developer message. */
function manifestOf(developerMessage: string): { json: string; manifest: VmManifest } {
  const start = developerMessage.indexOf(VM_TAGS.ManifestOpen) + VM_TAGS.ManifestOpen.length;
  const json = developerMessage.slice(start, developerMessage.indexOf(VM_TAGS.ManifestClose)).trim();
  return { json, manifest: JSON.parse(json) as VmManifest };
}

const words = (i: number) => `message ${i} about the ${'long '.repeat(12)}topic number ${i}`;

describe('VM facade options that bound the prompt', () => {
  it('passes manifest.maxTokens and maxHintChars through: fewer available pages, the rest counted', async () => {
    const budget = 260;
    const { manager } = makeManager({ enableVm: true, vm: { config: { maxL0Tokens: 120, reservedTokens: 0 }, manifest: { maxTokens: budget, maxHintChars: 30 } } });
    for (let i = 0; i < 30; i++) await manager.userSays(words(i));
    const [developer] = await manager.getMessagesForLlm();
    const { json, manifest } = manifestOf(developer?.content ?? '');
    expect(charRatioEstimator.estimateText(json)).toBeLessThanOrEqual(budget);
    expect(manifest.working_set.length).toBeGreaterThan(0);
    expect(manifest.available_pages.length).toBeGreaterThan(0);
    expect(manifest.available_pages.every((a) => a.hint.length <= 33)).toBe(true);
    const vm = manager.vm as MemoryManager;
    const unmapped = vm.pageTable.size - (await vm.getL0Pages()).length;
    expect(manifest.available_pages_omitted).toBe(unmapped - manifest.available_pages.length);
    // Without the option the manifest lists up to 50 pages with whole hints and no counts.
    const plain = makeManager({ enableVm: true, vm: { config: { maxL0Tokens: 120, reservedTokens: 0 } } }).manager;
    for (let i = 0; i < 30; i++) await plain.userSays(words(i));
    const free = manifestOf((await plain.getMessagesForLlm())[0]?.content ?? '').manifest;
    expect(free.available_pages.length).toBeGreaterThan(manifest.available_pages.length);
    expect(free.available_pages_omitted).toBeUndefined();
  });

  it('passes maxPinnedSummaries through: older segment summaries are unpinned and leave L0 at a rollover', async () => {
    let n = 0;
    const { manager } = makeManager({
      enableVm: true,
      infiniteContext: true,
      maxTurnsPerSegment: 2,
      summaryCallback: async () => `Summary ${++n}.`,
      vm: { maxPinnedSummaries: 1 },
    });
    for (let i = 0; i < 8; i++) await (i % 2 === 0 ? manager.userSays(`question ${i}`) : manager.aiResponds(`answer ${i}`));
    const vm = manager.vm as MemoryManager;
    const summaries = vm.pageTable.getByType(PageType.Summary);
    expect(summaries.length).toBeGreaterThan(2);
    const pinned = summaries.filter((e) => vm.workingSet.isPinned(e.pageId));
    expect(pinned.length).toBeLessThanOrEqual(2);
    expect(summaries.filter((e) => e.tier !== 'L0').length).toBeGreaterThan(0);
  });

  it('sends a transcript page compressed in L0 as its compressed text, the latest user message whole', async () => {
    const { manager } = makeManager({ enableVm: true, vm: { config: { maxL0Tokens: 70, reservedTokens: 0 }, evictionPolicy: new LRUEvictionPolicy() } });
    for (let i = 0; i < 6; i++) await (i % 2 === 0 ? manager.userSays(words(i)) : manager.aiResponds(words(i)));
    const vm = manager.vm as MemoryManager;
    const l0 = await vm.getL0Pages();
    const compressed = l0.filter((p) => p.pageType === PageType.Transcript && p.compressionLevel > CompressionLevel.Full);
    expect(compressed.length).toBeGreaterThan(0);
    const messages = await manager.getMessagesForLlm();
    const chat = messages.slice(1).map((m) => m.content);
    const evicted = new Set(vm.mutationLog.getMutationsByType('evict').map((m) => m.pageId));
    for (const page of compressed.filter((p) => !evicted.has(p.pageId))) {
      expect(chat).toContain(page.content);
      expect(chat.filter((c) => c === page.content)).toHaveLength(1);
    }
    expect(chat).toContain(words(4));
  });
});

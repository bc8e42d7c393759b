import { describe, expect, it } from 'vitest';
import { InvalidInput } from '@chuk/models';
import {
  CompressionLevel,
  CompressorRegistry,
  ImportanceWeightedLRU,
  MemoryManager,
  TextCompressor,
  makePage,
  tokensSaved,
  type MemoryPage,
} from '../src/index.js';

const text = (content: string, level: CompressionLevel = CompressionLevel.Reduced, sizeTokens: number | null = null): MemoryPage =>
  makePage({ pageId: 'p', modality: 'text', content, compressionLevel: level, sizeTokens });

describe('TextCompressor.savedTokensSync (what compressSync would save, without building it)', () => {
  const c = new TextCompressor();

  it('equals tokensSaved of compressSync for an ABSTRACT text that already fits', () => {
    for (const page of [text('Short text. Two sentences.'), text('x'.repeat(800)), text('a short one', CompressionLevel.Reduced, 40), text('éé😀 emoji text')]) {
      const saved = c.savedTokensSync(page, CompressionLevel.Abstract);
      expect(saved).toBeDefined();
      expect(saved).toBe(tokensSaved(c.compressSync(page, CompressionLevel.Abstract)!));
    }
    // An explicit size larger than the text's estimate: the unchanged text still saves tokens.
    expect(c.savedTokensSync(text('a short one', CompressionLevel.Reduced, 40), CompressionLevel.Abstract)).toBe(38);
  });

  it('is undefined when the compressed page has to be built to know', () => {
    expect(c.savedTokensSync(text('x'.repeat(801)), CompressionLevel.Abstract)).toBeUndefined();
    expect(c.savedTokensSync(text(''), CompressionLevel.Abstract)).toBeUndefined();
    expect(c.savedTokensSync(text('Some text.', CompressionLevel.Full), CompressionLevel.Reduced)).toBeUndefined();
    expect(c.savedTokensSync(text('Some text.', CompressionLevel.Abstract), CompressionLevel.Abstract)).toBeUndefined();
    expect(c.savedTokensSync(text('Some text.'), CompressionLevel.Reference)).toBeUndefined();
    const summarizing = new TextCompressor({ summarizeFn: async () => 'summary' });
    expect(summarizing.savedTokensSync(text('Some text.'), CompressionLevel.Abstract)).toBeUndefined();
    expect(() => c.savedTokensSync(text('Some text.'), 7 as CompressionLevel)).toThrow(InvalidInput);
  });

  it('the registry asks the page modality compressor (undefined for one without the method)', () => {
    const registry = CompressorRegistry.default();
    expect(registry.savedTokensSync(text('Short text.'), CompressionLevel.Abstract)).toBe(0);
    const image = makePage({ pageId: 'i', modality: 'image', content: 'img', compressionLevel: CompressionLevel.Reduced });
    // Under minCompressTokens (16 by default) a page is not worth compressing: 0 whatever its compressor.
    expect(registry.savedTokensSync(image, CompressionLevel.Abstract)).toBe(0);
    expect(CompressorRegistry.default({ minCompressTokens: 0 }).savedTokensSync(image, CompressionLevel.Abstract)).toBeUndefined();
    expect(() => registry.savedTokensSync(image, -1 as CompressionLevel)).toThrow(InvalidInput);
  });
});

describe('eviction skips building a compression that saves nothing', () => {
  it('evicts a REDUCED page whose ABSTRACT form is unchanged, with no compressed copy built', async () => {
    let built = 0;
    const text = new TextCompressor();
    const counting = new TextCompressor();
    counting.compressSync = (page, target) => {
      built++;
      return text.compressSync(page, target);
    };
    const vm = new MemoryManager({
      sessionId: 's',
      config: { maxL0Tokens: 400, reservedTokens: 0 },
      evictionPolicy: new ImportanceWeightedLRU(),
      compressorRegistry: new CompressorRegistry({ text: counting }),
    });
    const body = (i: number) => `Page ${i} ${'words of the page body '.repeat(8)}`;
    for (let i = 0; i < 12; i++) await vm.addToWorkingSet(await vm.createPage(body(i), { pageId: `p${i}` }));
    const entries = [...vm.pageTable.entries.values()];
    const evicted = entries.filter((e) => e.tier !== 'L0');
    expect(evicted.length).toBeGreaterThan(0);
    // Every evicted page was compressed once (FULL → REDUCED) and then evicted without an ABSTRACT copy.
    expect(evicted.every((e) => e.compressionLevel === CompressionLevel.Reduced)).toBe(true);
    expect(built).toBe(entries.filter((e) => e.compressionLevel === CompressionLevel.Reduced).length);
  });
});

describe('compress-before-evict skips pages under minCompressTokens (fidelity fix 12)', () => {
  async function run(registry: CompressorRegistry) {
    const vm = new MemoryManager({ sessionId: 's', autoPin: false, config: { maxL0Tokens: 200, reservedTokens: 0 }, compressorRegistry: registry });
    // Six short replies (6 tokens each; REDUCED would save 2), then long pages until L0 must make room.
    for (let i = 0; i < 6; i++) await vm.addToWorkingSet(await vm.createPage('Noted, thanks for that.', { pageId: `short${i}` }));
    for (let i = 0; i < 12; i++) await vm.addToWorkingSet(await vm.createPage(`Page ${i} ${'words of the page body '.repeat(4)}`, { pageId: `long${i}` }));
    return [...vm.pageTable.entries.values()].filter((e) => e.pageId.startsWith('short'));
  }
  it('evicts a page of a few tokens instead of compressing it', async () => {
    const shorts = await run(CompressorRegistry.default());
    expect(shorts.some((e) => e.tier !== 'L0')).toBe(true);
    expect(shorts.every((e) => e.compressionLevel === CompressionLevel.Full)).toBe(true);
  });
  it('minCompressTokens: 0 compresses them as before', async () => {
    const shorts = await run(CompressorRegistry.default({ minCompressTokens: 0 }));
    expect(shorts.some((e) => e.compressionLevel > CompressionLevel.Full)).toBe(true);
  });
  it('validates the option', () => {
    expect(() => new CompressorRegistry({}, { minCompressTokens: -1 })).toThrow(InvalidInput);
    expect(new CompressorRegistry().minCompressTokens).toBe(16);
  });
});

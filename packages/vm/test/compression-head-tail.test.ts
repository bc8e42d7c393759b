import { describe, expect, it } from 'vitest';
import { InvalidInput } from '@chuk/models';
import { CompressionLevel, TextCompressor, makePage, type MemoryPage } from '../src/index.js';

/** Fix 2 of bench/fidelity: REDUCED / ABSTRACT of artifact (tool) pages keep head and tail; the answer sits at the end. */

const RESULT = `count_rows({"table":"onyx_quokka_orders"}) -> {"table":"onyx_quokka_orders","count":"4,127,903 rows"}`;
const page = (content: string, pageType: MemoryPage['pageType'] = 'artifact'): MemoryPage => makePage({ pageId: 'p', modality: 'text', content, pageType });

describe('head-and-tail excerpts of artifact pages', () => {
  const c = new TextCompressor();

  it('REDUCED keeps the start and the end of a tool result', () => {
    const out = c.compressSync(page(RESULT), CompressionLevel.Reduced)?.page.content as string;
    expect(out.startsWith('count_rows(')).toBe(true);
    expect(out).toContain('4,127,903 rows');
    expect(out).toContain('...');
    expect(out.length).toBeLessThanOrEqual(Math.floor(RESULT.length / 2) + 3);
    // A transcript page keeps the first half (the reference excerpt).
    const transcript = c.compressSync(page(RESULT, 'transcript'), CompressionLevel.Reduced)?.page.content as string;
    expect(transcript).not.toContain('4,127,903');
    expect(transcript).toBe(`${RESULT.slice(0, Math.floor(RESULT.length / 2)).trimEnd()}...`);
  });

  it('ABSTRACT of a long artifact keeps head and tail within the cap; a short one is unchanged', () => {
    const long = `${'{"row":"filler value"},'.repeat(60)}"total":"9,999.01"`;
    const small = new TextCompressor({ config: { abstractMaxTokens: 20 } });
    const out = small.compressSync(page(long), CompressionLevel.Abstract)?.page.content as string;
    expect(out.endsWith('"total":"9,999.01"')).toBe(true);
    expect(out.length).toBeLessThanOrEqual(80 + 3);
    expect(c.compressSync(page(RESULT), CompressionLevel.Abstract)?.page.content).toBe(RESULT);
    // Without head-and-tail the long text is cut at the start only.
    const plain = new TextCompressor({ config: { abstractMaxTokens: 20, headTailPageTypes: [] } });
    expect(plain.compressSync(page(long), CompressionLevel.Abstract)?.page.content).not.toContain('9,999.01');
  });

  it('counts code points (an emoji is not split) and is configurable per page type', () => {
    const emoji = `${'😀'.repeat(10)} middle part ${'🎉'.repeat(10)}`;
    const out = c.compressSync(page(emoji), CompressionLevel.Reduced)?.page.content as string;
    expect(out.startsWith('😀')).toBe(true);
    expect(out.endsWith('🎉')).toBe(true);
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    const forTranscripts = new TextCompressor({ config: { headTailPageTypes: ['transcript'] } });
    expect(forTranscripts.compressSync(page(RESULT, 'transcript'), CompressionLevel.Reduced)?.page.content).toContain('4,127,903 rows');
    expect(() => new TextCompressor({ config: { headTailPageTypes: ['nope' as 'artifact'] } })).toThrow(InvalidInput);
    // A ratio so small that the tail gets no character keeps the head only.
    const tiny = new TextCompressor({ config: { reducedRatio: 0.01 } });
    expect(tiny.compressSync(page(RESULT), CompressionLevel.Reduced)?.page.content).toBe('c...');
  });
});

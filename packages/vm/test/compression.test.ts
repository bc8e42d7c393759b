import { describe, expect, it, vi } from 'vitest';
import { InvalidInput } from '@chuk/models';
import {
  CompressorRegistry,
  AudioCompressor,
  ImageCompressor,
  PassthroughCompressor,
  StructuredCompressor,
  VideoCompressor,
  TextCompressor,
  makePage,
  tokensSaved,
  type CompressionLevel,
  type MemoryPage,
} from '../src/index.js';

const text = (content: unknown, level: CompressionLevel = 0, init: Partial<Parameters<typeof makePage>[0]> = {}) =>
  makePage({ pageId: 'p', modality: 'text', content, compressionLevel: level, ...init });

const sentence = (n: number) => `${'w'.repeat(n - 1)}.`;

describe('TextCompressor (offline)', () => {
  const c = new TextCompressor();
  const long = Array.from({ length: 30 }, () => sentence(60)).join(' ');

  it('FULL → REDUCED keeps half the characters plus "..."', async () => {
    const p = text('abcd efgh ijkl mnop');
    const r = await c.compress(p, 1);
    expect(r.page.content).toBe('abcd efgh...');
    expect(r.levelBefore).toBe(0);
    expect(r.levelAfter).toBe(1);
    expect(r.page.sizeTokens).toBe(3);
    expect(r.page.version).toBe(2);
    expect(p.content).toBe('abcd efgh ijkl mnop');
  });
  it('FULL → ABSTRACT packs whole sentences up to 800 characters', async () => {
    const r = await c.compress(text(long), 2);
    const out = r.page.content as string;
    expect(out.length).toBeLessThanOrEqual(800);
    expect(out.split(' ')).toHaveLength(13);
    expect(tokensSaved(r)).toBeGreaterThan(0);
  });
  it('ABSTRACT boundary: exactly 800 characters fits', async () => {
    const exact = [sentence(399), sentence(400)].join(' ');
    expect(exact.length).toBe(800);
    expect((await c.compress(text(exact), 2)).page.content).toBe(exact);
    const over = [sentence(400), sentence(400)].join(' ');
    expect((await c.compress(text(over), 2)).page.content).toBe(sentence(400));
  });
  it('a first sentence longer than 800 characters is truncated', async () => {
    const r = await c.compress(text('x'.repeat(900)), 2);
    expect(r.page.content).toBe(`${'x'.repeat(800)}...`);
  });
  it('REFERENCE uses the first line only, capped at 200 characters', async () => {
    const r = await c.compress(text(`${'a'.repeat(250)}\nsecond line`), 3);
    expect(r.page.content).toBe(`[transcript] ${'a'.repeat(200)}`);
    const claim = await c.compress(text('decided X\nmore', 0, { pageType: 'claim' }), 3);
    expect(claim.page.content).toBe('[claim] decided X');
  });
  it('REDUCED → ABSTRACT / REFERENCE and ABSTRACT → REFERENCE start from the current content', async () => {
    const reduced = (await c.compress(text(long), 1)).page;
    expect(reduced.compressionLevel).toBe(1);
    const abs = await c.compress(reduced, 2);
    expect(abs.levelBefore).toBe(1);
    expect(abs.page.compressionLevel).toBe(2);
    expect((await c.compress(reduced, 3)).page.content).toMatch(/^\[transcript\] w+\./);
    expect((await c.compress(abs.page, 3)).page.compressionLevel).toBe(3);
  });
  it('same or lower level is a no-op returning the same page object', async () => {
    const p = text('hello', 2);
    for (const target of [2, 1, 0] as const) {
      const r = await c.compress(p, target);
      expect(r.page).toBe(p);
      expect(tokensSaved(r)).toBe(0);
      expect(r.levelAfter).toBe(2);
    }
    expect(c.canCompress(0, 1)).toBe(true);
    expect(c.canCompress(1, 1)).toBe(false);
  });
  it('empty content: REDUCED gives "" with size 1, ABSTRACT gives "..."', async () => {
    const r = await c.compress(text(null), 1);
    expect(r.page.content).toBe('');
    expect(r.compressedTokens).toBe(1);
    expect((await c.compress(text(''), 2)).page.content).toBe('...');
  });
  it('non-string content is compressed from its JSON', async () => {
    const r = await c.compress(text({ a: 'b'.repeat(100) }), 1);
    expect(typeof r.page.content).toBe('string');
  });
  it('rejects invalid levels and config', async () => {
    await expect(c.compress(text('x'), 7 as CompressionLevel)).rejects.toThrow(InvalidInput);
    expect(() => new TextCompressor({ config: { reducedRatio: 0 } })).toThrow(InvalidInput);
  });
});

describe('TextCompressor with summarizeFn', () => {
  it('passes the documented maxTokens and never mutates the input', async () => {
    const summarize = vi.fn(async (t: string, max: number) => `S(${t.length},${max})`);
    const c = new TextCompressor({ summarizeFn: summarize });
    const p = text('x'.repeat(100));
    const before = JSON.stringify(p);
    expect((await c.compress(p, 1)).page.content).toBe('S(100,12)');
    expect((await c.compress(p, 2)).page.content).toBe('S(100,200)');
    expect(summarize).toHaveBeenCalledTimes(2);
    expect((await c.compress(p, 3)).page.content).toBe(`[transcript] ${'x'.repeat(100)}`);
    expect(JSON.stringify(p)).toBe(before);
    const tiny = await c.compress(text('abc'), 1);
    expect(tiny.page.content).toBe('S(3,1)');
  });
});

describe('ImageCompressor and passthrough', () => {
  const image = (init: Partial<MemoryPage> = {}) => makePage({ pageId: 'img', modality: 'image', content: 'http://x/a.png', ...init });
  it('REDUCED relabels, ABSTRACT keeps the caption or [IMAGE], REFERENCE a tag', async () => {
    const c = new ImageCompressor();
    const r = await c.compress(image(), 1);
    expect(r.page.compressionLevel).toBe(1);
    expect(r.page.content).toBe('http://x/a.png');
    expect(tokensSaved(r)).toBe(0);
    expect((await c.compress(image({ caption: 'a cat' }), 2)).page.content).toBe('a cat');
    expect((await c.compress(image(), 2)).page.content).toBe('[IMAGE]');
    expect((await c.compress(image(), 3)).page.content).toBe('[transcript] image:img');
    expect((await c.compress(image({ compressionLevel: 3 }), 1)).levelAfter).toBe(3);
    expect(c.canCompress(1, 2)).toBe(true);
  });
  it('passthrough relabels with unchanged tokens', async () => {
    const c = new PassthroughCompressor('audio');
    const p = makePage({ pageId: 'a', modality: 'audio', content: 'x'.repeat(40) });
    const r = await c.compress(p, 2);
    expect(r.page.compressionLevel).toBe(2);
    expect(r.page).not.toBe(p);
    expect(tokensSaved(r)).toBe(0);
    expect((await c.compress(r.page, 1)).page).toBe(r.page);
    expect(c.canCompress(2, 1)).toBe(false);
    expect(new PassthroughCompressor().supportedModality).toBe('text');
  });
});

describe('CompressorRegistry', () => {
  it('a compressed page is a new object sharing the (never mutated) containers; the original is untouched', async () => {
    const reg = CompressorRegistry.default();
    const original = makePage({ pageId: 't', modality: 'text', content: 'abcdefghij'.repeat(20), provenance: ['src'], metadata: { k: 1 }, representations: { 3: 'ref' } });
    for (const page of [original, makePage({ pageId: 'a', modality: 'audio', transcript: 'Spoken words here.' }), makePage({ pageId: 'i', modality: 'image', caption: 'c' })]) {
      const before = structuredClone(page);
      const r = await reg.compressPage(page, 1);
      expect(r.page).not.toBe(page);
      expect(r.page.compressionLevel).toBe(1);
      expect(r.page.metadata).toBe(page.metadata);
      expect(r.page.provenance).toBe(page.provenance);
      expect(r.page.representations).toBe(page.representations);
      expect(page).toEqual(before);
    }
  });

  it('compresses audio, video and structured pages with the §9.6 media compressors by default', async () => {
    const reg = CompressorRegistry.default();
    expect(reg.get('audio')).toBeInstanceOf(AudioCompressor);
    expect(reg.get('structured')).toBeInstanceOf(StructuredCompressor);
    const audio = makePage({ pageId: 'a1', modality: 'audio', content: null, transcript: 'First point made. Second point here.', durationSeconds: 95 });
    expect((await reg.compressPage(audio, 1)).page.content).toBe('First point made. Second point here.');
    expect((await reg.compressPage(audio, 3)).page.content).toBe('[transcript] audio:a1 (1:35)');
    expect(reg.compressPageSync(audio, 3)?.page.content).toBe('[transcript] audio:a1 (1:35)');
    const video = makePage({ pageId: 'v1', modality: 'video', content: null, metadata: { scene_count: 4 } });
    expect((await reg.compressPage(video, 3)).page.content).toBe('[transcript] video:v1 (4 scenes)');
    const json = makePage({ pageId: 's1', modality: 'structured', content: { a: 1, b: { c: 2 } } });
    const ref = await reg.compressPage(json, 3);
    expect(ref.page.content).toBe('[transcript] json:s1');
    expect(ref.levelAfter).toBe(3);
    // A summariser given to the default registry serves audio ABSTRACT too.
    const summarizeFn = vi.fn(async () => 'the gist');
    const withSummary = CompressorRegistry.default({ summarizeFn });
    expect((await withSummary.compressPage(audio, 2)).page.content).toBe('the gist');
    expect(summarizeFn).toHaveBeenCalledWith('First point made. Second point here.', expect.any(Number));
  });

  it('has defaults per modality and falls back to passthrough', async () => {
    const reg = CompressorRegistry.default();
    expect(reg.get('text')).toBeInstanceOf(TextCompressor);
    expect(reg.get('image')).toBeInstanceOf(ImageCompressor);
    expect(reg.get('video')).toBeInstanceOf(VideoCompressor);
    const empty = new CompressorRegistry();
    expect(empty.get('structured')).toBeInstanceOf(PassthroughCompressor);
    const custom = new TextCompressor({ config: { reducedRatio: 0.1 } });
    empty.register('text', custom);
    expect(empty.get('text')).toBe(custom);
    const r = await empty.compressPage(text('abcdefghij'.repeat(4)), 1);
    expect(r.page.content).toBe('abcd...');
    await expect(reg.compressPage(text('x'), 5 as CompressionLevel)).rejects.toThrow(InvalidInput);
    const withSummary = CompressorRegistry.default({ summarizeFn: async () => 'sum', text: { abstractMaxTokens: 10 } });
    expect((await withSummary.compressPage(text('hello world'), 2)).page.content).toBe('sum');
    expect(new CompressorRegistry({ text: custom }).get('text')).toBe(custom);
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidInput } from '@chuk/models';
import {
  AudioCompressor,
  CompressorRegistry,
  StructuredCompressor,
  VideoCompressor,
  createTiktokenEstimator,
  formatDuration,
  makePage,
  outline,
  type CompressionLevel,
} from '../src/index.js';

const words = createTiktokenEstimator((s) => s.split(/\s+/).filter(Boolean).length);

describe('AudioCompressor', () => {
  const transcript = 'We agreed on the launch date. Marketing starts in May. Questions go to Ana.';
  const audio = () => makePage({ pageId: 'a1', modality: 'audio', content: null, transcript, durationSeconds: 125, sizeTokens: 900 });

  it('REDUCED is the transcript, ABSTRACT its first sentences within the cap, REFERENCE a tag with the duration', async () => {
    const c = new AudioCompressor({ config: { abstractMaxTokens: 14 }, estimator: words });
    const reduced = await c.compress(audio(), 1);
    expect(reduced.page.content).toBe(transcript);
    expect(reduced.page.compressionLevel).toBe(1);
    expect(reduced).toMatchObject({ originalTokens: 900, compressedTokens: 14, levelBefore: 0, levelAfter: 1 });
    expect(reduced.page.version).toBe(2);
    expect((await c.compress(audio(), 2)).page.content).toBe('We agreed on the launch date. Marketing starts in May.');
    expect((await c.compress(audio(), 3)).page.content).toBe('[transcript] audio:a1 (2:05)');
    // No transcript (and no text content): only a reference is possible.
    const bare = makePage({ pageId: 'a2', modality: 'audio', content: null });
    expect(c.compressSync(bare, 1)?.page).toMatchObject({ content: '[transcript] audio:a2', compressionLevel: 3 });
  });

  it('never mutates the input, is a no-op at or below the current level, and uses the summariser for ABSTRACT', async () => {
    const page = audio();
    const c = new AudioCompressor({ summarizeFn: async (text, max) => `summary(${max}) of ${text.length} chars` });
    const same = await c.compress(page, 0);
    expect(same.page).toBe(page);
    expect(page.content).toBeNull();
    expect(c.compressSync(page, 2)).toBeUndefined();
    expect((await c.compress(page, 2)).page.content).toBe(`summary(200) of ${transcript.length} chars`);
    expect((await c.compress(page, 1)).page.content).toBe(transcript);
    expect(c.canCompress(1, 2)).toBe(true);
    expect(c.canCompress(2, 2)).toBe(false);
    await expect(c.compress(page, 7 as CompressionLevel)).rejects.toThrow(InvalidInput);
    expect(() => new AudioCompressor({ config: { abstractMaxTokens: 0 } })).toThrow(InvalidInput);
  });
});

describe('VideoCompressor', () => {
  const video = (metadata: Record<string, unknown> = {}, transcript: string | null = 'Hello and welcome.') =>
    makePage({ pageId: 'v1', modality: 'video', content: null, transcript, durationSeconds: 61, metadata });

  it('REDUCED lists transcript and scenes, ABSTRACT joins the scene descriptions, REFERENCE counts scenes', () => {
    const c = new VideoCompressor();
    const scenes = ['A whiteboard with the plan.', { description: 'The team votes.', at: 75 }, 42];
    const reduced = c.compressSync(video({ scenes }), 1);
    expect(reduced.page.content).toBe('transcript: Hello and welcome.\nscenes:\n1. A whiteboard with the plan.\n2. [1:15] The team votes.');
    expect(c.compressSync(video({ scenes }), 2).page.content).toBe('A whiteboard with the plan. The team votes.');
    expect(c.compressSync(video({ scenes }), 3).page.content).toBe('[transcript] video:v1 (1:01, 2 scenes)');
    expect(c.compressSync(video({ scene_count: 9 }), 3).page.content).toBe('[transcript] video:v1 (1:01, 9 scenes)');
  });

  it('falls back to the reference when a level has nothing to show', async () => {
    const c = new VideoCompressor();
    expect(c.compressSync(video({}), 1).page.content).toBe('transcript: Hello and welcome.');
    expect(c.compressSync(video({}), 2).page).toMatchObject({ content: '[transcript] video:v1 (1:01)', compressionLevel: 3 });
    const bare = makePage({ pageId: 'v2', modality: 'video', content: null });
    expect((await c.compress(bare, 1)).page.content).toBe('[transcript] video:v2');
    expect(c.compressSync(bare, 0).page).toBe(bare);
    expect(c.canCompress(0, 1)).toBe(true);
  });
});

describe('StructuredCompressor', () => {
  const data = { id: 7, title: 'x'.repeat(100), tags: ['a', 'b', 'c', 'd', 'e'], owner: { name: 'Ana', team: { id: 2 } } };

  it('REDUCED elides long strings and arrays, ABSTRACT outlines the keys, REFERENCE tags the id', async () => {
    const c = new StructuredCompressor({ config: { maxStringChars: 10, maxArrayItems: 2 } });
    const page = makePage({ pageId: 's1', modality: 'structured', content: data });
    const reduced = JSON.parse(String(c.compressSync(page, 1).page.content)) as Record<string, unknown>;
    expect(reduced).toEqual({ id: 7, title: `${'x'.repeat(10)}...`, tags: ['a', 'b', '... (3 more)'], owner: { name: 'Ana', team: { id: 2 } } });
    expect(c.compressSync(page, 2).page.content).toBe('keys: id, title, tags[5], owner{name, team}');
    expect((await c.compress(page, 3)).page.content).toBe('[transcript] json:s1');
    expect(page.content).toBe(data);
  });

  it('parses JSON strings, outlines arrays, and references what is not JSON data', () => {
    const c = new StructuredCompressor();
    const fromString = makePage({ pageId: 's2', modality: 'structured', content: JSON.stringify([{ a: 1, b: [1, 2] }, { a: 2 }]) });
    expect(c.compressSync(fromString, 2).page.content).toBe('array[2] of {a, b[2]}');
    expect(c.compressSync(fromString, 1).page.content).toBe('[{"a":1,"b":[1,2]},{"a":2}]');
    expect(outline([], 2)).toBe('array[0]');
    expect(outline([3], 2)).toBe('array[1] of number');
    for (const content of ['not json', '"just a string"', 42]) {
      expect(c.compressSync(makePage({ pageId: 's3', modality: 'structured', content }), 1).page.content).toBe('[transcript] json:s3');
    }
    expect(c.canCompress(3, 1)).toBe(false);
  });

  it('plugs into a CompressorRegistry by modality', async () => {
    const registry = CompressorRegistry.default();
    registry.register('structured', new StructuredCompressor());
    registry.register('audio', new AudioCompressor());
    registry.register('video', new VideoCompressor());
    const r = await registry.compressPage(makePage({ pageId: 's4', modality: 'structured', content: { k: 1 } }), 2);
    expect(r.page.content).toBe('keys: k');
    expect(formatDuration(3599)).toBe('59:59');
  });
});

import { InvalidInput } from '@chuk/models';
import { describe, expect, it } from 'vitest';
import {
  AudioCompressor, CompressionLevel, ImageCompressor, Modality, SyncCompressor, TextCompressor, VideoCompressor, makePage,
  type CompressionResult, type MemoryPage,
} from '../src/index.js';

/** A compressor whose sync path gives up and that has no async path of its own. */
class GivesUp extends SyncCompressor {
  readonly supportedModality = Modality.Text;
  calls = 0;
  compressSync(): CompressionResult | undefined {
    this.calls++;
    return undefined;
  }
}

const page = (content: string, modality: Modality = Modality.Text): MemoryPage => makePage({ pageId: 'p1', content, modality });

describe('SyncCompressor (the built-in compressors’ base)', () => {
  it('only raises a level', () => {
    const c = new ImageCompressor();
    expect(c.canCompress(CompressionLevel.Full, CompressionLevel.Reduced)).toBe(true);
    expect(c.canCompress(CompressionLevel.Abstract, CompressionLevel.Reduced)).toBe(false);
    expect(c.canCompress(CompressionLevel.Reduced, CompressionLevel.Reduced)).toBe(false);
  });

  it('compress gives what compressSync gives when it can', async () => {
    const c = new VideoCompressor();
    const p = page('clip', Modality.Video);
    expect((await c.compress(p, CompressionLevel.Reference)).page.content).toBe(c.compressSync(p, CompressionLevel.Reference).page.content);
  });

  it('rejects with InvalidInput when the sync path gives up and there is no async path', async () => {
    const c = new GivesUp();
    await expect(c.compress(page('x'), CompressionLevel.Reduced)).rejects.toBeInstanceOf(InvalidInput);
    expect(c.calls).toBe(1);
  });

  it('text and audio take the summariser path through compressAsync', async () => {
    const summarizeFn = (text: string): Promise<string> => Promise.resolve(`summary of ${String(text.length)} chars`);
    const text = new TextCompressor({ summarizeFn });
    expect(text.compressSync(page('one. two. three.'), CompressionLevel.Abstract)).toBeUndefined();
    expect((await text.compress(page('one. two. three.'), CompressionLevel.Abstract)).page.content).toBe('summary of 16 chars');
    const audio = new AudioCompressor({ summarizeFn });
    const a = { ...page('spoken words here', Modality.Audio), transcript: 'spoken words here' };
    expect(audio.compressSync(a, CompressionLevel.Abstract)).toBeUndefined();
    expect((await audio.compress(a, CompressionLevel.Abstract)).page.content).toBe('summary of 17 chars');
  });
});

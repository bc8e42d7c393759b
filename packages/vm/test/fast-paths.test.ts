import { describe, expect, it } from 'vitest';
import {
  CompressionLevel,
  CompressorRegistry,
  MemoryManager,
  ContextPacker,
  PageTable,
  PassthroughCompressor,
  charRatioEstimator,
  TextCompressor,
  createInMemoryTierStore,
  makePage,
  type CompressionResult,
  type Compressor,
  type MemoryPage,
} from '../src/index.js';
import { Mutex } from '../src/manager/mutex.js';
import { runSteps, wait, type Steps } from '../src/manager/steps.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const sentences = (n: number, w = 'word') => Array.from({ length: n }, (_, i) => `${w}${i} is here.`).join(' ');

/** A compressor with no `compressSync`: the manager must take the awaited path. */
function asyncOnly(inner: Compressor): Compressor & { calls: number } {
  const c = {
    supportedModality: inner.supportedModality,
    calls: 0,
    canCompress: (a: CompressionLevel, b: CompressionLevel) => inner.canCompress(a, b),
    async compress(page: MemoryPage, target: CompressionLevel): Promise<CompressionResult> {
      c.calls += 1;
      await new Promise((r) => setTimeout(r, 1));
      return inner.compress(page, target);
    },
  };
  return c;
}

describe('Mutex fast path', () => {
  it('runs an idle synchronous call at once, still returning a promise; a sync throw becomes a rejection', async () => {
    const m = new Mutex();
    let ran = false;
    const p = m.run(() => {
      ran = true;
      return 1;
    });
    expect(ran).toBe(true);
    await expect(p).resolves.toBe(1);
    await expect(
      m.run(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(m.run(() => 2)).resolves.toBe(2);
  });

  it('holds the lock across an async call; later calls wait in arrival order', async () => {
    const m = new Mutex();
    const order: string[] = [];
    let release = (): void => undefined;
    const first = m.run(async () => {
      order.push('first start');
      await new Promise<void>((r) => {
        release = r;
      });
      order.push('first end');
    });
    const second = m.run(() => {
      order.push('second');
    });
    const third = m.runDeferred(() => {
      order.push('third');
    });
    await Promise.resolve();
    expect(order).toEqual(['first start']);
    release();
    await Promise.all([first, second, third]);
    expect(order).toEqual(['first start', 'first end', 'second', 'third']);
    const failing = m.run(async () => {
      await Promise.resolve();
      throw new Error('late');
    });
    await expect(failing).rejects.toThrow('late');
    await expect(m.run(() => 'free again')).resolves.toBe('free again');
  });

  it('a call made from inside a running call waits until that call has settled', async () => {
    const m = new Mutex();
    const order: string[] = [];
    let inner: Promise<void> | undefined;
    await m.run(() => {
      inner = m.run(() => {
        order.push('inner');
      });
      order.push('outer');
    });
    await inner;
    expect(order).toEqual(['outer', 'inner']);
    order.length = 0;
    let nested: Promise<void> | undefined;
    const outer = m.run(async () => {
      nested = m.run(() => {
        order.push('nested');
      });
      await new Promise((r) => setTimeout(r, 1));
      order.push('outer done');
    });
    await outer;
    await nested;
    expect(order).toEqual(['outer done', 'nested']);
  });

  it('runDeferred starts the call after the caller’s synchronous code, even when idle', async () => {
    const m = new Mutex();
    let ran = false;
    const p = m.runDeferred(() => {
      ran = true;
    });
    expect(ran).toBe(false);
    await p;
    expect(ran).toBe(true);
  });
});

describe('runSteps', () => {
  function* twice(x: number, p?: Promise<number>): Steps<number> {
    const y = p ? yield* wait(p) : x;
    return y * 2;
  }
  function* guarded(p: Promise<number>): Steps<string> {
    try {
      return String(yield* wait(p));
    } catch (err) {
      return `caught ${(err as Error).message}`;
    }
  }

  it('returns a plain value when nothing waited and a promise otherwise', async () => {
    expect(runSteps(twice(2))).toBe(4);
    const r = runSteps(twice(0, Promise.resolve(5)));
    expect(r).toBeInstanceOf(Promise);
    await expect(r).resolves.toBe(10);
  });

  it('rethrows a rejected wait inside the generator, and rejects when it is not caught', async () => {
    await expect(runSteps(guarded(Promise.reject(new Error('x'))))).resolves.toBe('caught x');
    await expect(runSteps(twice(0, Promise.reject(new Error('y'))))).rejects.toThrow('y');
  });
});

describe('synchronous compressors', () => {
  const page = (content: string, level: CompressionLevel = CompressionLevel.Full) =>
    makePage({ pageId: 'p', modality: 'text', content, compressionLevel: level }, T0);

  it('compressSync equals compress for the built-in text compressor', async () => {
    const c = new TextCompressor();
    const p = page(sentences(40));
    for (const level of [CompressionLevel.Reduced, CompressionLevel.Abstract, CompressionLevel.Reference]) {
      const sync = c.compressSync(p, level);
      const asyncResult = await c.compress(p, level);
      expect(sync?.page.content).toEqual(asyncResult.page.content);
      expect(sync?.compressedTokens).toBe(asyncResult.compressedTokens);
    }
    expect(c.compressSync(p, CompressionLevel.Full)?.page).toBe(p);
  });

  it('with a summariser only REFERENCE is synchronous; the registry reports undefined otherwise', async () => {
    const c = new TextCompressor({ summarizeFn: async (text) => `summary of ${text.length}` });
    const p = page(sentences(40));
    expect(c.compressSync(p, CompressionLevel.Reduced)).toBeUndefined();
    expect(c.compressSync(p, CompressionLevel.Reference)?.page.content).toMatch(/^\[transcript\] /);
    expect((await c.compress(p, CompressionLevel.Abstract)).page.content).toMatch(/^summary of/);
    const registry = new CompressorRegistry({ text: c });
    expect(registry.compressPageSync(p, CompressionLevel.Reduced)).toBeUndefined();
    expect(registry.compressPageSync(makePage({ pageId: 'i', modality: 'image', content: null }, T0), CompressionLevel.Reduced)?.levelAfter).toBe(
      CompressionLevel.Reduced,
    );
    expect(new PassthroughCompressor().compressSync(p, CompressionLevel.Abstract).levelAfter).toBe(CompressionLevel.Abstract);
  });
});

describe('eviction with an asynchronous compressor', () => {
  it('compresses through the awaited path (single pages and groups) with the same outcome', async () => {
    const text = asyncOnly(new TextCompressor());
    const m = new MemoryManager({
      sessionId: 's',
      clock: () => T0,
      config: { maxL0Tokens: 1000, reservedTokens: 0 },
      compressorRegistry: new CompressorRegistry({ text }),
      autoPin: false,
    });
    await m.createPage(sentences(40, 'call'), { pageId: 'call', groupId: 'g' });
    await m.createPage(sentences(40, 'result'), { pageId: 'result', groupId: 'g' });
    expect(await m.addToWorkingSet('call')).toBe(true);
    expect(await m.addToWorkingSet('result')).toBe(true);
    for (let i = 0; i < 8; i++) {
      await m.createPage(sentences(40, `w${i}`), { pageId: `p${i}` });
      expect(await m.addToWorkingSet(`p${i}`)).toBe(true);
    }
    expect(text.calls).toBeGreaterThan(0);
    const metrics = await m.getMetrics();
    expect(metrics.compressionsTotal).toBeGreaterThan(0);
    expect(metrics.tokensInWorkingSet).toBeLessThanOrEqual(1000);
    const l0 = new Set((await m.getL0Pages()).map((p) => p.pageId));
    expect(l0.has('call')).toBe(l0.has('result'));
    const r = await m.compressPage('p7', CompressionLevel.Reference);
    expect(r?.levelAfter).toBe(CompressionLevel.Reference);
  });

  it('proactive eviction after a mapping waits for the compressor too', async () => {
    const text = asyncOnly(new TextCompressor());
    const m = new MemoryManager({
      sessionId: 's',
      clock: () => T0,
      config: { maxL0Tokens: 1000, reservedTokens: 0, evictionThreshold: 0.5, targetUtilization: 0.3 },
      compressorRegistry: new CompressorRegistry({ text }),
      proactiveEviction: true,
      autoPin: false,
    });
    for (let i = 0; i < 4; i++) {
      await m.createPage(sentences(40, `w${i}`), { pageId: `p${i}` });
      expect(await m.addToWorkingSet(`p${i}`)).toBe(true);
    }
    expect(text.calls).toBeGreaterThan(0);
    expect((await m.getMetrics()).tokensInWorkingSet).toBeLessThanOrEqual(500);
  });

  it('evicting a compressed page to L3 stores its original as the FULL representation', async () => {
    const m = new MemoryManager({ sessionId: 's', clock: () => T0, tierStore: createInMemoryTierStore('s'), autoPin: false });
    await m.createPage(sentences(30), { pageId: 'a' });
    await m.addToWorkingSet('a');
    await m.compressPage('a', CompressionLevel.Reduced);
    expect(await m.evictPage('a', 'L3')).toBe(true);
    const entry = m.pageTable.lookup('a');
    expect(entry?.tier).toBe('L3');
    const stored = await m.getPage('a');
    expect(stored?.representations[CompressionLevel.Full]).toBeTruthy();
  });
});

describe('PageTable entries view', () => {
  it('reads like the id → entry map it replaces', () => {
    const t = new PageTable();
    t.register(makePage({ pageId: 'a', modality: 'text', content: 'x'.repeat(40) }, T0));
    t.register(makePage({ pageId: 'b', modality: 'text', content: 'y'.repeat(40) }, T0));
    const view = t.entries;
    expect(view.size).toBe(2);
    expect(view.has('a')).toBe(true);
    expect(view.get('b')?.pageId).toBe('b');
    expect(view.get('zz')).toBeUndefined();
    expect([...view].map(([id, e]) => `${id}:${e.pageId}`)).toEqual(['a:a', 'b:b']);
    expect([...view.entries()].map(([id]) => id)).toEqual(['a', 'b']);
    const seen: string[] = [];
    view.forEach((e, id, map) => {
      expect(map).toBe(view);
      seen.push(`${id}=${e.tier}`);
    });
    expect(seen).toEqual(['a=L1', 'b=L1']);
  });
});

describe('pack cache across epochs', () => {
  it('keeps only renderings of the current state: older ones are dropped on the next miss', async () => {
    const m = new MemoryManager({ sessionId: 's', clock: () => T0, autoPin: false });
    for (let i = 0; i < 3; i++) {
      await m.createPage(sentences(5, `t${i}`), { pageId: `p${i}` });
      await m.addToWorkingSet(`p${i}`);
      await m.buildContext({ systemPrompt: 'a' });
      await m.buildContext({ systemPrompt: 'b' });
      expect(m.packCache.size).toBe(2);
    }
    const before = m.packCache.getStats();
    await m.buildContext({ systemPrompt: 'a' });
    expect(m.packCache.getStats().hits).toBe(before.hits + 1);
    expect(before.invalidations).toBe(4);
    expect(m.packCache.invalidateStale('other', () => false)).toBe(0);
  });
});

describe('context line estimate', () => {
  it('counts the head by code points without scanning it (ids with surrogates too)', () => {
    const packer = new ContextPacker();
    for (const id of ['plain_id', 'emoji_\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}_id']) {
      const line = packer.formatPage(makePage({ pageId: id, modality: 'text', content: 'hello "world"' }, T0));
      expect(line.tokensEst).toBe(charRatioEstimator.estimateText(line.content));
    }
    const noIds = new ContextPacker({ includePageIds: false });
    const line = noIds.formatPage(makePage({ pageId: 'x', modality: 'text', content: 'abc' }, T0));
    expect(line.tokensEst).toBe(charRatioEstimator.estimateText(line.content));
  });
});

describe('createPage builds its page directly', () => {
  const T = new Date('2026-04-01T00:00:00Z');
  it('gives the same page as makePage with the same fields (defaults included)', async () => {
    const m = new MemoryManager({ sessionId: 's', clock: () => T });
    const plain = await m.createPage('hello there', { pageId: 'p1' });
    expect(plain).toEqual(makePage({ pageId: 'p1', sessionId: 's', modality: 'text', content: 'hello there', sizeTokens: 2 }, T));
    const rich = await m.createPage(null, {
      pageId: 'p2', pageType: 'artifact', modality: 'image', importance: 0.9, provenance: ['p1'], sizeTokens: 7, metadata: { k: 1 }, role: 'tool',
      caption: 'a cat', transcript: 't', durationSeconds: 3, dimensions: [2, 3], mimeType: 'image/png', sizeBytes: 10, groupId: 'g', compressionLevel: 1,
    });
    expect(rich).toEqual(
      makePage({
        pageId: 'p2', sessionId: 's', pageType: 'artifact', modality: 'image', importance: 0.9, provenance: ['p1'], sizeTokens: 7, metadata: { k: 1, role: 'tool' },
        caption: 'a cat', transcript: 't', durationSeconds: 3, dimensions: [2, 3], mimeType: 'image/png', sizeBytes: 10, groupId: 'g', compressionLevel: 1,
      }, T),
    );
    await expect(m.createPage('x', { compressionLevel: 7 as CompressionLevel })).rejects.toThrow(/compressionLevel/);
  });
});

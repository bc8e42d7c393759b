import { describe, expect, it } from 'vitest';
import { InvalidInput } from '@chuk/models';
import { ManifestBuilder, PageTable, charRatioEstimator, createTiktokenEstimator, makePage, manifestToJSON, type PageType, type TokenEstimator } from '../src/index.js';

const HINT = 'x'.repeat(60);

/** A table with `mapped` L0 pages (m0 oldest) and `stored` L2 pages (s0 oldest). */
function table(mapped: number, stored: number, init: (i: number) => { pageType?: PageType; importance?: number } = () => ({})): PageTable {
  const t = new PageTable();
  for (let i = 0; i < mapped; i++) t.register(makePage({ pageId: `m${i}`, modality: 'text', storageTier: 'L0', sizeTokens: 10 }));
  for (let i = 0; i < stored; i++) t.register(makePage({ pageId: `s${i}`, modality: 'text', storageTier: 'L2', sizeTokens: 10, ...init(i) }));
  return t;
}

function ids(n: number, prefix = 'm'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

function build(mb: ManifestBuilder, t: PageTable, mapped: number, importance?: (id: string) => number | undefined) {
  return mb.buildWithJson({
    sessionId: 's',
    pageTable: t,
    workingSetIds: ids(mapped),
    hintGenerator: (e) => `${e.pageId} ${HINT}`,
    ...(importance === undefined ? {} : { workingSetImportance: importance }),
  });
}

describe('ManifestBuilder maxTokens', () => {
  it('without a budget the output is the reference shape (no omitted counts), whatever the size', () => {
    const { manifest, json } = build(new ManifestBuilder(), table(3, 80), 3);
    expect(manifest.available_pages).toHaveLength(50);
    expect(Object.keys(manifest)).toEqual(['session_id', 'working_set', 'available_pages', 'policies']);
    expect(json).toBe(manifestToJSON(manifest));
  });

  it('a budget that fits everything changes nothing but the count of pages beyond maxAvailablePages', () => {
    const t = table(2, 4);
    const free = build(new ManifestBuilder(), t, 2);
    const roomy = build(new ManifestBuilder({ maxTokens: 100_000 }), t, 2);
    expect(roomy.json).toBe(free.json);
    const capped = build(new ManifestBuilder({ maxTokens: 100_000, maxAvailablePages: 3 }), t, 2);
    expect(capped.manifest.available_pages).toHaveLength(3);
    expect(capped.manifest.available_pages_omitted).toBe(1);
    expect(capped.manifest.working_set_omitted).toBeUndefined();
  });

  it('over budget: every working-set entry stays, fewer available pages are listed, the rest is counted', () => {
    const t = table(5, 80);
    const mb = new ManifestBuilder({ maxTokens: 400 });
    const { manifest, json } = build(mb, t, 5);
    expect(charRatioEstimator.estimateText(json)).toBeLessThanOrEqual(400);
    expect(manifest.working_set.map((w) => w.page_id)).toEqual(ids(5));
    expect(manifest.working_set_omitted).toBeUndefined();
    expect(manifest.available_pages.length).toBeGreaterThan(0);
    expect(manifest.available_pages.length).toBeLessThan(50);
    expect(manifest.available_pages_omitted).toBe(80 - manifest.available_pages.length);
    // Most recent first (the configured order), and nothing the budget would still have room for is left out.
    expect(manifest.available_pages[0]?.page_id).toBe('s79');
    expect(JSON.parse(json)).toEqual(manifest);
    expect(json).toBe(manifestToJSON(manifest));
    const bigger = build(new ManifestBuilder({ maxTokens: 800 }), t, 5);
    expect(bigger.manifest.available_pages.length).toBeGreaterThan(manifest.available_pages.length);
    expect(charRatioEstimator.estimateText(bigger.json)).toBeLessThanOrEqual(800);
  });

  it('keeps pinned, important and claim-like pages first, listed in the configured order', () => {
    const types: Record<number, PageType> = { 3: 'claim', 7: 'summary' };
    const t = table(0, 30, (i) => ({ pageType: types[i] ?? 'transcript' }));
    t.setPinned('s1', true);
    const importance = (id: string): number | undefined => (id === 's5' ? 0.95 : undefined);
    const { manifest } = build(new ManifestBuilder({ maxTokens: 300 }), t, 0, importance);
    const listed = manifest.available_pages.map((a) => a.page_id);
    expect(listed.length).toBeGreaterThan(4);
    expect(listed.length).toBeLessThan(30);
    expect(listed.slice(-4)).toEqual(['s7', 's5', 's3', 's1']);
    // The remaining room goes to the most recent pages.
    expect(listed[0]).toBe('s29');
    expect(manifest.available_pages_omitted).toBe(30 - listed.length);
  });

  it('a large working set takes its share (newest first), available pages the rest; the omitted are counted', () => {
    const t = table(40, 10);
    const { manifest, json } = build(new ManifestBuilder({ maxTokens: 600 }), t, 40);
    expect(charRatioEstimator.estimateText(json)).toBeLessThanOrEqual(600);
    const listed = manifest.working_set.map((w) => w.page_id);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed).toEqual(ids(40).slice(40 - listed.length));
    expect(manifest.working_set_omitted).toBe(40 - listed.length);
    expect(manifest.available_pages.length).toBeGreaterThan(0);
    expect(manifest.available_pages_omitted).toBe(10 - manifest.available_pages.length);
    expect(Object.keys(manifest)).toEqual(['session_id', 'working_set', 'working_set_omitted', 'available_pages', 'available_pages_omitted', 'policies']);
    // All of the budget for the working set (share 1), or none of it while pages are available (share 0).
    const all = build(new ManifestBuilder({ maxTokens: 600, workingSetShare: 1 }), t, 40).manifest;
    expect(all.working_set.length).toBeGreaterThan(listed.length);
    expect(all.available_pages).toEqual([]);
    const none = build(new ManifestBuilder({ maxTokens: 600, workingSetShare: 0 }), t, 40).manifest;
    expect(none.available_pages).toHaveLength(10);
    // Room the available pages leave goes back to the working set.
    expect(none.working_set.length).toBeGreaterThan(0);
    // Nothing available: the whole budget is the working set's.
    const alone = build(new ManifestBuilder({ maxTokens: 600 }), table(40, 0), 40).manifest;
    expect(alone.working_set.length).toBe(all.working_set.length);
    expect(alone.available_pages_omitted).toBeUndefined();
  });

  it('a budget below the fixed part lists nothing and still counts everything', () => {
    const { manifest } = build(new ManifestBuilder({ maxTokens: 1 }), table(2, 3), 2);
    expect(manifest.working_set).toEqual([]);
    expect(manifest.available_pages).toEqual([]);
    expect(manifest.working_set_omitted).toBe(2);
    expect(manifest.available_pages_omitted).toBe(3);
  });

  it('counts with the given estimator and checks the joined JSON, not only the sum of the entries', () => {
    // An estimator whose whole-string count is larger than the sum of its parts forces the final check to drop more.
    let calls = 0;
    const lumpy: TokenEstimator = {
      estimateText: (s) => {
        calls += 1;
        return Math.ceil(s.length / 4) + (s.length > 2000 ? 200 : 0);
      },
      estimatePage: (p) => charRatioEstimator.estimatePage(p),
    };
    const mb = new ManifestBuilder({ maxTokens: 700, estimator: lumpy });
    const { manifest, json } = build(mb, table(3, 60), 3);
    expect(lumpy.estimateText(json)).toBeLessThanOrEqual(700);
    expect(manifest.working_set).toHaveLength(3);
    expect(manifest.available_pages_omitted).toBe(60 - manifest.available_pages.length);
    const before = calls;
    build(mb, table(3, 60), 3);
    expect(calls).toBeGreaterThan(before);
    const words = createTiktokenEstimator((s) => s.split(/[,:{}[\]"]+/).length);
    const w = build(new ManifestBuilder({ maxTokens: 300, estimator: words }), table(3, 60), 3);
    expect(words.estimateText(w.json)).toBeLessThanOrEqual(300);
  });

  it('reuses entry estimates between builds and follows changes of the table', () => {
    const t = table(2, 20);
    const mb = new ManifestBuilder({ maxTokens: 300 });
    const first = build(mb, t, 2);
    expect(build(mb, t, 2).json).toBe(first.json);
    t.updateLocation('m1', 'L2');
    const after = build(mb, t, 1);
    expect(after.manifest.working_set.map((w) => w.page_id)).toEqual(['m0']);
    expect(after.manifest.available_pages[0]?.page_id).toBe('m1');
  });
});

describe('ManifestBuilder maxHintChars and option checks', () => {
  it('cuts manifest hints to maxHintChars', () => {
    const { manifest } = build(new ManifestBuilder({ maxHintChars: 10 }), table(0, 2), 0);
    expect(manifest.available_pages.map((a) => a.hint)).toEqual(['s1 xxxxxxx...', 's0 xxxxxxx...']);
    const whole = build(new ManifestBuilder({ maxHintChars: 1000 }), table(0, 1), 0);
    expect(whole.manifest.available_pages[0]?.hint).toBe(`s0 ${HINT}`);
  });

  it('rejects negative or fractional sizes with InvalidInput naming the field', () => {
    expect(() => new ManifestBuilder({ maxTokens: -1 })).toThrow(InvalidInput);
    expect(() => new ManifestBuilder({ maxHintChars: 1.5 })).toThrow(/manifest.maxHintChars/);
    expect(() => new ManifestBuilder({ maxAvailablePages: -2 })).toThrow(/manifest.maxAvailablePages/);
    expect(() => new ManifestBuilder({ workingSetShare: 1.5 })).toThrow(/manifest.workingSetShare/);
    expect(() => new ManifestBuilder({ workingSetShare: Number.NaN })).toThrow(InvalidInput);
  });
});

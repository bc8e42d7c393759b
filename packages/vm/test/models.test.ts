import { describe, expect, it } from 'vitest';
import { InvalidInput, SessionManagerError } from '@chuk/models';
import {
  CompressionLevel,
  DuplicatePageError,
  FaultPolicy,
  FaultReason,
  MemoryPageJsonSchema,
  Modality,
  PageNotFoundError,
  PageType,
  StorageTier,
  TokenBudget,
  UserExperienceMetrics,
  VirtualMemoryError,
  VmMetrics,
  availableTokens,
  charRatioEstimator,
  compressCause,
  compressionLevelName,
  createModalityAwareEstimator,
  createTiktokenEstimator,
  entryFromJSON,
  entryToJSON,
  estimatePageTokens,
  evictionPriority,
  forkCause,
  isCompressionLevel,
  isModality,
  isPersistentTier,
  makeEntry,
  makePage,
  markAccessed,
  markClean,
  markDirty,
  markEntryAccessed,
  pageFromJSON,
  pageRole,
  pageToJSON,
  pageTokens,
  tierRank,
  toSnakeCaseJSON,
} from '../src/index.js';
import { codePointLength, codePointSlice, contentText, parseTimestamp, pythonJson, randomHex8, truncateWithEllipsis } from '../src/util/text.js';

const T0 = new Date('2026-01-01T00:00:00.000Z');

describe('enums and helpers', () => {
  it('names levels, ranks tiers and validates values', () => {
    expect(compressionLevelName(CompressionLevel.Abstract)).toBe('abstract');
    expect(compressCause(CompressionLevel.Reduced)).toBe('compress_reduced');
    expect(forkCause('s1')).toBe('fork_from:s1');
    expect(tierRank(StorageTier.L4)).toBe(4);
    expect(isPersistentTier(StorageTier.L3)).toBe(true);
    expect(isPersistentTier(StorageTier.L2)).toBe(false);
    expect(isCompressionLevel(3)).toBe(true);
    expect(isCompressionLevel(4)).toBe(false);
    expect(isModality('audio')).toBe(true);
    expect(isModality('smell')).toBe(false);
    expect(FaultReason.ToolPrerequisite).toBe('tool_prereq');
  });
});

describe('text utilities', () => {
  it('counts and slices code points without splitting surrogate pairs', () => {
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('a😀b')).toBe(3);
    expect(codePointSlice('😀😀😀', 2)).toBe('😀😀');
    expect(codePointSlice('abc', 0)).toBe('');
    expect(codePointSlice('abcdef', 3)).toBe('abc');
    expect(truncateWithEllipsis('abcdef', 3)).toBe('abc...');
    expect(truncateWithEllipsis('abc', 3)).toBe('abc');
  });
  it('reads naive reference timestamps as UTC', () => {
    expect(parseTimestamp('2025-02-01T10:00:00.123456').toISOString()).toBe('2025-02-01T10:00:00.123Z');
    expect(parseTimestamp('2025-02-01T10:00:00+01:00').toISOString()).toBe('2025-02-01T09:00:00.000Z');
  });
  it('formats python-style json and content text', () => {
    expect(pythonJson({ a: 1, b: 'x, y: z' })).toBe('{"a": 1, "b": "x, y: z"}');
    expect(contentText(null)).toBe('');
    expect(contentText(5)).toBe('5');
    expect(contentText({ a: 1 })).toBe('{"a":1}');
    expect(randomHex8()).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('MemoryPage', () => {
  it('has the reference defaults', () => {
    const p = makePage({ pageId: 'p', modality: Modality.Text }, T0);
    expect(p.storageTier).toBe(StorageTier.L1);
    expect(p.compressionLevel).toBe(0);
    expect(p.importance).toBe(0.5);
    expect(p.dirty).toBe(false);
    expect(p.pinned).toBe(false);
    expect(p.pageType).toBe(PageType.Transcript);
    expect(p.createdAt).toBe(T0);
  });
  it('rejects importance outside [0, 1] and invalid levels', () => {
    expect(() => makePage({ pageId: 'p', modality: 'text', importance: 1.5 })).toThrow(InvalidInput);
    expect(() => makePage({ pageId: 'p', modality: 'text', compressionLevel: 9 as CompressionLevel })).toThrow(InvalidInput);
  });
  it('marks accessed/dirty/clean', () => {
    const p = makePage({ pageId: 'p', modality: 'text' }, T0);
    const later = new Date(T0.getTime() + 1000);
    markAccessed(p, later);
    expect(p.accessCount).toBe(1);
    expect(p.lastAccessed).toBe(later);
    expect(markDirty(p).dirty).toBe(true);
    expect(markClean(p).dirty).toBe(false);
    expect(pageRole(p)).toBeUndefined();
    expect(pageRole(makePage({ pageId: 'q', modality: 'text', metadata: { role: 'user' } }))).toBe('user');
  });
  it('round-trips through wire JSON, including bytes and representations', () => {
    const p = makePage(
      { pageId: 'p', modality: 'image', content: new Uint8Array([1, 2, 255]), representations: { 2: 'L3:k' }, dimensions: [10, 20], groupId: 'g' },
      T0,
    );
    const json = pageToJSON(p);
    expect(json.schema_version).toBe(1);
    expect(json.content).toEqual({ $bytes: 'AQL/' });
    expect(json.representations).toEqual({ '2': 'L3:k' });
    const back = pageFromJSON(JSON.parse(JSON.stringify(json)));
    expect(back.content).toEqual(new Uint8Array([1, 2, 255]));
    expect(back.representations[2]).toBe('L3:k');
    expect(back.groupId).toBe('g');
    expect(back.createdAt.toISOString()).toBe(T0.toISOString());
  });
  it('reads a reference-written page with naive timestamps', () => {
    const page = pageFromJSON({
      page_id: 'msg_1',
      modality: 'text',
      content: 'hi',
      storage_tier: 'L2',
      created_at: '2025-02-01T10:00:00.123456',
      representations: { '1': 'a', x: 'ignored' },
    });
    expect(page.createdAt.toISOString()).toBe('2025-02-01T10:00:00.123Z');
    expect(page.storageTier).toBe('L2');
    expect(page.representations).toEqual({ 1: 'a' });
  });
  it('rejects invalid JSON and newer schema versions', () => {
    expect(() => pageFromJSON({ page_id: 'x' })).toThrow(InvalidInput);
    expect(() => pageFromJSON({ page_id: 'x', modality: 'text', schema_version: 2 })).toThrow(/schema_version/);
    expect(MemoryPageJsonSchema.safeParse({ page_id: 'x', modality: 'text', importance: 2 }).success).toBe(false);
  });
});

describe('token estimation', () => {
  const page = (init: Partial<Parameters<typeof makePage>[0]>) => makePage({ pageId: 'p', modality: 'text', ...init });
  it('follows the reference rules', () => {
    expect(estimatePageTokens(page({ sizeTokens: 42, content: 'x'.repeat(400) }))).toBe(42);
    expect(estimatePageTokens(page({ content: 'x'.repeat(100) }))).toBe(25);
    expect(estimatePageTokens(page({ content: { a: 'b'.repeat(50) } }))).toBeGreaterThan(0);
    expect(estimatePageTokens(page({ content: null }))).toBe(0);
    expect(estimatePageTokens(page({ content: new Uint8Array(3), sizeBytes: 100 }))).toBe(25);
    expect(estimatePageTokens(page({ content: 7 }))).toBe(100);
    expect(pageTokens(page({ content: '😀😀😀😀' }))).toBe(1);
  });
  it('wraps an exact counter', () => {
    const est = createTiktokenEstimator((s) => s.split(' ').length);
    expect(est.estimateText('a b c')).toBe(3);
    expect(est.estimatePage(page({ content: 'a b' }))).toBe(2);
    expect(est.estimatePage(page({ content: 'a b', sizeTokens: 9 }))).toBe(9);
  });
  it('costs media by what it is', () => {
    const est = createModalityAwareEstimator(charRatioEstimator, { audioTokensPerSecond: 2, videoTokensPerScene: 10 });
    expect(est.estimateText('abcdefgh')).toBe(2);
    expect(est.estimatePage(page({ modality: 'image', caption: 'x'.repeat(40) }))).toBe(10);
    expect(est.estimatePage(page({ modality: 'image', content: 'http://x/y.png' }))).toBe(3);
    expect(est.estimatePage(page({ modality: 'audio', transcript: 'x'.repeat(8) }))).toBe(2);
    expect(est.estimatePage(page({ modality: 'audio', durationSeconds: 3.2 }))).toBe(7);
    expect(est.estimatePage(page({ modality: 'audio', content: 'x'.repeat(8) }))).toBe(2);
    expect(est.estimatePage(page({ modality: 'video', metadata: { scene_count: 3 } }))).toBe(30);
    expect(est.estimatePage(page({ modality: 'video', content: 'x'.repeat(8) }))).toBe(2);
    expect(est.estimatePage(page({ modality: 'structured', content: { a: 1 } }))).toBe(2);
    expect(est.estimatePage(page({ sizeTokens: 5 }))).toBe(5);
    const custom = createModalityAwareEstimator(charRatioEstimator, { imageTokens: () => 85 });
    expect(custom.estimatePage(page({ modality: 'image' }))).toBe(85);
  });
});

describe('PageTableEntry', () => {
  it('computes eviction priority for every type and pinned', () => {
    const weights: Record<PageType, number> = { claim: 0.1, index: 0.2, procedure: 0.3, summary: 0.4, artifact: 0.6, transcript: 0.7 };
    for (const [t, w] of Object.entries(weights)) expect(evictionPriority(makeEntry({ pageId: 'p', tier: 'L0', pageType: t as PageType }))).toBe(w);
    expect(evictionPriority(makeEntry({ pageId: 'p', tier: 'L0', pinned: true }))).toBe(0);
    expect(evictionPriority({ pinned: false, pageType: 'unknown' as PageType })).toBe(0.5);
  });
  it('round-trips JSON and marks access', () => {
    const e = makeEntry({ pageId: 'p', tier: 'L3', artifactId: 'L3:a', lastFlushed: T0, groupId: 'g' }, T0);
    markEntryAccessed(e, T0);
    const back = entryFromJSON(JSON.parse(JSON.stringify(entryToJSON(e))));
    expect(back).toEqual(e);
    expect(() => entryFromJSON({ tier: 'L9' })).toThrow(InvalidInput);
    expect(entryFromJSON({ page_id: 'x', tier: 'L0' }).modality).toBe('text');
  });
});

describe('TokenBudget', () => {
  it('has defaults and refuses overflow without side effects', () => {
    const b = new TokenBudget();
    expect(b.totalLimit).toBe(32000);
    expect(b.reserved).toBe(4000);
    expect(b.available).toBe(28000);
    expect(b.add(28001, 'text')).toBe(false);
    expect(b.used).toBe(0);
    expect(b.add(1000, 'image')).toBe(true);
    expect(b.imageTokens).toBe(1000);
    b.remove(5000, 'image');
    expect(b.imageTokens).toBe(0);
    b.setTokens('audio', 10);
    b.setTokens('video', 20);
    b.setTokens('structured', -5);
    expect([b.audioTokens, b.videoTokens, b.structuredTokens, b.textTokens]).toEqual([10, 20, 0, 0]);
    expect(b.getTokens('audio')).toBe(10);
    expect(b.used).toBe(30);
    b.force(5, 'text');
    expect(b.used).toBe(35);
  });
  it('reports utilisation 1 when reserved >= total', () => {
    expect(new TokenBudget({ totalLimit: 100, reserved: 100 }).utilization).toBe(1);
    const b = new TokenBudget({ totalLimit: 100, reserved: 0 });
    b.add(50, 'text');
    expect(b.utilization).toBe(0.5);
    expect(b.canFit(50)).toBe(true);
    expect(b.canFit(51)).toBe(false);
  });
  it('serialises its state', () => {
    const b = new TokenBudget({ totalLimit: 100, reserved: 10, tokensByModality: { text: 5 } });
    const back = TokenBudget.fromJSON(b.toJSON());
    expect(back.used).toBe(5);
    expect(back.reserved).toBe(10);
    expect(() => TokenBudget.fromJSON({ total_limit: -1 })).toThrow(InvalidInput);
    expect(() => TokenBudget.fromJSON({ typo: 1 })).toThrow(InvalidInput);
  });
});

describe('FaultPolicy, VmMetrics, UX metrics', () => {
  it('limits faults by count and tokens per turn', () => {
    const p = new FaultPolicy();
    expect(p.canFault(8192)).toBe(true);
    expect(p.canFault(8193)).toBe(false);
    p.recordFault(100);
    p.recordFault(100);
    p.recordFault(100);
    expect(p.canFault(1)).toBe(false);
    p.newTurn();
    expect(p.canFault(1)).toBe(true);
    expect(FaultPolicy.fromJSON(p.toJSON()).maxFaultsPerTurn).toBe(3);
    expect(() => new FaultPolicy({ maxFaultsPerTurn: -1 })).toThrow(InvalidInput);
  });
  it('counts and resets per-turn metrics only', () => {
    const m = new VmMetrics();
    expect(m.tlbHitRate).toBe(0);
    m.recordTlbHit();
    m.recordTlbHit();
    m.recordTlbMiss();
    m.recordFault();
    m.recordEviction();
    m.recordCompression(30);
    m.recordCompression();
    expect(m.tlbHitRate).toBeCloseTo(2 / 3);
    expect(m.faultRate).toBe(1);
    m.newTurn();
    expect([m.faultsThisTurn, m.evictionsThisTurn, m.compressionsThisTurn]).toEqual([0, 0, 0]);
    expect([m.faultsTotal, m.evictionsTotal, m.compressionsTotal, m.tokensSavedByCompression]).toEqual([1, 1, 2, 30]);
    const snap = m.snapshot();
    m.recordFault();
    expect(snap.faultsTotal).toBe(1);
    expect((m.toJSON() as Record<string, unknown>)['tokens_saved_by_compression']).toBe(30);
  });
  it('computes recall success, thrash index and effective tokens', () => {
    const ux = new UserExperienceMetrics(() => T0);
    expect(ux.recallSuccessRate()).toBe(1);
    ux.recordRecallAttempt(1, 'a', ['p']);
    ux.recordRecallAttempt(2, 'b', []);
    ux.recordRecallAttempt(3, 'c', [], true);
    expect(ux.recallSuccessRate()).toBeCloseTo(2 / 3);
    expect(ux.thrashIndex()).toBe(0);
    ux.recordFault('a', FaultReason.ResolveReference, 1, 10);
    ux.recordFault('b', FaultReason.ResolveReference, 2, 10);
    ux.recordFault('a', FaultReason.ResolveReference, 3, 10);
    ux.recordFault('a', FaultReason.Speculative, 4, 10, 1.5);
    expect(ux.thrashIndex(5)).toBeCloseTo(0.4);
    expect(ux.thrashIndex(0)).toBe(0);
    ux.recordTurnContext(1, 10000, ['a', 'b', 'c', 'd', 'e']);
    expect(ux.effectiveTokensRatio(1)).toBeCloseTo(0.1);
    expect(ux.effectiveTokensRatio(1, () => 4000)).toBe(1);
    expect(ux.effectiveTokensRatio(9)).toBe(0);
    const breakdown = ux.getFaultReasonBreakdown();
    expect(breakdown).toEqual({ user_requested_recall: 0, resolve_reference: 3, tool_prereq: 0, speculative: 1 });
    expect(availableTokens({ maxContextTokens: 100, reservedTokens: 30, toolSchemaTokensReserved: 80 })).toBe(0);
  });
  it('converts stats to snake_case', () => {
    expect(toSnakeCaseJSON({ pagesByTier: { L0: 1 }, at: T0, list: [{ maxL0Tokens: 1 }] })).toEqual({
      pages_by_tier: { L0: 1 },
      at: T0.toISOString(),
      list: [{ max_l0_tokens: 1 }],
    });
  });
});

describe('errors', () => {
  it('extend the @chuk/models hierarchy with structured fields', () => {
    const e = new PageNotFoundError({ pageId: 'p1', sessionId: 's' });
    expect(e).toBeInstanceOf(VirtualMemoryError);
    expect(e).toBeInstanceOf(SessionManagerError);
    expect(e.pageId).toBe('p1');
    expect(e.code).toBe('PAGE_NOT_FOUND');
    expect(e.message).toBe('Page not found: p1');
    const d = new DuplicatePageError({ pageId: 'p2' });
    expect(d.message).toContain('p2');
    expect(d.sessionId).toBeNull();
    expect(new VirtualMemoryError().message).toBe('Virtual memory error');
  });
});

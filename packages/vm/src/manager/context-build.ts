import { CompressionLevel, VmMode } from '../enums.js';
import type { ManifestPolicies } from '../manifest.js';
import { DEFAULT_ABI_MAX_CONTEXT_TOKENS, DEFAULT_ABI_MODALITY_WEIGHTS, type MemoryABI } from '../models/abi.js';
import type { VmContext } from '../models/context.js';
import type { MemoryPage } from '../models/page.js';
import type { MemoryManagerStats } from '../models/stats.js';
import { buildVmDeveloperMessage, getVmToolsAsJson } from '../prompts.js';
import type { VmCore } from './core.js';
import type { BuildContextOptions } from './options.js';

/** Manifest policies from the enforced fault policy (single source of truth for the model's limits). */
function policies(core: VmCore, mode: VmMode): ManifestPolicies {
  const explicit = core.options.manifest?.policies ?? {};
  return {
    faults_allowed: mode !== VmMode.Passive,
    max_faults_per_turn: core.faultPolicy.maxFaultsPerTurn,
    upgrade_budget_tokens: explicit.upgrade_budget_tokens ?? core.faultPolicy.maxFaultTokensPerTurn,
    prefer_levels: explicit.prefer_levels ?? [2, 1, 0],
  };
}

/** L0 pages minus the excluded ones; a group with any member not excluded stays whole (never split). */
function packable(pages: readonly MemoryPage[], excluded: ReadonlySet<string>): MemoryPage[] {
  const keptGroups = new Set<string>();
  for (const p of pages) if (p.groupId !== null && !excluded.has(p.pageId)) keptGroups.add(p.groupId);
  return pages.filter((p) => !excluded.has(p.pageId) || (p.groupId !== null && keptGroups.has(p.groupId)));
}

/** `buildContext` without the lock; served from the pack cache while the context epoch is unchanged. */
export function buildContextCore(core: VmCore, pages: readonly MemoryPage[], opts: BuildContextOptions): VmContext {
  const mode = opts.mode ?? core.mode;
  const systemPrompt = opts.systemPrompt ?? '';
  const modelId = opts.modelId ?? '';
  const budget = opts.tokenBudget ?? 0;
  const includeSearch = opts.includeSearchTool ?? true;
  const tools = (): VmContext['tools'] => (mode === VmMode.Passive ? [] : getVmToolsAsJson({ includeSearch }));
  const excluded = opts.excludePageIds === undefined ? [] : [...new Set(opts.excludePageIds)].sort();
  const hash = `${core.epoch}|${mode}|${includeSearch}|${excluded.join(',')}|${systemPrompt}`;
  const cached = core.packCache.get(core.sessionId, modelId, budget, hash)?.context;
  if (cached) return { ...cached, tools: tools() };
  const packed = core.packer.pack(excluded.length === 0 ? pages : packable(pages, new Set(excluded)), budget);
  const { manifest, json: manifestJson } = core.manifestBuilder.buildWithJson({
    sessionId: core.sessionId,
    pageTable: core.pageTable,
    workingSetIds: pages.map((p) => p.pageId),
    workingSetTokens: (id) => core.manifestTokens(id),
    workingSetImportance: (id) => core.manifestImportance(id),
    hintGenerator: (e) => core.hints.get(e.pageId) ?? '',
    policies: policies(core, mode),
  });
  const developerMessage = buildVmDeveloperMessage({
    mode,
    manifestJson,
    context: packed.content,
    systemPrompt,
    maxFaultsPerTurn: core.faultPolicy.maxFaultsPerTurn,
  });
  const context: VmContext = { developerMessage, tools: tools(), manifest, packedContext: packed };
  core.packCache.put(core.sessionId, modelId, budget, hash, {
    vmContext: packed.content,
    vmManifestJson: manifestJson,
    pageIds: packed.pagesIncluded,
    tokensUsed: packed.tokensEst,
    createdAt: core.clock(),
    sessionId: core.sessionId,
    modelId,
    tokenBudget: budget,
    workingSetHash: hash,
    context,
  });
  return context;
}

export function buildAbiCore(core: VmCore, pages: readonly MemoryPage[]): MemoryABI {
  const ws = core.workingSet;
  return {
    pages: pages.map((p) => ({
      pageId: p.pageId,
      modality: p.modality,
      pageType: p.pageType,
      compressionLevel: p.compressionLevel,
      tokens: ws.chargedTokens(p.pageId),
      importance: ws.importanceOverrides.get(p.pageId) ?? p.importance,
      provenance: [...p.provenance],
      canEvict: !ws.isPinned(p.pageId),
      canCompress: p.compressionLevel < CompressionLevel.Reference,
    })),
    faultsAllowed: core.mode !== VmMode.Passive,
    upgradeBudgetTokens: core.faultPolicy.maxFaultTokensPerTurn,
    maxContextTokens: ws.config.maxL0Tokens || DEFAULT_ABI_MAX_CONTEXT_TOKENS,
    reservedTokens: ws.config.reservedTokens,
    toolSchemaTokensReserved: 0,
    activeToolsetHash: null,
    modalityWeights: { ...DEFAULT_ABI_MODALITY_WEIGHTS },
  };
}

/** What `getStats` returns when assembling the real stats failed (observability never throws). */
export function minimalStats(core: VmCore): MemoryManagerStats {
  const zero = { L0: 0, L1: 0, L2: 0, L3: 0, L4: 0 };
  const zm = { text: 0, image: 0, audio: 0, video: 0, structured: 0 };
  return {
    sessionId: core.sessionId,
    turn: core.turn,
    mode: core.mode,
    pageTable: { totalPages: 0, dirtyPages: 0, pagesByTier: { ...zero }, pagesByModality: { ...zm }, workingSetSize: 0 },
    workingSet: { l0Pages: 0, l1Pages: 0, totalPages: 0, tokensUsed: 0, tokensAvailable: 0, utilization: 0, needsEviction: false, tokensByModality: { ...zm } },
    faultHandler: { faultsThisTurn: 0, maxFaultsPerTurn: 0, faultsRemaining: 0, totalFaults: 0, tlbHitRate: 0 },
    tlb: { size: 0, maxSize: 0, utilization: 0, hits: 0, misses: 0, hitRate: 0 },
    mutationLog: { totalMutations: 0, uniquePages: 0, contextSnapshots: 0, creates: 0, faults: 0, evictions: 0, compressions: 0, pins: 0, unpins: 0 },
    prefetcher: { toolsTracked: 0, pagesTracked: 0, totalAccesses: 0 },
    packCache: { hits: 0, misses: 0, evictions: 0, invalidations: 0, size: 0, maxSize: 0 },
    metrics: core.metrics.snapshot(),
    pagesInStore: core.store.size,
    storage: null,
  };
}

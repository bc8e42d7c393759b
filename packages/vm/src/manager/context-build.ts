import { CompressionLevel, VmMode } from '../enums.js';
import type { ManifestPolicies } from '../manifest.js';
import { DEFAULT_ABI_MAX_CONTEXT_TOKENS, DEFAULT_ABI_MODALITY_WEIGHTS, type MemoryABI } from '../models/abi.js';
import type { VmContext } from '../models/context.js';
import type { MemoryPage } from '../models/page.js';
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
  const epochPrefix = `${core.epoch}|`;
  const hash = `${epochPrefix}${mode}|${includeSearch}|${excluded.join(',')}|${systemPrompt}`;
  const cached = core.packCache.get(core.sessionId, modelId, budget, hash)?.context;
  if (cached) return { ...cached, tools: tools() };
  // The epoch only grows, so renderings of an older epoch can never be hit again: drop them rather than
  // keep up to a cache-full of large context strings alive.
  core.packCache.invalidateStale(core.sessionId, (h) => h.startsWith(epochPrefix));
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

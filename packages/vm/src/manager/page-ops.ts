import { StorageError } from '@chuk/models';
import { MutationCause, MutationType, StorageTier, isPersistentTier } from '../enums.js';
import { assertImportance, copyPage, type MemoryPage } from '../models/page.js';
import type { VmCore } from './core.js';
import type { PagePatch } from './options.js';
import { evictionRun, mapToL0 } from './paging.js';
import { setPin } from './persistence.js';
import { runSteps } from './steps.js';

/** Reading, updating, deleting and re-registering pages (the manager's page CRUD, without the lock). */

export async function getPageCore(core: VmCore, pageId: string): Promise<MemoryPage | undefined> {
  const entry = core.pageTable.lookup(pageId);
  if (!entry) return undefined;
  return (await core.load(pageId, entry.tier, entry.artifactId)) ?? undefined;
}

/** Unknown id → `PageNotFoundError`; known but unloadable content → `StorageError`. */
export async function loadKnownPage(core: VmCore, pageId: string): Promise<MemoryPage> {
  core.requireKnown(pageId);
  const entry = core.pageTable.lookup(pageId);
  const page = entry ? await core.load(pageId, entry.tier, entry.artifactId) : null;
  if (!page) throw new StorageError({ operation: 'load', backend: core.tierStore ? 'tier-store' : 'unconfigured', message: `Page content unavailable: ${pageId}` });
  return page;
}

/** New version of a page (dirty until flushed). Unknown id → `PageNotFoundError`. */
export async function updatePageCore(core: VmCore, pageId: string, patch: PagePatch): Promise<MemoryPage> {
  if (patch.importance !== undefined) assertImportance(patch.importance);
  const current = await loadKnownPage(core, pageId);
  const entry = core.pageTable.lookup(pageId) as NonNullable<ReturnType<typeof core.pageTable.lookup>>;
  const contentChanged = patch.content !== undefined;
  const next = copyPage(current, {
    ...patch,
    ...(contentChanged && patch.sizeTokens === undefined ? { sizeTokens: null } : {}),
    sessionId: core.sessionId,
    version: current.version + 1,
    dirty: true,
    storageTier: entry.tier,
  });
  if (contentChanged) core.originals.delete(pageId);
  const ws = core.workingSet;
  const charged = ws.chargedTokens(pageId);
  core.replaceStored(next);
  core.recordVersion(next);
  if (ws.isInL0(pageId)) {
    ws.updatePageTokens(pageId, charged, core.chargeOf(next), next.modality);
    const usable = ws.config.maxL0Tokens - ws.config.reservedTokens;
    if (ws.tokensUsed > usable) await runSteps(evictionRun(core, 0, pageId));
  }
  core.pageTable.markDirty(pageId);
  core.tlb.invalidate(pageId);
  core.syncTokenMetrics();
  core.log(pageId, MutationType.Update, entry.tier, entry.tier, MutationCause.UpdatePage);
  return next;
}

/** Remove a page everywhere (its blob too, when this manager created it). */
export async function deletePageCore(core: VmCore, pageId: string): Promise<void> {
  core.requireKnown(pageId);
  const entry = core.pageTable.lookup(pageId);
  const tier = entry?.tier ?? StorageTier.L1;
  if (entry?.artifactId && core.tierStore && core.ownedArtifacts.delete(entry.artifactId)) await core.tierStore.deletePage(entry.artifactId);
  core.forgetPage(pageId);
  core.syncTokenMetrics();
  core.log(pageId, MutationType.Delete, tier, tier, MutationCause.DeletePage);
}

/** Re-register pages (e.g. after a reload); L0 pages are re-mapped in order within the budget. */
export async function rebuildFromPagesCore(core: VmCore, pages: readonly MemoryPage[]): Promise<void> {
  const toMap: string[] = [];
  for (const p of pages) {
    const page = copyPage(p, { sessionId: core.sessionId, storageTier: p.storageTier === StorageTier.L0 ? StorageTier.L2 : p.storageTier });
    if (core.pageTable.has(page.pageId)) core.forgetPage(page.pageId);
    core.pageTable.register(page);
    if (!isPersistentTier(page.storageTier) || page.content !== null) core.store.set(page.pageId, page);
    if (page.groupId !== null) {
      const members = core.groups.get(page.groupId) ?? new Set<string>();
      members.add(page.pageId);
      core.groups.set(page.groupId, members);
    }
    if (page.pinned) setPin(core, page.pageId, true);
    if (p.storageTier === StorageTier.L0) toMap.push(page.pageId);
  }
  for (const id of toMap) await mapToL0(core, id);
  core.touch();
}

import { StorageError } from '@chuk/models';
import { MutationCause, MutationType, StorageTier, forkCause, isPersistentTier } from '../enums.js';
import { entryFromJSON, entryToJSON } from '../models/entry.js';
import { FaultPolicy } from '../models/fault.js';
import { copyPage, makePage, pageToJSON, type MemoryPage } from '../models/page.js';
import { VmMetrics } from '../models/stats.js';
import { MutationLogLite } from '../mutation-log.js';
import { SimplePrefetcher } from '../prefetcher.js';
import { WorkingSetManager } from '../working-set/working-set.js';
import type { VmCore } from './core.js';
import { mapToL0 } from './paging.js';
import { VM_STATE_SCHEMA_VERSION, metricsStateFromJSON, parseVmState, snakeState, toCamelCaseJSON, type VmStateSnapshot } from './snapshot.js';

const encoder = new TextEncoder();

function requireTierStore(core: VmCore, operation: string): NonNullable<VmCore['tierStore']> {
  if (!core.tierStore) throw new StorageError({ operation, backend: 'unconfigured', message: `${operation} needs a tier store (configureStorage)` });
  return core.tierStore;
}

function syncPinned(core: VmCore, pageId: string): void {
  const pinned = core.workingSet.isPinned(pageId);
  core.pageTable.setPinned(pageId, pinned);
  const page = core.store.get(pageId);
  if (page && page.pinned !== pinned) {
    const own = core.writable(pageId);
    if (own) own.pinned = pinned;
  }
}

export function setPin(core: VmCore, pageId: string, pinned: boolean, auto = false): void {
  if (pinned) {
    if (auto) core.workingSet.pinnedSet.autoPin(pageId);
    else core.workingSet.pinPage(pageId);
  } else {
    core.workingSet.unpinPage(pageId);
  }
  syncPinned(core, pageId);
}

/** Auto-pins of spec §7.2: system pages and claims in L0, transcripts created in the last N turns. */
export function refreshAutoPins(core: VmCore): void {
  const ps = core.workingSet.pinnedSet;
  const previous = [...ps.autoPinned];
  ps.clearAutoPins();
  for (const id of previous) syncPinned(core, id);
  const { autoPinSystemPrompt, autoPinClaims, autoPinLastNTurns } = ps.config;
  for (const id of core.workingSet.l0Ids()) {
    const page = core.store.get(id);
    if (!page) continue;
    if ((autoPinSystemPrompt && page.metadata['role'] === 'system') || (autoPinClaims && page.pageType === 'claim')) setPin(core, id, true, true);
  }
  for (let t = Math.max(0, core.turn - autoPinLastNTurns + 1); t <= core.turn && autoPinLastNTurns > 0; t++) {
    for (const id of core.mutationLog.getPagesCreatedInTurn(t)) {
      if (core.pageTable.lookup(id)?.pageType === 'transcript') setPin(core, id, true, true);
    }
  }
}

/** Write dirty pages back: L3/L4 to the tier store, L0–L2 to the derived store (or nothing). */
export async function flushCore(core: VmCore, pageIds?: readonly string[]): Promise<string[]> {
  const ids = pageIds ?? core.pageTable.getDirtyPages().map((e) => e.pageId);
  const flushed: string[] = [];
  for (const id of ids) {
    const entry = core.pageTable.lookup(id);
    const page = core.store.get(id);
    if (!entry?.dirty || !page) continue;
    const clean = copyPage(page, { dirty: false });
    if (isPersistentTier(entry.tier)) {
      const tierStore = requireTierStore(core, 'flush');
      const artifactId = await tierStore.storePage(clean, entry.tier);
      core.ownedArtifacts.add(artifactId);
      const superseded = entry.artifactId;
      core.pageTable.updateLocation(id, entry.tier, { artifactId });
      if (superseded && superseded !== artifactId && core.ownedArtifacts.delete(superseded)) await tierStore.deletePage(superseded);
      core.store.delete(id);
    } else {
      if (core.derivedStore) {
        const key = `vm/${encodeURIComponent(core.sessionId)}/derived/${encodeURIComponent(id)}.json`;
        await core.derivedStore.put(key, encoder.encode(JSON.stringify(pageToJSON(clean))), { contentType: 'application/x-memory-page' });
      }
      core.store.set(id, clean);
    }
    core.pageTable.markClean(id);
    core.log(id, MutationType.Flush, entry.tier, entry.tier, MutationCause.Flush);
    flushed.push(id);
  }
  if (flushed.length > 0) core.touch();
  return flushed;
}

export function buildState(core: VmCore): VmStateSnapshot {
  return {
    schema_version: VM_STATE_SCHEMA_VERSION,
    session_id: core.sessionId,
    turn: core.turn,
    mode: core.mode,
    entries: [...core.pageTable.entries.values()].map(entryToJSON),
    working_set: snakeState(core.workingSet.toJSON()),
    hints: Object.fromEntries(core.hints),
    fault_policy: snakeState(core.faultPolicy.toJSON()),
    metrics: snakeState(core.metrics.toState()),
    prefetcher: core.prefetcher.toJSON(),
    mutation_log: core.mutationLog.toJSON(),
  };
}

export async function checkpointCore(core: VmCore, name: string): Promise<string> {
  const tierStore = requireTierStore(core, 'checkpoint');
  await flushCore(core);
  const pages: MemoryPage[] = [];
  for (const e of core.pageTable.entries.values()) {
    const p = core.store.get(e.pageId);
    pages.push(
      p && !isPersistentTier(e.tier)
        ? copyPage(p, { storageTier: e.tier })
        : makePage({ pageId: e.pageId, modality: e.modality, pageType: e.pageType, storageTier: e.tier, artifactId: e.artifactId }),
    );
  }
  const id = await tierStore.storeCheckpoint(pages, name, buildState(core));
  core.log(id, MutationType.Checkpoint, null, StorageTier.L3, `${MutationCause.Checkpoint}:${name}`);
  return id;
}

function newWorkingSet(core: VmCore, state: ReturnType<typeof parseVmState>): WorkingSetManager {
  const snap = state.working_set;
  return WorkingSetManager.fromJSON(
    { ...snap, config: core.workingSet.config, l0PageIds: [], charged: [], l1PageIds: [] },
    { estimator: core.estimator, clock: core.clock, evictionPolicy: core.workingSet.evictionPolicy },
  );
}

export async function restoreCore(core: VmCore, checkpointId: string): Promise<void> {
  const tierStore = requireTierStore(core, 'restore');
  const manifest = await tierStore.loadCheckpointManifest(checkpointId);
  if (!manifest) throw new StorageError({ operation: 'restore', backend: 'tier-store', message: `Checkpoint not found: ${checkpointId}` });
  const state = parseVmState(await tierStore.loadCheckpointState(checkpointId));
  const loaded = new Map<string, MemoryPage>();
  for (const e of manifest.pages) {
    if (isPersistentTier(e.tier ?? StorageTier.L3)) continue;
    const page = await tierStore.loadPage(e.artifact_id);
    if (page) loaded.set(e.page_id, page);
  }
  // Swap (synchronous from here to the re-mapping below).
  core.pageTable.clear();
  core.store.clear();
  core.originals.clear();
  core.hints.clear();
  core.hintIndex.clear();
  core.groups.clear();
  core.shared = new WeakSet();
  for (const raw of state.entries) {
    const entry = entryFromJSON(raw);
    if (entry.tier === StorageTier.L0) entry.tier = StorageTier.L2;
    core.pageTable.registerEntry(entry);
    if (entry.groupId !== null) {
      const members = core.groups.get(entry.groupId) ?? new Set<string>();
      members.add(entry.pageId);
      core.groups.set(entry.groupId, members);
    }
    const page = loaded.get(entry.pageId);
    if (page) core.store.set(entry.pageId, copyPage(page, { storageTier: entry.tier, sessionId: state.session_id }));
  }
  for (const [id, hint] of Object.entries(state.hints)) core.setHint(id, hint);
  core.sessionId = state.session_id;
  core.tierStore?.setSessionId(state.session_id);
  core.turn = state.turn;
  core.mode = state.mode;
  core.workingSet = newWorkingSet(core, state);
  core.faultPolicy = FaultPolicy.fromJSON(toCamelCaseJSON(state.fault_policy));
  core.faultHandler.maxFaultsPerTurn = core.faultPolicy.maxFaultsPerTurn;
  core.faultHandler.faultsThisTurn = core.faultPolicy.faultsThisTurn;
  core.metrics = VmMetrics.fromState(metricsStateFromJSON(state.metrics));
  if (state.prefetcher) core.prefetcher = SimplePrefetcher.fromJSON(state.prefetcher);
  if (state.mutation_log !== undefined) core.mutationLog = MutationLogLite.fromJSON(state.mutation_log, { clock: core.clock });
  core.tlb.flush();
  core.packCache.invalidateAll();
  for (const id of state.working_set.pinnedSet.pinned) syncPinned(core, id);
  for (const id of state.working_set.l1PageIds) {
    const page = core.store.get(id);
    if (page && core.workingSet.addToL1(page)) core.pageTable.updateLocation(id, StorageTier.L1);
  }
  for (const id of state.working_set.l0PageIds) {
    const { ok } = await mapToL0(core, id);
    if (!ok) core.logger.warn({ pageId: id }, 'restored L0 page no longer fits; left at L2');
  }
  core.syncTokenMetrics();
  core.log(checkpointId, MutationType.Restore, null, StorageTier.L0, MutationCause.Restore);
  core.touch();
}

/** Copy metadata into a fresh child; page objects and blobs are shared (copy-on-write). */
export function copyStateInto(parent: VmCore, child: VmCore, copyMutationLog: boolean): void {
  for (const e of parent.pageTable.entries.values()) child.pageTable.registerEntry({ ...e, provenance: [...e.provenance] });
  for (const [id, page] of parent.store) {
    parent.shared.add(page);
    child.shared.add(page);
    child.store.set(id, page);
  }
  for (const [id, page] of parent.originals) {
    parent.shared.add(page);
    child.shared.add(page);
    child.originals.set(id, page);
  }
  for (const [id, hint] of parent.hints) child.setHint(id, hint);
  for (const [g, members] of parent.groups) child.groups.set(g, new Set(members));
  for (const e of parent.pageTable.entries.values()) if (e.artifactId) parent.ownedArtifacts.delete(e.artifactId);
  child.workingSet = WorkingSetManager.fromJSON(parent.workingSet.toJSON(), {
    estimator: child.estimator,
    clock: child.clock,
    evictionPolicy: parent.workingSet.evictionPolicy,
    pages: (id) => child.store.get(id),
  });
  child.turn = parent.turn;
  child.faultPolicy = new FaultPolicy({
    maxFaultsPerTurn: parent.faultPolicy.maxFaultsPerTurn,
    maxFaultTokensPerTurn: parent.faultPolicy.maxFaultTokensPerTurn,
    faultConfidenceThreshold: parent.faultPolicy.faultConfidenceThreshold,
  });
  child.faultHandler.maxFaultsPerTurn = child.faultPolicy.maxFaultsPerTurn;
  child.prefetcher = SimplePrefetcher.fromJSON(parent.prefetcher.toJSON());
  if (copyMutationLog) {
    child.mutationLog = MutationLogLite.fromJSON(parent.mutationLog.toJSON(), { clock: child.clock });
    child.mutationLog.sessionId = child.sessionId;
  }
  child.log(child.sessionId, MutationType.Fork, null, StorageTier.L0, forkCause(parent.sessionId));
  child.syncTokenMetrics();
  child.touch();
}

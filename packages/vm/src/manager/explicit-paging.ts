import { StorageError } from '@chuk/models';
import type { CompressionResult } from '../compression.js';
import { MutationCause, MutationType, PageType, StorageTier, isPersistentTier, type CompressionLevel } from '../enums.js';
import type { VmCore } from './core.js';
import { compressOne, evictOne } from './paging.js';
import { setPin } from './persistence.js';
import { wait, type Steps } from './steps.js';

/** Paging the caller asks for: evict or compress a page with its group, segment rollover. */

/** `evictPage`: the page and its group; refused (false) when any member is pinned. */
export function* evictGroup(core: VmCore, pageId: string, targetTier: StorageTier): Steps<boolean> {
  const members = core.groupOf(pageId).filter((id) => core.store.has(id));
  if (!members.includes(pageId)) return false;
  if (members.some((id) => core.workingSet.isPinned(id))) return false;
  let ok = false;
  for (const id of members) {
    const evicting = evictOne(core, id, targetTier, MutationCause.ExplicitEvict);
    const evicted = evicting instanceof Promise ? yield* wait(evicting) : evicting;
    if (id === pageId) ok = evicted;
  }
  return ok;
}

/** `compressPage`: every member of the page's group to the level; the page's own result. */
export function* compressGroup(core: VmCore, pageId: string, targetLevel: CompressionLevel): Steps<CompressionResult | null> {
  let primary: CompressionResult | null = null;
  for (const id of core.groupOf(pageId)) {
    const compressing = compressOne(core, id, targetLevel);
    const r = compressing instanceof Promise ? yield* wait(compressing) : compressing;
    if (id === pageId) primary = r;
  }
  return primary;
}

/** Unpin the oldest pinned summaries beyond `maxPinnedSummaries` (so a rollover can evict them). */
function capPinnedSummaries(core: VmCore): void {
  const max = core.options.maxPinnedSummaries ?? 0;
  if (max <= 0) return;
  const pinnedSummaries = core.workingSet
    .getL0PageIds()
    .filter((id) => core.workingSet.pinnedSet.isExplicitlyPinned(id) && core.pageTable.lookup(id)?.pageType === PageType.Summary);
  for (const id of pinnedSummaries.slice(0, Math.max(0, pinnedSummaries.length - max))) {
    setPin(core, id, false);
    core.log(id, MutationType.Unpin, core.tierOf(id), core.tierOf(id) ?? StorageTier.L0, MutationCause.SegmentRollover);
  }
}

/** Segment rollover: evict every unpinned L0 page (groups with a pinned member stay). */
export function* evictSegment(core: VmCore, targetTier: StorageTier): Steps<string[]> {
  if (isPersistentTier(targetTier) && !core.tierStore) {
    throw new StorageError({ operation: 'evictSegmentPages', backend: 'unconfigured', message: `Cannot evict to ${targetTier}: no tier store is configured` });
  }
  capPinnedSummaries(core);
  const evicted: string[] = [];
  for (const id of core.workingSet.getL0PageIds()) {
    if (!core.workingSet.isInL0(id) || core.workingSet.isPinned(id)) continue;
    if (core.groupOf(id).some((m) => core.workingSet.isPinned(m))) continue;
    const evicting = evictOne(core, id, targetTier, MutationCause.SegmentRollover);
    if (evicting instanceof Promise ? yield* wait(evicting) : evicting) evicted.push(id);
  }
  return evicted;
}

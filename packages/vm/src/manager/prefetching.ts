import { Actor, FaultConfidenceThreshold, FaultReason, MutationCause } from '../enums.js';
import { DEFAULT_FAULT_TARGET_LEVEL } from '../fault.js';
import { pageTokens } from '../tokens.js';
import type { VmCore } from './core.js';
import { faultCore } from './fault-path.js';
import { flushCore, refreshAutoPins } from './persistence.js';

/** Faults the VM starts itself: the demand-paging pre-pass and turn-start prefetch (own budget, never the model's quota). */

/** Fault in `ids` in order while they fit the prefetch token budget; the ids mapped into L0. */
export async function prefetchCore(core: VmCore, ids: readonly string[], reason: FaultReason): Promise<string[]> {
  const maxTokens = core.options.demandPaging?.maxPrefetchTokens ?? core.faultPolicy.maxFaultTokensPerTurn;
  let used = 0;
  const out: string[] = [];
  for (const id of ids) {
    const size = core.pageTable.lookup(id)?.sizeTokens ?? 0;
    if (used + size > maxTokens) continue;
    const r = await faultCore(core, id, DEFAULT_FAULT_TARGET_LEVEL, { actor: Actor.System, cause: MutationCause.DemandPrefetch, reason, prefetch: true });
    if (r.success && r.promoted === true) {
      out.push(id);
      used += r.page ? pageTokens(r.page, core.estimator) : size;
    }
  }
  return out;
}

/** Before the model sees a user message: fault in the pages it will need (honours the confidence threshold). */
export async function demandPrePassCore(core: VmCore, userMessage: string): Promise<string[]> {
  const threshold = core.faultPolicy.faultConfidenceThreshold;
  if (threshold === FaultConfidenceThreshold.Explicit || userMessage.trim() === '') return [];
  const query = {
    message: userMessage,
    pageTable: core.pageTable,
    pageHints: core.hints,
    workingSetIds: new Set(core.workingSet.l0Ids()),
    hintIndex: core.hintIndex,
  };
  // Under `referenced`, a message without a recall signal prefetches only the pages it names (`referencedPages`),
  // and the full topical ranking is not computed at all.
  if (threshold === FaultConfidenceThreshold.Referenced && !core.demandPaging.hasRecallSignal(userMessage)) {
    return prefetchCore(core, core.demandPaging.referencedPages(query), FaultReason.ResolveReference);
  }
  const c = core.demandPaging.classify(query);
  return prefetchCore(core, c.all, c.recall ? FaultReason.UserRequestedRecall : FaultReason.Speculative);
}

/** A new turn: per-turn counters reset, auto-pins refreshed, L0 snapshot logged, periodic flush and prefetch. */
export async function newTurnCore(core: VmCore): Promise<void> {
  core.turn += 1;
  core.workingSet.newTurn();
  core.faultHandler.newTurn();
  core.faultPolicy.newTurn();
  core.metrics.newTurn();
  refreshAutoPins(core);
  core.mutationLog.recordContextAtTurn(core.turn, core.workingSet.getL0PageIds());
  const every = core.options.flushEveryNTurns ?? 0;
  if (every > 0 && core.turn % every === 0) await flushCore(core);
  if (core.options.prefetchOnNewTurn) {
    const ids = await core.prefetcher.prefetchOnTurnStart(core.sessionId, core.pageTable);
    await prefetchCore(core, ids.filter((id) => core.pageTable.has(id) && !core.workingSet.isInL0(id)), FaultReason.Speculative);
  }
}

/**
 * The three library configurations, all driven through the `SessionManager` facade on an in-memory
 * store, exactly as an application would: `userSays` / `aiResponds` / `toolUsed` per turn, pinning
 * through `vm.pinPage`, the context from `getMessagesForLlm()`, VM tools through `handleVmToolCall`.
 *
 * Budgets (B = a tenth of the transcript, S = the summary budget):
 * - summaries only: infinite context with tokenThreshold min(4000, B/2) and as many segment
 *   summaries as fit in what is left, floor((B - threshold) / S); no VM.
 * - VM: `enableVm` with the default mode, policies and compressors, counting with the model's tokenizer,
 *   and the whole prompt within B (`vmBudget`): the rules, a manifest of at most MANIFEST_SHARE of B
 *   (`manifest.maxTokens`) and a margin for the packing of `VM:CONTEXT` are reserved out of the L0
 *   window of B tokens, so the pages in L0 (the `VM:CONTEXT` lines and the chat messages) get the rest.
 * - VM + summaries: both of the above together; pinned segment summaries are capped
 *   (`maxPinnedSummaries`) so that they leave room in L0 for the current turns.
 */
import type { SessionStore } from '@chuk/models';
import { InMemorySessionStore, loadSyncTokenCounter } from '@chuk/models';
import { DEFAULT_TOKEN_THRESHOLD, SessionManager } from '@chuk/session-manager';
import { VmMode, createTiktokenEstimator, getPromptForMode, type TokenEstimator, type VmFacadeOptions } from '@chuk/vm';
import { TurnRole, type Turn } from '../conversation.js';
import type { ConfigEnv, ConfigSession, ContextMessage, FidelityConfig, VmToolAccess } from './types.js';

const MODEL = { model: 'gpt-4o-mini', provider: 'openai' } as const;

interface FacadeSetup {
  infinite: boolean;
  vm: boolean;
  /** summaries bounded by tokens (B - threshold) instead of the count maxSegmentSummaries */
  summaryTokenBudget?: boolean;
}

/** Count cap of the token-budget configuration: high enough that only the token budget binds. */
const UNBOUNDED_SUMMARIES = 1_000_000;

/** Share of the budget B the VM manifest may take (`manifest.maxTokens`). */
export const MANIFEST_SHARE = 0.06;
/** Manifest hints are cut to this many characters (the facade's hints hold 120 of the message), so more pages fit. */
export const MANIFEST_HINT_CHARS = 80;
/** Share of B kept for what the L0 charge does not count: the `VM:CONTEXT` line prefixes and the block tags. */
export const PACKING_SHARE = 0.13;
/** Below this share of B left for L0, the budget is not split (L0 gets all of B). */
export const MIN_PAGES_SHARE = 0.5;
/** Share of what L0 may hold that pinned segment summaries may take (`maxPinnedSummaries`, at S tokens each). */
export const SUMMARY_PIN_SHARE = 0.75;

export interface VmBudget {
  /** false when B is too small to split (see MIN_PAGES_SHARE): nothing reserved, nothing capped */
  split: boolean;
  /** the rules block, as the estimator counts it */
  rules: number;
  /** `manifest.maxTokens` (0: unbounded) */
  manifest: number;
  packing: number;
  /** what L0 may hold: B minus the three above (all of B when that leaves less than MIN_PAGES_SHARE of it) */
  pages: number;
}

/** How the VM configurations split the budget B (all counted with the model's tokenizer). */
export function vmBudget(budgetTokens: number, estimator: TokenEstimator): VmBudget {
  const rules = estimator.estimateText(getPromptForMode(VmMode.Strict));
  const manifest = Math.floor(budgetTokens * MANIFEST_SHARE);
  const packing = Math.ceil(budgetTokens * PACKING_SHARE);
  // A budget too small for the rules (the 80-turn regression run: B = 529) cannot hold the prompt at all; L0 then
  // gets the whole of B, the manifest and the pinned summaries are not bounded, as without a split, and the prompt
  // exceeds B.
  const rest = budgetTokens - rules - manifest - packing;
  if (rest < budgetTokens * MIN_PAGES_SHARE) return { split: false, rules, manifest: 0, packing: 0, pages: budgetTokens };
  return { split: true, rules, manifest, packing, pages: rest };
}

let modelEstimator: TokenEstimator | undefined;

/** The VM counts with the tokenizer of the model (o200k_base), as the benchmark does. */
export async function loadModelEstimator(): Promise<TokenEstimator> {
  modelEstimator ??= createTiktokenEstimator(await loadSyncTokenCounter(MODEL.model));
  return modelEstimator;
}

export function vmOptions(env: ConfigEnv, estimator: TokenEstimator): VmFacadeOptions {
  const budget = vmBudget(env.budgetTokens, estimator);
  return {
    estimator,
    config: { maxL0Tokens: env.budgetTokens, reservedTokens: env.budgetTokens - budget.pages },
    manifest: { maxTokens: budget.manifest, maxHintChars: MANIFEST_HINT_CHARS },
    // Pinned segment summaries (each at most S tokens) take at most SUMMARY_PIN_SHARE of what L0 may hold;
    // older ones are unpinned and evicted at a rollover, still reachable through search_pages / page_fault.
    ...(budget.split ? { maxPinnedSummaries: Math.max(1, Math.floor((budget.pages * SUMMARY_PIN_SHARE) / env.summaryTokens)) } : {}),
  };
}

export function segmentSettings(env: ConfigEnv): { tokenThreshold: number; maxSegmentSummaries: number } {
  const tokenThreshold = Math.min(DEFAULT_TOKEN_THRESHOLD, Math.floor(env.budgetTokens / 2));
  const maxSegmentSummaries = Math.max(1, Math.floor((env.budgetTokens - tokenThreshold) / env.summaryTokens));
  return { tokenThreshold, maxSegmentSummaries };
}

async function createManager(env: ConfigEnv, setup: FacadeSetup, store: SessionStore = new InMemorySessionStore()): Promise<SessionManager> {
  const settings = segmentSettings(env);
  // Token-budget configuration: the facade's `summaryTokenBudget` bounds the summaries message
  // (B − threshold, newest kept); the count cap is lifted so that only the token budget binds.
  const bounded = setup.summaryTokenBudget === true
    ? { maxSegmentSummaries: UNBOUNDED_SUMMARIES, summaryTokenBudget: env.budgetTokens - settings.tokenThreshold }
    : {};
  const segments = setup.infinite ? { infiniteContext: true, ...settings, ...bounded } : {};
  const vm = setup.vm ? { enableVm: true, vm: vmOptions(env, await loadModelEstimator()) } : {};
  return new SessionManager({
    store,
    summaryCallback: env.summariser,
    ...(env.seed === undefined ? {} : reproducible(env.seed)),
    ...segments,
    ...vm,
  });
}

/** The epoch of the reproducible clock (any fixed instant). */
const REPRODUCIBLE_EPOCH_MS = Date.UTC(2026, 0, 1);

/** Seeded ids (UUID-shaped, from a 32-bit xorshift) and a clock that ticks 1 ms per reading. */
function reproducible(seed: number): { idGenerator: () => string; clock: () => Date } {
  let state = seed >>> 0 || 1;
  const next32 = (): string => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state.toString(16).padStart(8, '0');
  };
  let ms = REPRODUCIBLE_EPOCH_MS;
  return {
    idGenerator: () => {
      const hex = next32() + next32() + next32() + next32();
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
    clock: () => new Date(ms++),
  };
}

class FacadeSession implements ConfigSession {
  readonly vmTools?: VmToolAccess;

  constructor(
    protected readonly manager: SessionManager,
    protected readonly store: SessionStore,
  ) {
    if (manager.vm !== null) {
      this.vmTools = { call: async (name, args) => (await manager.handleVmToolCall(name, args)).content };
    }
  }

  async play(turn: Turn): Promise<void> {
    if (turn.role === TurnRole.Tool && turn.tool !== undefined) {
      await this.manager.toolUsed(turn.tool.name, { ...turn.tool.args }, { ...turn.tool.result });
    } else if (turn.role === TurnRole.Assistant) {
      await this.manager.aiResponds(turn.content, MODEL);
    } else {
      await this.manager.userSays(turn.content);
    }
    if (turn.pin === true) await this.pin(turn.content);
  }

  /** The caller pins the page of the message it just recorded (found among the mapped pages). */
  private async pin(content: string): Promise<void> {
    const vm = this.manager.vm;
    if (vm === null) return;
    const page = (await vm.getL0Pages()).findLast((p) => p.content === content);
    if (page === undefined) throw new Error('the page of a pinned fact is not mapped');
    await vm.pinPage(page.pageId);
  }

  async ask(question: string): Promise<ContextMessage[]> {
    await this.manager.userSays(question);
    return this.manager.getMessagesForLlm();
  }

  async reply(text: string): Promise<void> {
    await this.manager.aiResponds(text, MODEL);
  }
}

const WARM_UP_TEXT = 'Warm-up message 1.';

function facadeConfig(name: string, setup: FacadeSetup): FidelityConfig {
  return {
    name,
    open: async (env) => {
      const store = new InMemorySessionStore();
      return new FacadeSession(await createManager(env, setup, store), store);
    },
    warmUp: async (env) => {
      const manager = await createManager(env, setup);
      await manager.userSays(WARM_UP_TEXT);
      await manager.aiResponds(WARM_UP_TEXT, MODEL);
      await manager.getMessagesForLlm();
    },
  };
}

export const summariesOnly = facadeConfig('summaries only', { infinite: true, vm: false });
export const summariesTokenBudget = facadeConfig('summaries only, token budget', { infinite: true, vm: false, summaryTokenBudget: true });
export const vmDefault = facadeConfig('VM', { infinite: false, vm: true });
export const vmWithSummaries = facadeConfig('VM + summaries', { infinite: true, vm: true });

/**
 * The three library configurations, all driven through the `SessionManager` facade on an in-memory
 * store, exactly as an application would: `userSays` / `aiResponds` / `toolUsed` per turn, pinning
 * through `vm.pinPage`, the context from `getMessagesForLlm()`, VM tools through `handleVmToolCall`.
 *
 * Budgets (B = a tenth of the transcript, S = the summary budget):
 * - summaries only: infinite context with tokenThreshold min(4000, B/2) and as many segment
 *   summaries as fit in what is left, floor((B - threshold) / S); no VM.
 * - VM: `enableVm` with the default mode, policies and compressors, an L0 window of B tokens
 *   (nothing reserved; the rules and manifest come on top and are counted in "tokens in context").
 * - VM + summaries: both of the above together.
 */
import type { SessionStore } from '@chuk/models';
import { InMemorySessionStore } from '@chuk/models';
import { DEFAULT_TOKEN_THRESHOLD, SessionManager } from '@chuk/session-manager';
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

export function segmentSettings(env: ConfigEnv): { tokenThreshold: number; maxSegmentSummaries: number } {
  const tokenThreshold = Math.min(DEFAULT_TOKEN_THRESHOLD, Math.floor(env.budgetTokens / 2));
  const maxSegmentSummaries = Math.max(1, Math.floor((env.budgetTokens - tokenThreshold) / env.summaryTokens));
  return { tokenThreshold, maxSegmentSummaries };
}

function createManager(env: ConfigEnv, setup: FacadeSetup, store: SessionStore = new InMemorySessionStore()): SessionManager {
  const settings = segmentSettings(env);
  // Token-budget configuration: the facade's `summaryTokenBudget` bounds the summaries message
  // (B − threshold, newest kept); the count cap is lifted so that only the token budget binds.
  const bounded = setup.summaryTokenBudget === true
    ? { maxSegmentSummaries: UNBOUNDED_SUMMARIES, summaryTokenBudget: env.budgetTokens - settings.tokenThreshold }
    : {};
  const segments = setup.infinite ? { infiniteContext: true, ...settings, ...bounded } : {};
  const vm = setup.vm ? { enableVm: true, vm: { config: { maxL0Tokens: env.budgetTokens, reservedTokens: 0 } } } : {};
  return new SessionManager({
    store,
    summaryCallback: env.summariser,
    ...segments,
    ...vm,
  });
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
      return new FacadeSession(createManager(env, setup, store), store);
    },
    warmUp: async (env) => {
      const manager = createManager(env, setup);
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

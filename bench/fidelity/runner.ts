/**
 * Runs one configuration over one conversation: every turn is played, then every probe is asked as a
 * user turn (newest fact first, so the probe turns themselves push out as little as possible of what
 * they ask about), scored, and answered with a neutral reply. Time counts only the calls into the
 * configuration (turns, probes, replies, VM tool calls), not the benchmark's own scoring.
 */
import type { Conversation, Fact, FactKind } from './conversation.js';
import type { ConfigEnv, FidelityConfig } from './configs/types.js';
import { scoreProbe, type ContextComposition, type ProbeOutcome } from './scoring.js';
import { countTokens } from './tokens.js';

export const PROBE_REPLY = 'Noted.';
/** The context budget is this many times smaller than the transcript. */
export const BUDGET_DIVISOR = 10;

export interface ConfigResult {
  name: string;
  probes: number;
  directRecall: number;
  withinOneFault: number;
  staleExposed: number;
  avgTokens: number;
  maxTokens: number;
  /** average tokens per part of the context */
  avgComposition: ContextComposition;
  timeMs: number;
  /** of timeMs: playing the conversation (the rest is the probes) */
  playMs: number;
  outcomes: ProbeOutcome[];
}

export function transcriptTokens(conversation: Conversation): number {
  return conversation.turns.reduce((sum, t) => sum + countTokens(t.content), 0);
}

export function budgetFor(conversation: Conversation): number {
  return Math.floor(transcriptTokens(conversation) / BUDGET_DIVISOR);
}

/** Probes in the order they are asked: the fact whose answer was stated last goes first. */
export function probeOrder(conversation: Conversation): Fact[] {
  const statedAt = (f: Fact): number => f.correctedAt ?? f.turn;
  return [...conversation.facts].sort((a, b) => statedAt(b) - statedAt(a));
}

function percent(count: number, total: number): number {
  return total === 0 ? 0 : (100 * count) / total;
}

function averageComposition(outcomes: readonly ProbeOutcome[]): ContextComposition {
  const n = Math.max(1, outcomes.length);
  const sum = (pick: (c: ContextComposition) => number): number => outcomes.reduce((a, o) => a + pick(o.composition), 0) / n;
  return { rules: sum((c) => c.rules), manifest: sum((c) => c.manifest), packed: sum((c) => c.packed), messages: sum((c) => c.messages) };
}

export function summarise(name: string, outcomes: ProbeOutcome[], timeMs: number, playMs = timeMs): ConfigResult {
  const tokens = outcomes.map((o) => o.tokens);
  return {
    name,
    probes: outcomes.length,
    directRecall: percent(outcomes.filter((o) => o.direct).length, outcomes.length),
    withinOneFault: percent(outcomes.filter((o) => o.withinOneFault).length, outcomes.length),
    staleExposed: outcomes.filter((o) => o.staleExposed).length,
    avgTokens: tokens.length === 0 ? 0 : tokens.reduce((a, b) => a + b, 0) / tokens.length,
    maxTokens: tokens.length === 0 ? 0 : Math.max(...tokens),
    avgComposition: averageComposition(outcomes),
    timeMs,
    playMs,
    outcomes,
  };
}

/** Accumulates the time spent inside the library under test (scoring is not timed). */
class LibraryClock {
  ms = 0;

  async time<T>(fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.ms += performance.now() - start;
    }
  }
}

export async function runConfig(config: FidelityConfig, env: ConfigEnv): Promise<ConfigResult> {
  await config.warmUp?.(env);
  const clock = new LibraryClock();
  const session = await clock.time(() => config.open(env));
  for (const turn of env.conversation.turns) await clock.time(() => session.play(turn));
  const playMs = clock.ms;
  const tools = session.vmTools;
  const timedTools = tools === undefined ? undefined : { call: (name: string, args: Record<string, unknown>) => clock.time(() => tools.call(name, args)) };
  const outcomes: ProbeOutcome[] = [];
  for (const fact of probeOrder(env.conversation)) {
    const context = await clock.time(() => session.ask(fact.question));
    outcomes.push(await scoreProbe(fact, context, timedTools));
    await clock.time(() => session.reply(PROBE_REPLY));
  }
  return summarise(config.name, outcomes, clock.ms, playMs);
}

export interface KindBreakdown {
  kind: FactKind;
  probes: number;
  direct: number;
  withinOneFault: number;
  stale: number;
}

export function breakdownByKind(outcomes: readonly ProbeOutcome[]): KindBreakdown[] {
  const byKind = new Map<FactKind, KindBreakdown>();
  for (const o of outcomes) {
    const row = byKind.get(o.kind) ?? { kind: o.kind, probes: 0, direct: 0, withinOneFault: 0, stale: 0 };
    row.probes += 1;
    if (o.direct) row.direct += 1;
    if (o.withinOneFault) row.withinOneFault += 1;
    if (o.staleExposed) row.stale += 1;
    byKind.set(o.kind, row);
  }
  return [...byKind.values()];
}

import { z } from 'zod';
import { GuardVerdict, GuardVerdictSchema } from './enums.js';

export const GuardResultSchema = z.object({
  verdict: GuardVerdictSchema.default(GuardVerdict.Allow),
  reason: z.string().default(''),
  details: z.record(z.string(), z.unknown()).default({}),
  repaired_args: z.record(z.string(), z.unknown()).nullable().default(null),
  fallback_response: z.string().nullable().default(null),
  guard: z.string().optional().describe('name of the guard that produced it'),
});
export type GuardResult = z.infer<typeof GuardResultSchema>;

type Details = Record<string, unknown>;

const make = (verdict: GuardVerdict, guard: string | undefined, reason: string, details: Details = {}): GuardResult => ({
  verdict,
  reason,
  details,
  repaired_args: null,
  fallback_response: null,
  ...(guard !== undefined ? { guard } : {}),
});

export const allowResult = (guard?: string, reason = ''): GuardResult => make(GuardVerdict.Allow, guard, reason);
export const warnResult = (guard: string | undefined, reason: string, details?: Details): GuardResult =>
  make(GuardVerdict.Warn, guard, reason, details);
export const blockResult = (guard: string | undefined, reason: string, details?: Details): GuardResult =>
  make(GuardVerdict.Block, guard, reason, details);
export const repairResult = (
  guard: string | undefined,
  reason: string,
  repairedArgs: Record<string, unknown> | null = null,
  fallbackResponse: string | null = null,
): GuardResult => ({ ...make(GuardVerdict.Repair, guard, reason), repaired_args: repairedArgs, fallback_response: fallbackResponse });

/** ALLOW or WARN. */
export const isAllowed = (r: GuardResult): boolean => r.verdict === GuardVerdict.Allow || r.verdict === GuardVerdict.Warn;
/** BLOCK only (REPAIR is neither allowed nor blocked). */
export const isBlocked = (r: GuardResult): boolean => r.verdict === GuardVerdict.Block;

const PREFIX: Record<GuardVerdict, string> = {
  [GuardVerdict.Allow]: '',
  [GuardVerdict.Warn]: 'Warning',
  [GuardVerdict.Block]: 'Blocked',
  [GuardVerdict.Repair]: 'Repairing',
};

export function formatGuardMessage(r: GuardResult): string {
  if (r.verdict === GuardVerdict.Allow) return '';
  const prefix = PREFIX[r.verdict];
  return r.reason === '' ? prefix : `${prefix}: ${r.reason}`;
}

/** A pre-execution (and optionally post-execution) check on a tool call. */
export interface Guard {
  readonly name: string;
  check(toolName: string, args: Record<string, unknown>): GuardResult | Promise<GuardResult>;
  checkOutput?(toolName: string, args: Record<string, unknown>, result: unknown): GuardResult | Promise<GuardResult>;
  /** Per-prompt reset. */
  reset?(): void;
}

export interface GuardChainEntry {
  name: string;
  result: GuardResult;
}

export interface GuardChainResult {
  final_verdict: GuardVerdict;
  final_reason: string;
  guard_results: GuardChainEntry[];
  stopped_at: string | null;
  repaired_args: Record<string, unknown> | null;
  /** Output checks: a REPAIR's fallback text, to replace the result shown to the model. */
  replacement_result: string | null;
}

export const chainAllowed = (r: GuardChainResult): boolean =>
  r.final_verdict === GuardVerdict.Allow || r.final_verdict === GuardVerdict.Warn;
export const chainBlocked = (r: GuardChainResult): boolean => r.final_verdict === GuardVerdict.Block;

/** The blocking entry of a chain result, if any. */
export const chainBlocker = (r: GuardChainResult): GuardChainEntry | undefined =>
  r.stopped_at === null ? undefined : r.guard_results.find((e) => e.name === r.stopped_at);

/** An ordered list of named guards: the first BLOCK stops, REPAIRs rewrite the working arguments, warnings aggregate. */
export class GuardChain {
  private readonly entries: Array<{ name: string; guard: Guard }> = [];

  add(name: string, guard: Guard): this {
    this.entries.push({ name, guard });
    return this;
  }

  insert(index: number, name: string, guard: Guard): this {
    this.entries.splice(index, 0, { name, guard });
    return this;
  }

  remove(name: string): boolean {
    const i = this.entries.findIndex((e) => e.name === name);
    if (i < 0) return false;
    this.entries.splice(i, 1);
    return true;
  }

  get(name: string): Guard | undefined {
    return this.entries.find((e) => e.name === name)?.guard;
  }

  get size(): number {
    return this.entries.length;
  }

  names(): string[] {
    return this.entries.map((e) => e.name);
  }

  *[Symbol.iterator](): IterableIterator<[string, Guard]> {
    for (const e of this.entries) yield [e.name, e.guard];
  }

  resetAll(): void {
    for (const e of this.entries) e.guard.reset?.();
  }

  async checkAll(toolName: string, args: Record<string, unknown>): Promise<GuardChainResult> {
    return runChain(this.entries, args, (guard, working) => guard.check(toolName, working));
  }

  async checkOutputAll(toolName: string, args: Record<string, unknown>, result: unknown): Promise<GuardChainResult> {
    return runChain(this.entries, args, (guard, working) =>
      guard.checkOutput === undefined ? allowResult(guard.name) : guard.checkOutput(toolName, working, result),
    );
  }
}

/** Run named checks in order with chain semantics (exported for the manager's fixed chain). */
export async function runChain(
  entries: ReadonlyArray<{ name: string; guard: Guard }>,
  args: Record<string, unknown>,
  run: (guard: Guard, working: Record<string, unknown>) => GuardResult | Promise<GuardResult>,
): Promise<GuardChainResult> {
  let working = args;
  let repaired: Record<string, unknown> | null = null;
  let replacement: string | null = null;
  const results: GuardChainEntry[] = [];
  const warnings: string[] = [];
  for (const { name, guard } of entries) {
    const result = await run(guard, working);
    results.push({ name, result });
    if (result.verdict === GuardVerdict.Block) {
      return {
        final_verdict: GuardVerdict.Block,
        final_reason: result.reason,
        guard_results: results,
        stopped_at: name,
        repaired_args: repaired,
        replacement_result: replacement,
      };
    }
    if (result.verdict === GuardVerdict.Warn) warnings.push(result.reason);
    if (result.verdict === GuardVerdict.Repair) {
      if (result.repaired_args !== null) {
        working = result.repaired_args;
        repaired = result.repaired_args;
      }
      if (result.fallback_response !== null) replacement = result.fallback_response;
    }
  }
  return {
    final_verdict: warnings.length > 0 ? GuardVerdict.Warn : GuardVerdict.Allow,
    final_reason: warnings.join('; '),
    guard_results: results,
    stopped_at: null,
    repaired_args: repaired,
    replacement_result: replacement,
  };
}

import { canonicalJson } from '../common/json.js';
import { fmtSci2 } from '../common/numbers.js';
import { RunawayPattern } from './enums.js';
import { allowResult, blockResult } from './guard.js';
import type { Guard, GuardResult } from './guard.js';
import { RunawayConfigSchema } from './limits.js';
import type { RunawayConfig, RunawayConfigInput } from './limits.js';

export const RUNAWAY_GUARD_NAME = 'runaway';

export interface RunawayGuardState {
  recent_values: number[];
  degenerate_streak: number;
  recent_calls: string[];
}

const callSignature = (tool: string, args: Record<string, unknown>): string => `${tool}:${canonicalJson(args)}`;
const toolOf = (signature: string): string => signature.slice(0, signature.indexOf(':'));

/**
 * Stops runaway tool use: degenerate numeric results (0/1 streaks), numeric saturation, repeating values,
 * repeated identical calls and ping-pong loops between two calls. `check` is pure; `recordResult` and
 * `recordCall` feed it.
 */
export class RunawayGuard implements Guard {
  readonly name = RUNAWAY_GUARD_NAME;
  config: RunawayConfig;
  private values: number[] = [];
  private degenerateStreak = 0;
  private calls: string[] = [];

  constructor(config: RunawayConfigInput = {}) {
    this.config = RunawayConfigSchema.parse(config);
  }

  /** Record a numeric result (booleans and non-numbers are ignored). */
  recordResult(value: unknown): void {
    if (typeof value !== 'number' || Number.isNaN(value)) return;
    this.values.push(value);
    if (this.values.length > this.config.history_window) this.values.shift();
    this.degenerateStreak = this.config.degenerate_values.includes(value) ? this.degenerateStreak + 1 : 0;
  }

  /** Record a call that was made (executed or served from cache), for loop detection. */
  recordCall(toolName: string, args: Record<string, unknown>): void {
    this.calls.push(callSignature(toolName, args));
    if (this.calls.length > this.config.call_history_window) this.calls.shift();
  }

  get recentValues(): readonly number[] {
    return this.values;
  }

  /** Numeric checks on the recorded results; when a tool and arguments are given, also loop checks for that call. */
  check(toolName?: string, args?: Record<string, unknown>): GuardResult {
    const numeric = this.checkValues();
    if (numeric.verdict !== 'allow' || toolName === undefined || toolName === '') return numeric;
    return this.checkCall(toolName, args ?? {});
  }

  private checkValues(): GuardResult {
    const last = this.values.at(-1);
    if (last === undefined) return allowResult(this.name);
    if (this.degenerateStreak >= this.config.degenerate_threshold) {
      return blockResult(this.name, `Repeated degenerate value: ${last}`, {
        pattern: RunawayPattern.Degenerate,
        value: last,
        count: this.degenerateStreak,
      });
    }
    if (last !== 0 && Math.abs(last) < this.config.saturation_threshold) {
      return blockResult(this.name, `Numeric saturation: ${fmtSci2(last)} (effectively zero)`, {
        pattern: RunawayPattern.Saturation,
        value: last,
      });
    }
    const n = this.config.repeat_threshold;
    if (this.values.length >= n) {
      const tail = this.values.slice(-n);
      if (tail.every((v) => v === last)) {
        return blockResult(this.name, `Repeating value: ${last} (${n}x)`, { pattern: RunawayPattern.Repeat, value: last, count: n });
      }
    }
    return allowResult(this.name);
  }

  /** Would this call continue a loop? Repeated identical calls, or an A,B,A,B alternation. */
  checkCall(toolName: string, args: Record<string, unknown>): GuardResult {
    const sig = callSignature(toolName, args);
    const r = this.config.repeated_call_threshold;
    if (r > 0 && this.calls.length >= r && this.calls.slice(-r).every((s) => s === sig)) {
      return blockResult(
        this.name,
        `Repeated identical call: \`${toolName}\` was already called ${r} times in a row with the same arguments. Use the result you have.`,
        { pattern: RunawayPattern.RepeatedCall, tool_name: toolName, count: r },
      );
    }
    const l = this.config.ping_pong_length;
    if (l >= 2 && this.calls.length >= l) {
      const tail = this.calls.slice(-l);
      const a = tail.at(-2) ?? '';
      const b = tail.at(-1) ?? '';
      const alternates = a !== b && tail.every((s, i) => s === tail[i % 2]);
      if (alternates && sig === a) {
        return blockResult(
          this.name,
          `Ping-pong loop: \`${toolOf(a)}\` and \`${toolOf(b)}\` keep alternating with the same arguments (${l} calls). Stop and answer with the values you have.`,
          { pattern: RunawayPattern.PingPong, tools: [toolOf(a), toolOf(b)], count: l },
        );
      }
    }
    return allowResult(this.name);
  }

  formatSaturationMessage(value: number): string {
    let interpretation: string;
    if (value === 0) interpretation = 'exactly zero';
    else if (Math.abs(value) < this.config.saturation_threshold) interpretation = `effectively zero (< ${this.config.saturation_threshold})`;
    else if (value === 1) interpretation = 'exactly 1.0 (certainty)';
    else interpretation = fmtSci2(value);
    return `**Numeric saturation detected**: the last value is ${interpretation}. Further calls add no precision; give the final answer.`;
  }

  reset(): void {
    this.values = [];
    this.degenerateStreak = 0;
    this.calls = [];
  }

  toJSON(): RunawayGuardState {
    return { recent_values: [...this.values], degenerate_streak: this.degenerateStreak, recent_calls: [...this.calls] };
  }

  restore(state: RunawayGuardState): void {
    this.values = [...state.recent_values];
    this.degenerateStreak = state.degenerate_streak;
    this.calls = [...state.recent_calls];
  }
}

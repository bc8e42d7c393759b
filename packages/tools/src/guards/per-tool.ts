import { baseToolName } from '../common/names.js';
import { DISCOVERY_TOOLS, IDEMPOTENT_MATH_TOOLS } from './classification.js';
import { allowResult, blockResult, warnResult } from './guard.js';
import type { Guard, GuardResult } from './guard.js';

export const PER_TOOL_GUARD_NAME = 'per_tool';

export interface PerToolGuardConfig {
  /** Calls per tool; `<= 0` disables the limit (the reference blocked every call then). */
  defaultLimit: number;
  toolLimits: Record<string, number>;
  /** Tools never limited (default: base name in idempotent math ∪ discovery tools). */
  isExempt: (toolName: string) => boolean;
  /** Count per base name (default) or per exact name. */
  keyBy: 'base' | 'exact';
}

export const DEFAULT_PER_TOOL_LIMIT = 3;

/** Per-tool call limits (CTP semantics, with `limit <= 0` meaning disabled). */
export class PerToolGuard implements Guard {
  readonly name = PER_TOOL_GUARD_NAME;
  config: PerToolGuardConfig;
  private readonly counts = new Map<string, number>();

  constructor(config: Partial<PerToolGuardConfig> = {}) {
    this.config = {
      defaultLimit: DEFAULT_PER_TOOL_LIMIT,
      toolLimits: {},
      isExempt: (name) => IDEMPOTENT_MATH_TOOLS.has(baseToolName(name)) || DISCOVERY_TOOLS.has(baseToolName(name)),
      keyBy: 'base',
      ...config,
    };
  }

  private key(tool: string): string {
    return this.config.keyBy === 'base' ? baseToolName(tool) : tool;
  }

  limitFor(tool: string): number {
    const k = this.key(tool);
    return this.config.toolLimits[k] ?? this.config.toolLimits[tool] ?? this.config.defaultLimit;
  }

  check(toolName: string): GuardResult {
    if (this.config.isExempt(toolName)) return allowResult(this.name);
    const limit = this.limitFor(toolName);
    if (limit <= 0) return allowResult(this.name);
    const count = this.getCallCount(toolName);
    if (count >= limit) {
      return blockResult(
        this.name,
        `**Tool call limit reached**: \`${toolName}\` called ${count} times (limit: ${limit}). Either use the existing results to answer, or explain why another call is necessary.`,
        { tool_name: toolName, call_count: count, limit },
      );
    }
    if (count >= limit - 1) {
      return warnResult(this.name, `\`${toolName}\` at limit (${count + 1}/${limit}), next call may be blocked`, {
        tool_name: toolName,
        call_count: count + 1,
        limit,
      });
    }
    return allowResult(this.name);
  }

  recordCall(toolName: string): number {
    const k = this.key(toolName);
    const n = (this.counts.get(k) ?? 0) + 1;
    this.counts.set(k, n);
    return n;
  }

  getCallCount(toolName: string): number {
    return this.counts.get(this.key(toolName)) ?? 0;
  }

  getStatus(): Record<string, { count: number; limit: number }> {
    const out: Record<string, { count: number; limit: number }> = {};
    for (const [k, count] of this.counts) out[k] = { count, limit: this.limitFor(k) };
    return out;
  }

  reset(): void {
    this.counts.clear();
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  restore(counts: Record<string, number>): void {
    this.counts.clear();
    for (const [k, v] of Object.entries(counts)) this.counts.set(k, v);
  }
}

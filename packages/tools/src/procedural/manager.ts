import { noopLogger } from '@chuk/models';
import type { Logger, ToolOutcome } from '@chuk/models';
import { defaultClock } from '../common/defaults.js';
import { hashArguments } from '../common/hash.js';
import type { SessionStateAccess } from '../processor/sink.js';
import { AVOID_MIN_FAILURES, repeatedFailures, updateAutoHints } from './hints.js';
import type { RepeatedFailure } from './hints.js';
import {
  addErrorPattern,
  addSuccessPattern,
  allocateCallId,
  classifyResult,
  computeArgDelta,
  DEFAULT_ERROR_TYPE,
  entryIsFailure,
  entryIsSuccess,
  newPattern,
  PROCEDURAL_MEMORY_STATE_KEY,
  ProceduralMemorySchema,
  recordCallInPattern,
  recordFix,
  summarizeResult,
} from './models.js';
import type { ArgDelta, ProceduralMemory, RecordCallInput, ToolFixRelation, ToolLogEntry, ToolMemoryStats, ToolPattern } from './models.js';

export const DEFAULT_MAX_LOG_ENTRIES = 1000;
export const DEFAULT_MAX_PATTERNS_PER_TOOL = 10;
export const DEFAULT_FIX_DETECTION_WINDOW = 10;
const DEFAULT_RECENT = 5;
const DEFAULT_SEARCH_LIMIT = 10;

export interface ToolMemoryManagerOptions {
  maxLogEntries?: number;
  /** Caps error patterns per tool (dropping the lowest-count, oldest first). */
  maxPatternsPerTool?: number;
  fixDetectionWindow?: number;
  onFixDetected?: (rel: ToolFixRelation) => void | Promise<void>;
  clock?: () => Date;
  logger?: Logger;
}

export interface SearchCallsOptions {
  toolName?: string;
  goalContains?: string;
  outcome?: ToolOutcome;
  errorType?: string;
  onlyFixes?: boolean;
  onlyFixed?: boolean;
  limit?: number;
}

/** Procedural memory of one session: the call log, per-tool patterns and failure → fix links. */
export class ToolMemoryManager {
  readonly memory: ProceduralMemory;
  onFixDetected: ((rel: ToolFixRelation) => void | Promise<void>) | null;
  private readonly maxLogEntries: number;
  private readonly maxPatternsPerTool: number;
  private readonly window: number;
  private readonly clock: () => Date;
  private readonly logger: Logger;

  private constructor(memory: ProceduralMemory, opts: ToolMemoryManagerOptions) {
    this.memory = memory;
    this.maxLogEntries = opts.maxLogEntries ?? DEFAULT_MAX_LOG_ENTRIES;
    this.maxPatternsPerTool = opts.maxPatternsPerTool ?? DEFAULT_MAX_PATTERNS_PER_TOOL;
    this.window = opts.fixDetectionWindow ?? DEFAULT_FIX_DETECTION_WINDOW;
    this.onFixDetected = opts.onFixDetected ?? null;
    this.clock = opts.clock ?? defaultClock;
    this.logger = opts.logger ?? noopLogger;
  }

  static create(sessionId: string, opts: ToolMemoryManagerOptions = {}): ToolMemoryManager {
    const now = (opts.clock ?? defaultClock)().toISOString();
    return new ToolMemoryManager(
      { schema_version: 1, session_id: sessionId, tool_log: [], next_call_id: 1, tool_patterns: {}, fix_relations: [], created_at: now, updated_at: now },
      opts,
    );
  }

  /** Throws `ZodError` on invalid data. */
  static fromJSON(data: unknown, opts: ToolMemoryManagerOptions = {}): ToolMemoryManager {
    return new ToolMemoryManager(ProceduralMemorySchema.parse(data), opts);
  }

  /** Restore from session state; corrupt data is logged and replaced by a fresh memory. */
  static async fromSession(session: SessionStateAccess, opts: ToolMemoryManagerOptions = {}): Promise<ToolMemoryManager> {
    const stored = await session.getState(PROCEDURAL_MEMORY_STATE_KEY);
    if (stored === undefined || stored === null) return ToolMemoryManager.create(session.id, opts);
    const parsed = ProceduralMemorySchema.safeParse(stored);
    if (parsed.success) return new ToolMemoryManager(parsed.data, opts);
    (opts.logger ?? noopLogger).warn({ sessionId: session.id, issues: parsed.error.issues.length }, 'stored procedural memory is invalid; starting fresh');
    return ToolMemoryManager.create(session.id, opts);
  }

  async saveToSession(session: SessionStateAccess): Promise<void> {
    await session.setState(PROCEDURAL_MEMORY_STATE_KEY, this.toJSON());
  }

  toJSON(): ProceduralMemory {
    return structuredClone(this.memory);
  }

  get sessionId(): string {
    return this.memory.session_id;
  }

  private pattern(tool: string, now: string): ToolPattern {
    let p = this.memory.tool_patterns[tool];
    if (p === undefined) {
      p = newPattern(tool, now);
      this.memory.tool_patterns[tool] = p;
    }
    return p;
  }

  async recordCall(input: RecordCallInput): Promise<ToolLogEntry> {
    const now = this.clock().toISOString();
    const entry: ToolLogEntry = {
      id: allocateCallId(this.memory),
      timestamp: now,
      tool_name: input.toolName,
      arguments: input.arguments,
      arguments_hash: hashArguments(input.arguments),
      context_goal: input.contextGoal ?? null,
      preceding_call_id: input.precedingCallId ?? null,
      outcome: input.outcome,
      result_summary: summarizeResult(input.result),
      result_type: classifyResult(input.result),
      execution_time_ms: input.executionTimeMs == null ? null : Math.round(input.executionTimeMs),
      error_type: input.errorType ?? null,
      error_message: input.errorMessage ?? null,
      fixed_by: null,
      fix_for: null,
      delta_args: null,
    };
    const log = this.memory.tool_log;
    log.push(entry);
    if (log.length > this.maxLogEntries) log.shift();
    const pattern = this.pattern(input.toolName, now);
    recordCallInPattern(pattern, entry, now);
    if (entryIsSuccess(entry)) {
      await this.detectFix(entry, pattern);
      if (entry.fix_for !== null) {
        addSuccessPattern(pattern, { goal_match: entry.context_goal, delta_that_fixed: entry.delta_args, example_call_id: entry.id });
      }
      updateAutoHints(pattern, log, entry);
    } else if (entryIsFailure(entry)) {
      addErrorPattern(pattern, input.errorType ?? DEFAULT_ERROR_TYPE, input.contextGoal, input.arguments);
      this.capErrorPatterns(pattern);
    }
    this.memory.updated_at = now;
    return entry;
  }

  private capErrorPatterns(p: ToolPattern): void {
    while (p.error_patterns.length > this.maxPatternsPerTool) {
      let victim = 0;
      p.error_patterns.forEach((e, i) => {
        if (e.count < (p.error_patterns[victim]?.count ?? Infinity)) victim = i;
      });
      p.error_patterns.splice(victim, 1);
    }
  }

  private async detectFix(entry: ToolLogEntry, pattern: ToolPattern): Promise<void> {
    const log = this.memory.tool_log;
    const prior = log.slice(Math.max(0, log.length - 1 - this.window), log.length - 1).reverse();
    for (const p of prior) {
      if (p.tool_name !== entry.tool_name || !entryIsFailure(p) || p.fixed_by !== null) continue;
      const delta = computeArgDelta(p.arguments, entry.arguments);
      if (delta === null) continue;
      p.fixed_by = entry.id;
      entry.fix_for = p.id;
      entry.delta_args = delta;
      const rel: ToolFixRelation = { failed_call_id: p.id, success_call_id: entry.id, delta_args: delta };
      this.memory.fix_relations.push(rel);
      recordFix(pattern, p.error_type ?? DEFAULT_ERROR_TYPE, delta);
      try {
        await this.onFixDetected?.(rel);
      } catch (e) {
        this.logger.warn({ sessionId: this.sessionId, error: e instanceof Error ? e.message : String(e) }, 'onFixDetected callback failed');
      }
      return;
    }
  }

  /** Most recent first. */
  getRecentCalls(opts: { toolName?: string; limit?: number; outcome?: ToolOutcome } = {}): ToolLogEntry[] {
    const filtered = this.memory.tool_log.filter(
      (e) => (opts.toolName === undefined || opts.toolName === '' || e.tool_name === opts.toolName) && (opts.outcome === undefined || e.outcome === opts.outcome),
    );
    return filtered.slice(-(opts.limit ?? DEFAULT_RECENT)).reverse();
  }

  getPattern(toolName: string): ToolPattern | undefined {
    return this.memory.tool_patterns[toolName];
  }

  getAllPatterns(): Record<string, ToolPattern> {
    return { ...this.memory.tool_patterns };
  }

  searchCalls(opts: SearchCallsOptions = {}): ToolLogEntry[] {
    const goal = opts.goalContains?.toLowerCase();
    const out: ToolLogEntry[] = [];
    for (const e of [...this.memory.tool_log].reverse()) {
      if (opts.toolName !== undefined && e.tool_name !== opts.toolName) continue;
      if (goal !== undefined && (e.context_goal === null || !e.context_goal.toLowerCase().includes(goal))) continue;
      if (opts.outcome !== undefined && e.outcome !== opts.outcome) continue;
      if (opts.errorType !== undefined && e.error_type !== opts.errorType) continue;
      if (opts.onlyFixes === true && e.fix_for === null) continue;
      if (opts.onlyFixed === true && e.fixed_by === null) continue;
      out.push(e);
      if (out.length >= (opts.limit ?? DEFAULT_SEARCH_LIMIT)) break;
    }
    return out;
  }

  getFixForError(toolName: string, errorType: string): ArgDelta | null {
    return this.getPattern(toolName)?.error_patterns.find((e) => e.error_type === errorType && e.fix_delta !== null)?.fix_delta ?? null;
  }

  getSuccessfulArgsForGoal(toolName: string, goal: string): Record<string, unknown> | null {
    const g = goal.toLowerCase();
    return this.getPattern(toolName)?.success_patterns.find((s) => s.goal_match?.toLowerCase().includes(g) === true)?.arg_hints ?? null;
  }

  /** Arguments of `toolName` that failed at least `minFailures` times (and not succeeded since): `<avoid>` material. */
  getRepeatedFailures(toolName: string, minFailures = AVOID_MIN_FAILURES): RepeatedFailure[] {
    return repeatedFailures(this.memory.tool_log, toolName, minFailures);
  }

  /** The relation whose failure is `failedId`, if any. */
  getFixRelation(failedId: string): ToolFixRelation | undefined {
    return this.memory.fix_relations.find((r) => r.failed_call_id === failedId);
  }

  getStats(): ToolMemoryStats {
    const log = this.memory.tool_log;
    const success = log.filter(entryIsSuccess).length;
    return {
      session_id: this.sessionId,
      total_calls: log.length,
      success_count: success,
      failure_count: log.filter(entryIsFailure).length,
      success_rate: log.length === 0 ? 0 : success / log.length,
      total_fixes_detected: this.memory.fix_relations.length,
      tools_tracked: Object.keys(this.memory.tool_patterns).length,
      created_at: this.memory.created_at,
      updated_at: this.memory.updated_at,
    };
  }

  async reset(): Promise<void> {
    this.memory.tool_log = [];
    this.memory.tool_patterns = {};
    this.memory.fix_relations = [];
    this.memory.next_call_id = 1;
    this.memory.updated_at = this.clock().toISOString();
  }
}

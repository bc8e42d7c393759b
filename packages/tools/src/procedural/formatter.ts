import { z } from 'zod';
import { renderValue } from '../common/json.js';
import { fmtPercent0 } from '../common/numbers.js';
import { asArgHints, AVOID_MIN_FAILURES } from './hints.js';
import type { ArgHints, RepeatedFailure } from './hints.js';
import type { ToolMemoryManager } from './manager.js';
import { entryIsSuccess, successRate } from './models.js';
import type { ArgDelta, SuccessPattern, ToolLogEntry } from './models.js';

const ABBREV15 = 15;
const DELTA_LIST_MAX = 2;
const ARGS_SHOWN = 3;
const PAST_FIXES = 3;
const HINT_VALUES_SHOWN = 5;
const DEFAULT_SUMMARY_TOOLS = 5;
/** Rough characters per token for the optional token budget. */
const CHARS_PER_TOKEN = 4;

export const FormatterConfigSchema = z
  .object({
    max_recent_calls: z.number().int().min(0).default(3).describe('recent calls per tool'),
    max_error_patterns: z.number().int().min(0).default(3).describe('last N error patterns shown'),
    max_success_patterns: z.number().int().min(0).default(3).describe('last N relevant success patterns shown'),
    include_args: z.boolean().default(false).describe('add an args line per recent call'),
    include_timing: z.boolean().default(false).describe('append [<ms>ms]'),
    show_fix_relations: z.boolean().default(true).describe('annotate fixes and fixed failures'),
    compact: z.boolean().default(false).describe('omit the success-rate line'),
    timing_placement: z.enum(['summary', 'end']).default('summary').describe('summary: after the result; end: reference placement'),
    max_tokens: z.number().int().positive().nullable().default(null).describe('token budget (chars/4); tools that do not fit are dropped'),
    avoid_min_failures: z.number().int().min(0).default(AVOID_MIN_FAILURES).describe('failures of the same arguments before an <avoid> line; 0 = no <avoid> section'),
    max_avoid_notes: z.number().int().min(0).default(3).describe('<avoid> lines per tool'),
  })
  .strict();
export type FormatterConfig = z.infer<typeof FormatterConfigSchema>;

const xml = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
const xmlText = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const abbrev15 = (v: unknown): string => {
  const s = renderValue(v);
  return s.length > ABBREV15 ? `${s.slice(0, ABBREV15 - 2)}..` : s;
};

/** Compact delta: `+k1, k2; -k3; k:a->b` (or `changes`). */
export function formatDelta(delta: ArgDelta | null | undefined): string {
  const parts: string[] = [];
  const added = Object.keys(delta?.added ?? {});
  if (added.length > 0) parts.push(added.length <= DELTA_LIST_MAX ? `+${added.join(', ')}` : `+${added.length} args`);
  const removed = delta?.removed ?? [];
  if (removed.length > 0) parts.push(removed.length <= DELTA_LIST_MAX ? `-${removed.join(', ')}` : `-${removed.length} args`);
  const changed = Object.entries(delta?.changed ?? {});
  if (changed.length > 0) {
    parts.push(changed.length <= DELTA_LIST_MAX ? changed.map(([k, c]) => `${k}:${abbrev15(c.from)}->${abbrev15(c.to)}`).join(', ') : `~${changed.length} args`);
  }
  return parts.length === 0 ? 'changes' : parts.join('; ');
}

export function formatArgs(args: Record<string, unknown>, maxItems = ARGS_SHOWN): string {
  const entries = Object.entries(args);
  const shown = entries.slice(0, maxItems).map(([k, v]) => `${k}=${abbrev15(v)}`).join(', ');
  return entries.length > maxItems ? `${shown}, ...+${entries.length - maxItems}` : shown;
}

/** Automatic hints: `k=v, k2=v2 (always include: k, k2)`. */
export function formatArgHints(hints: ArgHints): string {
  const values = formatArgs(hints.typical_values, HINT_VALUES_SHOWN);
  const always = hints.must_include.length === 0 ? '' : ` (always include: ${hints.must_include.join(', ')})`;
  return `${values === '' ? 'no common args' : values}${always}`;
}

/** One `<avoid>` line: the arguments, how often they failed and with which error types. */
export function formatAvoidNote(f: RepeatedFailure): string {
  const args = Object.keys(f.arguments).length === 0 ? '(no arguments)' : formatArgs(f.arguments);
  return `  - ${args} (failed ${f.failures}x: ${f.error_types.map(xmlText).join(', ')})`;
}

/** No goal → all; else patterns without a goal, whose goal contains it, or that carry a fix. */
export function filterRelevantSuccesses(patterns: readonly SuccessPattern[], goal: string | null | undefined): SuccessPattern[] {
  if (goal == null || goal === '') return [...patterns];
  const g = goal.toLowerCase();
  return patterns.filter((p) => p.goal_match === null || p.goal_match.toLowerCase().includes(g) || p.delta_that_fixed !== null);
}

/** Renders procedural memory for the model ("just-in-time paging" before tools are offered or called). */
export class ProceduralContextFormatter {
  readonly config: FormatterConfig;

  constructor(config: Partial<z.input<typeof FormatterConfigSchema>> = {}) {
    this.config = FormatterConfigSchema.parse(config);
  }

  private callLine(e: ToolLogEntry): string {
    const c = this.config;
    const timing = c.include_timing && e.execution_time_ms !== null ? ` [${e.execution_time_ms}ms]` : '';
    let line = `  [${entryIsSuccess(e) ? '✓' : '✗'}] ${e.result_summary}`;
    if (c.timing_placement === 'summary') line += timing;
    if (c.show_fix_relations) {
      if (e.fix_for !== null && e.delta_args !== null) line += ` (fixed prior by: ${formatDelta(e.delta_args)})`;
      if (e.fixed_by !== null) line += ` (fixed by ${e.fixed_by})`;
    }
    if (c.include_args && Object.keys(e.arguments).length > 0) line += `\n    args: ${formatArgs(e.arguments)}`;
    if (c.timing_placement === 'end') line += timing;
    return line;
  }

  private toolSection(manager: ToolMemoryManager, tool: string, goal: string | null | undefined): string | null {
    const c = this.config;
    const recent = manager.getRecentCalls({ toolName: tool, limit: c.max_recent_calls }).reverse();
    const pattern = manager.getPattern(tool);
    if (recent.length === 0 && pattern === undefined) return null;
    const blocks: string[] = [];
    if (recent.length > 0) blocks.push(['<recent_calls>', ...recent.map((e) => this.callLine(e)), '</recent_calls>'].join('\n'));
    const successes = pattern === undefined ? [] : filterRelevantSuccesses(pattern.success_patterns, goal).slice(-c.max_success_patterns);
    const errors = pattern === undefined ? [] : pattern.error_patterns.slice(-c.max_error_patterns);
    if (pattern !== undefined && (pattern.error_patterns.length > 0 || pattern.success_patterns.length > 0)) {
      const lines = ['<patterns>'];
      if (!c.compact) lines.push(`  success_rate: ${fmtPercent0(successRate(pattern))} (${pattern.total_calls} calls)`);
      if (errors.length > 0) {
        lines.push('  <common_errors>');
        for (const e of errors) lines.push(`    - ${xml(e.error_type)}${e.count > 1 ? ` (x${e.count})` : ''}${e.typical_fix !== null ? ` -> fix: ${e.typical_fix}` : ''}`);
        lines.push('  </common_errors>');
      }
      const hints = successes.map((s) => this.hintLine(s)).filter((l): l is string => l !== null);
      if (hints.length > 0) lines.push('  <success_hints>', ...hints, '  </success_hints>');
      lines.push('</patterns>');
      blocks.push(lines.join('\n'));
    }
    const avoid = c.avoid_min_failures === 0 ? [] : manager.getRepeatedFailures(tool, c.avoid_min_failures).slice(0, c.max_avoid_notes);
    if (avoid.length > 0) blocks.push(['<avoid>', ...avoid.map(formatAvoidNote), '</avoid>'].join('\n'));
    return `<tool_memory name="${xml(tool)}">\n${blocks.join('\n\n')}\n</tool_memory>`;
  }

  private hintLine(s: SuccessPattern): string | null {
    if (s.delta_that_fixed !== null) return `    - Fixed by: ${formatDelta(s.delta_that_fixed)}`;
    if (Object.keys(s.arg_hints).length === 0) return null;
    const auto = asArgHints(s.arg_hints);
    return `    - Typical args: ${auto === null ? JSON.stringify(s.arg_hints) : formatArgHints(auto)}`;
  }

  formatForTools(manager: ToolMemoryManager, toolNames: readonly string[], contextGoal?: string | null): string {
    const sections: string[] = [];
    const budget = this.config.max_tokens === null ? Number.POSITIVE_INFINITY : this.config.max_tokens * CHARS_PER_TOKEN;
    let used = '<procedural_memory>\n</procedural_memory>'.length;
    for (const tool of toolNames) {
      const s = this.toolSection(manager, tool, contextGoal);
      if (s === null) continue;
      if (used + s.length + 2 > budget) break;
      used += s.length + 2;
      sections.push(s);
    }
    return sections.length === 0 ? '' : `<procedural_memory>\n${sections.join('\n\n')}\n</procedural_memory>`;
  }

  formatFullSummary(manager: ToolMemoryManager, maxTools = DEFAULT_SUMMARY_TOOLS): string {
    const stats = manager.getStats();
    const fixes = stats.total_fixes_detected === 1 ? 'fix' : 'fixes';
    const lines = ['<procedural_memory_summary>', `  Total: ${stats.total_calls} calls, ${fmtPercent0(stats.success_rate)} success, ${stats.total_fixes_detected} ${fixes} detected`];
    const patterns = Object.values(manager.getAllPatterns()).sort((a, b) => b.total_calls - a.total_calls || a.tool_name.localeCompare(b.tool_name));
    if (patterns.length > 0) {
      lines.push('', '  Most used tools:');
      for (const p of patterns.slice(0, maxTools)) {
        lines.push(`    - ${p.tool_name}: ${p.total_calls} calls, ${fmtPercent0(successRate(p))} success`);
        const last = p.error_patterns.at(-1);
        if (last !== undefined) lines.push(`      last error: ${last.error_type}`);
      }
    }
    lines.push('</procedural_memory_summary>');
    return lines.join('\n');
  }

  formatErrorGuidance(manager: ToolMemoryManager, toolName: string, errorType: string): string {
    const lines = [`<error_guidance tool="${xml(toolName)}" error="${xml(errorType)}">`];
    const fix = manager.getFixForError(toolName, errorType);
    if (fix !== null) lines.push(`  Previous fix: ${formatDelta(fix)}`);
    const past = manager.searchCalls({ toolName, errorType, onlyFixed: true, limit: PAST_FIXES });
    if (past.length > 0) {
      lines.push('  Past fixes:');
      for (const e of past) {
        lines.push(`    - ${e.id} -> ${e.fixed_by ?? ''}`);
        const rel = manager.getFixRelation(e.id);
        if (rel !== undefined) lines.push(`      changed: ${formatDelta(rel.delta_args)}`);
      }
    }
    if (fix === null && past.length === 0) lines.push('  No previous fixes found for this error type.');
    lines.push('</error_guidance>');
    return lines.join('\n');
  }

  formatSuccessTemplate(manager: ToolMemoryManager, toolName: string, goal: string): string | null {
    const hints = manager.getSuccessfulArgsForGoal(toolName, goal);
    if (hints === null || Object.keys(hints).length === 0) return null;
    const lines = [`<success_template tool="${xml(toolName)}" goal="${xml(goal)}">`, '  Recommended args based on past success:'];
    const auto = asArgHints(hints);
    for (const [k, v] of Object.entries(auto === null ? hints : auto.typical_values)) lines.push(`    ${k}: ${renderValue(v)}`);
    if (auto !== null && auto.must_include.length > 0) lines.push(`  Always include: ${auto.must_include.join(', ')}`);
    lines.push('</success_template>');
    return lines.join('\n');
  }
}

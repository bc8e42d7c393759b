import { fmtModelNumber } from '../common/numbers.js';
import type { BudgetStatus, PerToolCallStatus, ValueBinding } from './models.js';

const MAX_UNUSED_LISTED = 5;

/** Title and first line, then the state block (when non-empty), then the rest. */
export function withState(state: string, lines: readonly string[]): string {
  return [...lines.slice(0, 2), ...(state === '' ? [] : ['', state]), '', ...lines.slice(2)].join('\n');
}

export const DISCOVERY_EXHAUSTED_LINES: readonly string[] = [
  '**Discovery budget exhausted**',
  'No more tool discovery calls are allowed in this prompt.',
  'Proceed with the tool schemas you already know.',
];

export const EXECUTION_EXHAUSTED_LINES: readonly string[] = [
  '**Execution budget exhausted**',
  'No more tool executions are allowed in this prompt.',
  'Give the final answer using the computed values.',
];

export const BUDGET_EXHAUSTED_LINES: readonly string[] = [
  '**Tool budget exhausted**',
  'The tool-call budget for this prompt is used up.',
  'Give the final answer using the computed values.',
];

export function saturationLines(lastValue: number): string[] {
  return [
    `**Numeric saturation detected.** Last value: ${fmtModelNumber(lastValue)}`,
    'The values have converged or reached the limits of numeric precision.',
    'Give the final answer using the computed values.',
  ];
}

/** Lists the first unused bindings; empty when every binding was used. */
export function unusedWarning(unused: readonly ValueBinding[]): string {
  if (unused.length === 0) return '';
  const ids = unused.slice(0, MAX_UNUSED_LISTED).map((b) => `$${b.id}`);
  const more = unused.length > MAX_UNUSED_LISTED ? ` (+${unused.length - MAX_UNUSED_LISTED} more)` : '';
  return `Unused tool results: ${ids.join(', ')}${more}. Consider using these values.`;
}

export function toolLimitWarning(tool: string, s: PerToolCallStatus): string {
  return `\`${tool}\` has been called ${s.call_count} times (limit: ${s.max_calls}). Use the cached or computed values instead of calling it again.`;
}

export function budgetStatusLine({ discovery: d, execution: e }: BudgetStatus): string {
  return `Discovery: ${d.used}/${d.limit} | Execution: ${e.used}/${e.limit}`;
}

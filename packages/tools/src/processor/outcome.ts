import { ToolErrorCategory, ToolOutcome } from '@chuk/models';
import type { ToolResult } from '../execution/call.js';
import type { RecordCallInput } from '../procedural/models.js';

/** success / timeout / cancelled / partial / failure (guard blocks and parse errors are failures). */
export function outcomeOf(r: ToolResult): ToolOutcome {
  if (r.is_partial) return ToolOutcome.Partial;
  if (r.error === null) return ToolOutcome.Success;
  if (r.error_info?.category === ToolErrorCategory.Timeout) return ToolOutcome.Timeout;
  if (r.error_info?.category === ToolErrorCategory.Cancelled) return ToolOutcome.Cancelled;
  return ToolOutcome.Failure;
}

/** Procedural `error_type`: `guard:<name>` for guard blocks, else the error category. */
export function errorTypeOf(r: ToolResult): string | null {
  if (r.error === null) return null;
  const guard = r.error_info?.details.guard;
  if (typeof guard === 'string') return `guard:${guard}`;
  return r.error_info?.category ?? 'unknown';
}

/** What procedural memory needs of a recorder (implemented by `ToolMemoryManager`). */
export interface ToolCallRecorder {
  recordCall(input: RecordCallInput): Promise<{ id: string; fix_for?: string | null; delta_args?: unknown }>;
}

import { renderValue } from '../common/json.js';
import type { ToolCall, ToolResult } from '../execution/call.js';
import { ToolCallFormat } from './format.js';

export interface RenderOptions {
  /** Text of a successful result (default: strings as is, everything else JSON). */
  stringify?: (r: ToolResult) => string;
}

const defaultStringify = (r: ToolResult): string => (r.result === null ? 'null' : renderValue(r.result));

/** What the model sees for a result: the stringified value, or `Error: <message>`. */
export function resultText(r: ToolResult, stringify: (r: ToolResult) => string = defaultStringify): string {
  return r.error === null ? stringify(r) : `Error: ${r.error}`;
}

const xmlEscape = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** Provider-shaped tool-result messages, one answer per call id, in call order. */
export function toToolResultMessages(format: ToolCallFormat, calls: readonly ToolCall[], results: readonly ToolResult[], opts: RenderOptions = {}): unknown[] {
  const stringify = opts.stringify ?? defaultStringify;
  const byCall = new Map(results.map((r) => [r.call_id, r]));
  const pairs = calls.map((call, i) => ({ call, result: byCall.get(call.id) ?? results[i] }));
  const text = (r: ToolResult | undefined): string => (r === undefined ? 'Error: no result' : resultText(r, stringify));
  const failed = (r: ToolResult | undefined): boolean => r === undefined || r.error !== null;
  switch (format) {
    case ToolCallFormat.OpenAiChat:
      return pairs.map(({ call, result }) => ({ role: 'tool', tool_call_id: call.id, content: text(result) }));
    case ToolCallFormat.OpenAiFunctionCall:
      return pairs.map(({ call, result }) => ({ role: 'function', name: call.tool, content: text(result) }));
    case ToolCallFormat.OpenAiResponses:
      return pairs.map(({ call, result }) => ({ type: 'function_call_output', call_id: call.id, output: text(result) }));
    case ToolCallFormat.Anthropic:
      return pairs.length === 0
        ? []
        : [
            {
              role: 'user',
              content: pairs.map(({ call, result }) => ({
                type: 'tool_result',
                tool_use_id: call.id,
                content: text(result),
                ...(failed(result) ? { is_error: true } : {}),
              })),
            },
          ];
    case ToolCallFormat.AiSdk:
      return pairs.length === 0
        ? []
        : [
            {
              role: 'tool',
              content: pairs.map(({ call, result }) => ({
                type: 'tool-result',
                toolCallId: call.id,
                toolName: call.tool,
                output: failed(result)
                  ? { type: 'error-text', value: text(result) }
                  : typeof result?.result === 'string'
                    ? { type: 'text', value: result.result }
                    : { type: 'json', value: result?.result ?? null },
              })),
            },
          ];
    default:
      return pairs.length === 0
        ? []
        : [{ role: 'user', content: pairs.map(({ call, result }) => `<tool_result name="${xmlEscape(call.tool)}">${text(result)}</tool_result>`).join('\n') }];
  }
}

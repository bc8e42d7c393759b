import { defaultIdGenerator } from '../common/defaults.js';
import { canonicalJson, isPlainObject } from '../common/json.js';
import { DEFAULT_NAMESPACE } from '../execution/call.js';
import type { ToolCall } from '../execution/call.js';
import { ToolCallFormat } from './format.js';

/** Name given to calls that arrived without one (so every provider call id still gets an answer). */
export const MISSING_TOOL_NAME = '<missing>';

export interface ParseOptions {
  format?: ToolCallFormat | 'auto';
  /** `error` (default): parse failures leave `{}` and a `parse_error`; `raw`: `{raw: text}` like the reference. */
  invalidArguments?: 'error' | 'raw';
  /** De-duplicate identical calls from text formats (default true). */
  dedupeText?: boolean;
  idGenerator?: () => string;
}

export interface ParsedToolCalls {
  format: ToolCallFormat | null;
  calls: ToolCall[];
  assistantText: string | null;
  errors: string[];
}

type Obj = Record<string, unknown>;

interface Ctx {
  invalid: 'error' | 'raw';
  id: () => string;
  errors: string[];
}

const arr = (v: unknown): unknown[] | null => (Array.isArray(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function normaliseArgs(value: unknown, ctx: Ctx): Pick<ToolCall, 'arguments' | 'raw_arguments' | 'parse_error'> {
  if (value === undefined || value === null) return { arguments: {}, raw_arguments: null, parse_error: null };
  if (isPlainObject(value)) return { arguments: value, raw_arguments: null, parse_error: null };
  if (typeof value !== 'string') return failArgs(canonicalJson(value), 'arguments must be a JSON object', ctx);
  const text = value.trim();
  if (text === '') return { arguments: {}, raw_arguments: value, parse_error: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return failArgs(value, `arguments are not valid JSON: ${e instanceof Error ? e.message : 'parse error'}`, ctx);
  }
  if (!isPlainObject(parsed)) return failArgs(value, 'arguments must be a JSON object', ctx);
  return { arguments: parsed, raw_arguments: value, parse_error: null };
}

function failArgs(raw: string, message: string, ctx: Ctx): Pick<ToolCall, 'arguments' | 'raw_arguments' | 'parse_error'> {
  if (ctx.invalid === 'raw') return { arguments: { raw }, raw_arguments: raw, parse_error: null };
  ctx.errors.push(message);
  return { arguments: {}, raw_arguments: raw, parse_error: message };
}

function makeCall(format: ToolCallFormat, id: string | null, name: unknown, args: unknown, ctx: Ctx): ToolCall {
  const n = str(name);
  const normalised = normaliseArgs(args, ctx);
  const missing = n === null || n.trim() === '';
  if (missing) ctx.errors.push('tool call without a name');
  return {
    id: id !== null && id !== '' ? id : ctx.id(),
    tool: missing ? MISSING_TOOL_NAME : n,
    namespace: DEFAULT_NAMESPACE,
    ...normalised,
    parse_error: missing ? 'tool call has no name' : normalised.parse_error,
    format,
  };
}

const isOpenAiChat = (o: Obj): boolean => (arr(o.tool_calls) ?? []).some((c) => isPlainObject(c) && 'function' in c);
const isCtpJsonItem = (c: unknown): boolean => isPlainObject(c) && !('function' in c) && ('tool' in c || 'name' in c) && !('type' in c);
const isAnthropicBlock = (b: unknown): boolean => isPlainObject(b) && b.type === 'tool_use';
const isAiSdkPart = (p: unknown): boolean => isPlainObject(p) && p.type === 'tool-call';
const isResponsesItem = (i: unknown): boolean => isPlainObject(i) && i.type === 'function_call';

/** Which provider shape a message (or completion, or content array) has; `null` when it carries no tool calls. */
export function detectToolCallFormat(input: unknown): ToolCallFormat | null {
  const v = unwrap(input);
  if (typeof v === 'string') return detectText(v);
  if (Array.isArray(v)) {
    if (v.some(isAnthropicBlock)) return ToolCallFormat.Anthropic;
    if (v.some(isAiSdkPart)) return ToolCallFormat.AiSdk;
    if (v.some(isResponsesItem)) return ToolCallFormat.OpenAiResponses;
    if (v.length > 0 && v.every(isCtpJsonItem)) return ToolCallFormat.CtpJson;
    return null;
  }
  if (!isPlainObject(v)) return null;
  if (isOpenAiChat(v)) return ToolCallFormat.OpenAiChat;
  const tc = arr(v.tool_calls);
  if (tc !== null && tc.length > 0 && tc.every(isCtpJsonItem)) return ToolCallFormat.CtpJson;
  if (isPlainObject(v.function_call)) return ToolCallFormat.OpenAiFunctionCall;
  if ((arr(v.content) ?? []).some(isAnthropicBlock)) return ToolCallFormat.Anthropic;
  if (arr(v.toolCalls) !== null || (arr(v.content) ?? []).some(isAiSdkPart)) return ToolCallFormat.AiSdk;
  if ((arr(v.output) ?? []).some(isResponsesItem)) return ToolCallFormat.OpenAiResponses;
  if (typeof v.content === 'string') return detectText(v.content);
  return null;
}

function detectText(text: string): ToolCallFormat | null {
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      const inner = detectToolCallFormat(JSON.parse(t));
      if (inner !== null) return inner;
    } catch {
      // not JSON: fall through to the tag and embedded-object scans
    }
  }
  if (XML_TAG_ONE.test(text)) return ToolCallFormat.CtpXml;
  if (embeddedFunctionCalls(text).length > 0) return ToolCallFormat.OpenAiFunctionCall;
  return null;
}

function unwrap(input: unknown): unknown {
  if (isPlainObject(input)) {
    const choice = arr(input.choices)?.[0];
    if (isPlainObject(choice) && isPlainObject(choice.message)) return choice.message;
  }
  return input;
}

const XML_TAG_SOURCE = String.raw`<tool\s+name\s*=\s*"([^"]*)"\s+args\s*=\s*"((?:[^"\\]|\\.)*)"\s*\/?>`;
const XML_TAG = new RegExp(XML_TAG_SOURCE, 'g');
const XML_TAG_ONE = new RegExp(XML_TAG_SOURCE);

function decodeXmlArgs(raw: string): unknown {
  const attempts = [raw, raw.replace(/\\(.)/g, '$1'), raw.replaceAll('\\"', '"'), raw.replaceAll('&quot;', '"')];
  for (const a of attempts) {
    try {
      const v: unknown = JSON.parse(a);
      if (isPlainObject(v)) return v;
    } catch {
      // try the next decoding
    }
  }
  return {};
}

function embeddedFunctionCalls(text: string): Obj[] {
  const out: Obj[] = [];
  let i = text.indexOf('{');
  while (i >= 0) {
    let next = i + 1;
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      if (text[j] === '{') depth++;
      else if (text[j] === '}' && --depth === 0) {
        try {
          const v: unknown = JSON.parse(text.slice(i, j + 1));
          if (isPlainObject(v) && isPlainObject(v.function_call)) out.push(v.function_call);
          else if (isPlainObject(v) && typeof v.name === 'string' && 'arguments' in v) out.push(v);
          next = j + 1;
        } catch {
          // not a JSON object: keep scanning from the next brace
        }
        break;
      }
    }
    i = text.indexOf('{', next);
  }
  return out;
}

function textOf(content: unknown): string | null {
  if (typeof content === 'string') return content === '' ? null : content;
  const parts = arr(content);
  if (parts === null) return null;
  const texts = parts.filter((p): p is Obj => isPlainObject(p) && (p.type === 'text' || p.type === 'output_text') && typeof p.text === 'string');
  return texts.length === 0 ? null : texts.map((p) => String(p.text)).join('');
}

function dedupe(calls: ToolCall[]): ToolCall[] {
  const byKey = new Map<string, ToolCall>();
  for (const c of calls) {
    const key = `${c.tool}:${canonicalJson(c.arguments)}`;
    if (byKey.has(key)) byKey.delete(key);
    byKey.set(key, c);
  }
  return [...byKey.values()];
}

function parseAs(format: ToolCallFormat, v: unknown, ctx: Ctx, dedupeText: boolean): { calls: ToolCall[]; text: string | null } {
  const o = isPlainObject(v) ? v : {};
  switch (format) {
    case ToolCallFormat.OpenAiChat:
      return {
        calls: (arr(o.tool_calls) ?? [])
          .filter(isPlainObject)
          .map((c) => {
            const fn = isPlainObject(c.function) ? c.function : {};
            return makeCall(format, str(c.id), fn.name, fn.arguments, ctx);
          }),
        text: textOf(o.content),
      };
    case ToolCallFormat.OpenAiFunctionCall: {
      if (typeof v === 'string' || typeof o.content === 'string' && !isPlainObject(o.function_call)) {
        const text = typeof v === 'string' ? v : String(o.content);
        const found = embeddedFunctionCalls(text).map((f) => makeCall(format, null, f.name, f.arguments, ctx));
        return { calls: dedupeText ? dedupe(found) : found, text };
      }
      const fc = isPlainObject(o.function_call) ? o.function_call : {};
      return { calls: [makeCall(format, null, fc.name, fc.arguments, ctx)], text: textOf(o.content) };
    }
    case ToolCallFormat.OpenAiResponses: {
      const items = Array.isArray(v) ? v : (arr(o.output) ?? []);
      const calls = items.filter(isResponsesItem).map((i) => {
        const it = i as Obj;
        return makeCall(format, str(it.call_id) ?? str(it.id), it.name, it.arguments, ctx);
      });
      const messages = items.filter((i): i is Obj => isPlainObject(i) && i.type === 'message').map((m) => textOf(m.content));
      const text = messages.filter((t): t is string => t !== null).join('');
      return { calls, text: text === '' ? null : text };
    }
    case ToolCallFormat.Anthropic: {
      const blocks = Array.isArray(v) ? v : (arr(o.content) ?? []);
      const calls = blocks.filter(isAnthropicBlock).map((b) => {
        const blk = b as Obj;
        return makeCall(format, str(blk.id), blk.name, blk.input, ctx);
      });
      return { calls, text: textOf(blocks) };
    }
    case ToolCallFormat.AiSdk: {
      const parts = Array.isArray(v) ? v.filter(isAiSdkPart) : [...(arr(o.toolCalls) ?? []), ...(arr(o.content) ?? []).filter(isAiSdkPart)];
      const calls = parts.filter(isPlainObject).map((p) => makeCall(format, str(p.toolCallId), p.toolName, 'input' in p ? p.input : p.args, ctx));
      return { calls, text: typeof o.text === 'string' ? o.text : textOf(Array.isArray(v) ? v : o.content) };
    }
    case ToolCallFormat.CtpJson: {
      const items = Array.isArray(v) ? v : (arr(o.tool_calls) ?? []);
      const calls = items.filter(isPlainObject).map((c) => makeCall(format, str(c.id), c.tool ?? c.name, c.arguments, ctx));
      return { calls: dedupeText ? dedupe(calls) : calls, text: textOf(o.content) };
    }
    default: {
      const text = typeof v === 'string' ? v : typeof o.content === 'string' ? o.content : '';
      const calls = [...text.matchAll(XML_TAG)].map((m) => makeCall(format, null, m[1], decodeXmlArgs(m[2] ?? ''), ctx));
      return { calls: dedupeText ? dedupe(calls) : calls, text };
    }
  }
}

/** Parse the tool calls of an LLM message in any supported provider shape (typed data, no SDK dependency). */
export function parseToolCalls(input: unknown, opts: ParseOptions = {}): ParsedToolCalls {
  const ctx: Ctx = { invalid: opts.invalidArguments ?? 'error', id: opts.idGenerator ?? defaultIdGenerator, errors: [] };
  let v = unwrap(input);
  const format = opts.format === undefined || opts.format === 'auto' ? detectToolCallFormat(v) : opts.format;
  if (format === null) {
    const text = isPlainObject(v) ? textOf(v.content) : typeof v === 'string' ? v : null;
    return { format: null, calls: [], assistantText: text, errors: [] };
  }
  if (isPlainObject(v) && typeof v.content === 'string' && !['tool_calls', 'function_call', 'toolCalls', 'output'].some((k) => isPlainObject(v) && k in v)) {
    v = v.content;
  }
  if (typeof v === 'string' && format !== ToolCallFormat.CtpXml && format !== ToolCallFormat.OpenAiFunctionCall) {
    try {
      v = JSON.parse(v.trim());
    } catch {
      ctx.errors.push(`content is not valid JSON for format ${format}`);
      return { format, calls: [], assistantText: null, errors: ctx.errors };
    }
  }
  const { calls, text } = parseAs(format, v, ctx, opts.dedupeText ?? true);
  return { format: calls.length > 0 ? format : null, calls, assistantText: text, errors: ctx.errors };
}

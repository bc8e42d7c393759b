import { defaultIdGenerator } from '../common/defaults.js';
import { isPlainObject } from '../common/json.js';
import { ToolCallFormat } from './format.js';
import { parseToolCalls } from './parse.js';
import type { ParsedToolCalls, ParseOptions } from './parse.js';

interface Partial {
  id: string | null;
  name: string | null;
  args: string;
}

type Obj = Record<string, unknown>;

const keyOf = (v: unknown): string => (typeof v === 'number' || typeof v === 'string' ? String(v) : '0');

/**
 * Merges streamed tool-call fragments: OpenAI chat `choices[0].delta.tool_calls` (by `index`), Anthropic
 * `content_block_start` / `input_json_delta` events (by block index) and AI SDK `tool-input-*` parts (by id).
 */
export class ToolCallAccumulator {
  private readonly parts = new Map<string, Partial>();
  private text = '';
  private format: ToolCallFormat | null = null;

  constructor(private readonly opts: Omit<ParseOptions, 'format'> = {}) {}

  private slot(key: string): Partial {
    let p = this.parts.get(key);
    if (p === undefined) {
      p = { id: null, name: null, args: '' };
      this.parts.set(key, p);
    }
    return p;
  }

  /** Feed one stream chunk / event / part; unknown shapes are ignored. */
  push(chunk: unknown): void {
    if (!isPlainObject(chunk)) return;
    const choice = Array.isArray(chunk.choices) ? (chunk.choices[0] as unknown) : undefined;
    if (isPlainObject(choice) && isPlainObject(choice.delta)) {
      this.pushOpenAi(choice.delta);
      return;
    }
    if (typeof chunk.type === 'string') this.pushEvent(chunk as Obj & { type: string });
  }

  private pushOpenAi(delta: Obj): void {
    if (typeof delta.content === 'string') this.text += delta.content;
    if (!Array.isArray(delta.tool_calls)) return;
    this.format = ToolCallFormat.OpenAiChat;
    for (const tc of delta.tool_calls) {
      if (!isPlainObject(tc)) continue;
      const p = this.slot(keyOf(tc.index));
      if (typeof tc.id === 'string' && p.id === null) p.id = tc.id;
      const fn = isPlainObject(tc.function) ? tc.function : {};
      if (typeof fn.name === 'string' && p.name === null) p.name = fn.name;
      if (typeof fn.arguments === 'string') p.args += fn.arguments;
    }
  }

  private pushEvent(e: Obj & { type: string }): void {
    switch (e.type) {
      case 'content_block_start': {
        const block = isPlainObject(e.content_block) ? e.content_block : {};
        if (block.type !== 'tool_use') return;
        this.format = ToolCallFormat.Anthropic;
        const p = this.slot(keyOf(e.index));
        p.id = typeof block.id === 'string' ? block.id : null;
        p.name = typeof block.name === 'string' ? block.name : null;
        return;
      }
      case 'content_block_delta': {
        const d = isPlainObject(e.delta) ? e.delta : {};
        if (d.type === 'input_json_delta' && typeof d.partial_json === 'string') this.slot(keyOf(e.index)).args += d.partial_json;
        else if (d.type === 'text_delta' && typeof d.text === 'string') this.text += d.text;
        return;
      }
      case 'tool-input-start': {
        this.format = ToolCallFormat.AiSdk;
        const p = this.slot(keyOf(e.id));
        p.id = keyOf(e.id);
        p.name = typeof e.toolName === 'string' ? e.toolName : null;
        return;
      }
      case 'tool-input-delta':
        if (typeof e.delta === 'string') this.slot(keyOf(e.id)).args += e.delta;
        return;
      case 'text-delta':
        if (typeof e.delta === 'string') this.text += e.delta;
        else if (typeof e.text === 'string') this.text += e.text;
        return;
      default:
        return;
    }
  }

  /** The calls collected so far, parsed as one message of the detected format. */
  finish(): ParsedToolCalls {
    const id = this.opts.idGenerator ?? defaultIdGenerator;
    const entries = [...this.parts.values()].map((p) => ({ id: p.id ?? id(), name: p.name, args: p.args }));
    const text = this.text === '' ? null : this.text;
    let message: unknown;
    switch (this.format) {
      case ToolCallFormat.Anthropic:
        message = { content: entries.map((e) => ({ type: 'tool_use', id: e.id, name: e.name, input: e.args.trim() === '' ? {} : e.args })) };
        break;
      case ToolCallFormat.AiSdk:
        message = { toolCalls: entries.map((e) => ({ type: 'tool-call', toolCallId: e.id, toolName: e.name, input: e.args })) };
        break;
      default:
        message = { content: text, tool_calls: entries.map((e) => ({ id: e.id, type: 'function', function: { name: e.name, arguments: e.args } })) };
    }
    const parsed = parseToolCalls(message, { ...this.opts, ...(this.format !== null ? { format: this.format } : {}) });
    return { ...parsed, assistantText: text };
  }
}

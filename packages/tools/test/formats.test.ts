import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { detectToolCallFormat, MISSING_TOOL_NAME, parseToolCalls } from '../src/formats/parse.js';
import { resultText, toToolResultMessages } from '../src/formats/render.js';
import { ToolCallAccumulator } from '../src/formats/accumulator.js';
import { exportedToolName, toolDefinitionsForAiSdk, toolDefinitionsForAnthropic, toolDefinitionsForOpenAi, toolDefinitionsForOpenAiResponses } from '../src/formats/definitions.js';
import { createErrorResult, createSuccessResult } from '../src/execution/call.js';
import { ToolRegistry } from '../src/execution/registry.js';

let n = 0;
const idGenerator = (): string => `gen${++n}`;

describe('parseToolCalls', () => {
  it('OpenAI chat: ids, names, JSON text and object arguments; completion unwrapping', () => {
    const msg = {
      role: 'assistant',
      content: 'thinking',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'add', arguments: '{"a":1,"b":2}' } },
        { id: 'call_2', type: 'function', function: { name: 'mul', arguments: { a: 3 } } },
        { id: 'call_3', type: 'function', function: { name: 'noargs', arguments: '  ' } },
      ],
    };
    const p = parseToolCalls({ choices: [{ message: msg }] }, { idGenerator });
    expect(p.format).toBe('openai_chat');
    expect(p.assistantText).toBe('thinking');
    expect(p.calls.map((c) => [c.id, c.tool, c.arguments, c.raw_arguments])).toEqual([
      ['call_1', 'add', { a: 1, b: 2 }, '{"a":1,"b":2}'],
      ['call_2', 'mul', { a: 3 }, null],
      ['call_3', 'noargs', {}, '  '],
    ]);
    expect(detectToolCallFormat(msg)).toBe('openai_chat');
  });
  it('[FIX] invalid and non-object JSON arguments: parse_error (error mode) or {raw} (raw mode); missing name kept', () => {
    const msg = { tool_calls: [
      { id: 'a', function: { name: 't', arguments: '{bad' } },
      { id: 'b', function: { name: 't', arguments: '[1,2]' } },
      { id: 'c', function: { arguments: '{}' } },
      { id: 'd', function: { name: 't', arguments: 5 } },
    ] };
    const p = parseToolCalls(msg);
    expect(p.calls[0]).toMatchObject({ arguments: {}, raw_arguments: '{bad' });
    expect(p.calls[0]?.parse_error).toMatch(/^arguments are not valid JSON/);
    expect(p.calls[1]?.parse_error).toBe('arguments must be a JSON object');
    expect(p.calls[2]).toMatchObject({ id: 'c', tool: MISSING_TOOL_NAME, parse_error: 'tool call has no name' });
    expect(p.calls[3]?.parse_error).toBe('arguments must be a JSON object');
    expect(p.errors.length).toBeGreaterThanOrEqual(4);
    const raw = parseToolCalls(msg, { invalidArguments: 'raw' });
    expect(raw.calls[0]).toMatchObject({ arguments: { raw: '{bad' }, parse_error: null });
  });
  it('legacy function_call, embedded function_call in text', () => {
    const p = parseToolCalls({ role: 'assistant', content: null, function_call: { name: 'f', arguments: '{"x":1}' } }, { idGenerator });
    expect(p.format).toBe('openai_function_call');
    expect(p.calls[0]).toMatchObject({ tool: 'f', arguments: { x: 1 } });
    const text = 'I will call {"function_call": {"name": "g", "arguments": "{\\"y\\":2}"}} and {"name": "g", "arguments": {"y": 2}} now';
    const t = parseToolCalls(text, { idGenerator });
    expect(t.format).toBe('openai_function_call');
    expect(t.calls).toHaveLength(1);
    expect(t.calls[0]).toMatchObject({ tool: 'g', arguments: { y: 2 } });
    expect(parseToolCalls(text, { dedupeText: false }).calls).toHaveLength(2);
  });
  it('OpenAI Responses: call_id (not the item id), assistant text from message items', () => {
    const resp = { output: [
      { type: 'message', content: [{ type: 'output_text', text: 'hi' }] },
      { type: 'function_call', id: 'fc_1', call_id: 'call_9', name: 'w', arguments: '{"city":"Paris"}' },
    ] };
    const p = parseToolCalls(resp);
    expect(p.format).toBe('openai_responses');
    expect(p.calls[0]).toMatchObject({ id: 'call_9', tool: 'w', arguments: { city: 'Paris' } });
    expect(p.assistantText).toBe('hi');
    expect(parseToolCalls(resp.output).calls).toHaveLength(1);
    expect(parseToolCalls([{ type: 'function_call', id: 'fc_2', name: 'x', arguments: '' }]).calls[0]?.id).toBe('fc_2');
  });
  it('Anthropic Messages: tool_use blocks with object input', () => {
    const msg = { role: 'assistant', content: [{ type: 'text', text: 'ok' }, { type: 'tool_use', id: 'toolu_1', name: 'search', input: { q: 'x' } }] };
    const p = parseToolCalls(msg);
    expect(p).toMatchObject({ format: 'anthropic', assistantText: 'ok' });
    expect(p.calls[0]).toMatchObject({ id: 'toolu_1', tool: 'search', arguments: { q: 'x' } });
    expect(parseToolCalls(msg.content).calls).toHaveLength(1);
  });
  it('Vercel AI SDK: toolCalls (v5 input, v4 args) and content parts', () => {
    const p = parseToolCalls({ text: 'sure', toolCalls: [{ type: 'tool-call', toolCallId: 'tc1', toolName: 'a', input: { x: 1 } }, { toolCallId: 'tc2', toolName: 'b', args: '{"y":2}' }] });
    expect(p).toMatchObject({ format: 'ai_sdk', assistantText: 'sure' });
    expect(p.calls.map((c) => [c.id, c.tool, c.arguments])).toEqual([['tc1', 'a', { x: 1 }], ['tc2', 'b', { y: 2 }]]);
    const parts = [{ type: 'text', text: 't' }, { type: 'tool-call', toolCallId: 'tc3', toolName: 'c', input: {} }];
    expect(parseToolCalls({ role: 'assistant', content: parts }).calls[0]?.id).toBe('tc3');
    expect(parseToolCalls(parts).format).toBe('ai_sdk');
  });
  it('CTP JSON and XML text forms, with de-duplication', () => {
    const json = parseToolCalls({ tool_calls: [{ tool: 'a', arguments: { x: 1 } }, { name: 'a', arguments: '{"x":1}' }, { tool: 'b' }] }, { idGenerator });
    expect(json.format).toBe('ctp_json');
    expect(json.calls.map((c) => c.tool)).toEqual(['a', 'b']);
    expect(parseToolCalls([{ tool: 'x', arguments: {} }]).format).toBe('ctp_json');
    expect(parseToolCalls(JSON.stringify({ tool_calls: [{ tool: 'a', arguments: {} }] })).format).toBe('ctp_json');
    const xml = '<tool name="f" args="{\\"a\\": 1}"/> text <tool name="g" args="{}"/> <tool name="h" args="&quot;bad"/>';
    const x = parseToolCalls(xml, { idGenerator });
    expect(x.format).toBe('ctp_xml');
    expect(x.calls.map((c) => [c.tool, c.arguments])).toEqual([['f', { a: 1 }], ['g', {}], ['h', {}]]);
    expect(parseToolCalls({ role: 'assistant', content: xml }).format).toBe('ctp_xml');
    expect(parseToolCalls({ content: JSON.stringify({ tool_calls: [{ id: 'z', function: { name: 'q', arguments: '{}' } }] }) }).calls[0]?.id).toBe('z');
  });
  it('no tool calls, forced formats and invalid JSON text', () => {
    expect(parseToolCalls({ role: 'assistant', content: 'just text' })).toEqual({ format: null, calls: [], assistantText: 'just text', errors: [] });
    expect(parseToolCalls('plain')).toMatchObject({ format: null, assistantText: 'plain' });
    expect(parseToolCalls(42)).toMatchObject({ format: null, assistantText: null });
    expect(parseToolCalls('{not json', { format: 'openai_chat' }).errors[0]).toContain('not valid JSON');
    expect(parseToolCalls([]).format).toBeNull();
    expect(parseToolCalls({ tool_calls: [] }).format).toBeNull();
    expect(detectToolCallFormat('{"a":1}')).toBeNull();
    expect(detectToolCallFormat(null)).toBeNull();
  });
});

describe('ToolCallAccumulator', () => {
  it('OpenAI deltas merged by index', () => {
    const acc = new ToolCallAccumulator({ idGenerator });
    const chunk = (delta: unknown) => ({ choices: [{ delta }] });
    acc.push(chunk({ content: 'Let me ' }));
    acc.push(chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'add', arguments: '{"a":' } }] }));
    acc.push(chunk({ tool_calls: [{ index: 1, id: 'call_b', function: { name: 'mul', arguments: '' } }] }));
    acc.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }, 'junk'] }));
    acc.push(chunk({ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }));
    acc.push('ignored');
    acc.push({ other: true });
    const r = acc.finish();
    expect(r.format).toBe('openai_chat');
    expect(r.assistantText).toBe('Let me ');
    expect(r.calls.map((c) => [c.id, c.tool, c.arguments])).toEqual([['call_a', 'add', { a: 1 }], ['call_b', 'mul', {}]]);
  });
  it('Anthropic events and AI SDK parts', () => {
    const a = new ToolCallAccumulator();
    a.push({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    a.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } });
    a.push({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 's', input: {} } });
    a.push({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"q":' } });
    a.push({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"x"}' } });
    a.push({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_2', name: 'e' } });
    a.push({ type: 'message_stop' });
    const r = a.finish();
    expect(r).toMatchObject({ format: 'anthropic', assistantText: 'hi' });
    expect(r.calls.map((c) => [c.id, c.arguments])).toEqual([['toolu_1', { q: 'x' }], ['toolu_2', {}]]);
    const s = new ToolCallAccumulator();
    s.push({ type: 'text-delta', delta: 'a' });
    s.push({ type: 'text-delta', text: 'b' });
    s.push({ type: 'tool-input-start', id: 'tc1', toolName: 'w' });
    s.push({ type: 'tool-input-delta', id: 'tc1', delta: '{"c":3}' });
    const sr = s.finish();
    expect(sr).toMatchObject({ format: 'ai_sdk', assistantText: 'ab' });
    expect(sr.calls[0]).toMatchObject({ id: 'tc1', tool: 'w', arguments: { c: 3 } });
    expect(new ToolCallAccumulator().finish()).toMatchObject({ format: null, calls: [] });
  });
});

describe('toToolResultMessages', () => {
  const t = (i: number) => ({ id: `r${i}`, callId: `c${i}`, start: new Date(0), end: new Date(0) });
  const calls = [
    { id: 'c1', tool: 'a', namespace: 'default', arguments: {}, raw_arguments: null, parse_error: null },
    { id: 'c2', tool: 'b', namespace: 'default', arguments: {}, raw_arguments: null, parse_error: null },
  ];
  const results = [createErrorResult('b', 'boom', t(2)), createSuccessResult('a', { v: 1 }, t(1))];
  it('every provider, ids preserved, errors as "Error: …"', () => {
    expect(toToolResultMessages('openai_chat', calls, results)).toEqual([
      { role: 'tool', tool_call_id: 'c1', content: '{"v":1}' },
      { role: 'tool', tool_call_id: 'c2', content: 'Error: boom' },
    ]);
    expect(toToolResultMessages('openai_function_call', calls, results)[0]).toEqual({ role: 'function', name: 'a', content: '{"v":1}' });
    expect(toToolResultMessages('openai_responses', calls, results)[1]).toEqual({ type: 'function_call_output', call_id: 'c2', output: 'Error: boom' });
    expect(toToolResultMessages('anthropic', calls, results)).toEqual([
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: 'c1', content: '{"v":1}' },
        { type: 'tool_result', tool_use_id: 'c2', content: 'Error: boom', is_error: true },
      ] },
    ]);
    const sdk = toToolResultMessages('ai_sdk', calls, [...results, createSuccessResult('x', 'text', t(3))]) as Array<{ content: Array<{ output: unknown }> }>;
    expect(sdk[0]?.content.map((p) => p.output)).toEqual([{ type: 'json', value: { v: 1 } }, { type: 'error-text', value: 'Error: boom' }]);
    const textCall = [{ ...calls[0]!, id: 'c3' }];
    expect((toToolResultMessages('ai_sdk', textCall, [createSuccessResult('x', 'text', t(3))]) as Array<{ content: Array<{ output: unknown }> }>)[0]?.content[0]?.output).toEqual({ type: 'text', value: 'text' });
    expect(toToolResultMessages('ctp_xml', calls, results)).toEqual([{ role: 'user', content: '<tool_result name="a">{"v":1}</tool_result>\n<tool_result name="b">Error: boom</tool_result>' }]);
    for (const f of ['anthropic', 'ai_sdk', 'ctp_json'] as const) expect(toToolResultMessages(f, [], [])).toEqual([]);
    expect(toToolResultMessages('openai_chat', [{ ...calls[0]!, id: 'zz' }], [])).toEqual([{ role: 'tool', tool_call_id: 'zz', content: 'Error: no result' }]);
    expect(toToolResultMessages('openai_chat', calls, results, { stringify: () => 'S' })[0]).toMatchObject({ content: 'S' });
    expect(resultText(createSuccessResult('a', null, t(1)))).toBe('null');
    expect(resultText(createSuccessResult('a', 'plain', t(1)))).toBe('plain');
  });
});

describe('tool definition export', () => {
  it('OpenAI chat / Responses / Anthropic / AI SDK, namespaced names as ns__name and resolved back', () => {
    const r = new ToolRegistry();
    r.register({ name: 'calc', description: 'Calculator', inputSchema: z.object({ a: z.number() }), execute: () => 1 });
    r.register({ name: 'look', namespace: 'kb', parameters: { type: 'object', properties: { q: { type: 'string' } } }, execute: () => 1 });
    r.register({ name: 'bare', execute: () => 1 });
    const oa = toolDefinitionsForOpenAi(r, { strict: true });
    expect(oa[0]).toMatchObject({ type: 'function', function: { name: 'calc', description: 'Calculator', strict: true, parameters: { type: 'object', required: ['a'] } } });
    expect(oa[2]?.function.name).toBe('kb__look');
    expect(oa[1]?.function.parameters).toEqual({ type: 'object', properties: {} });
    expect(toolDefinitionsForOpenAiResponses(r)[2]).toMatchObject({ type: 'function', name: 'kb__look', parameters: { properties: { q: { type: 'string' } } } });
    expect(toolDefinitionsForAnthropic(r)[0]).toMatchObject({ name: 'calc', input_schema: { type: 'object' } });
    expect(Object.keys(toolDefinitionsForAiSdk(r))).toEqual(['calc', 'bare', 'kb__look']);
    expect(toolDefinitionsForAnthropic([{ name: 'x', execute: () => 1 }])).toEqual([{ name: 'x', input_schema: { type: 'object', properties: {} } }]);
    expect(exportedToolName('x', 'default')).toBe('x');
    expect(r.resolve('kb__look')?.namespace).toBe('kb');
    expect(r.resolve('zz__look')).toBeUndefined();
  });
});

// Tool guards: a scripted model makes tool calls through the guarded processor. It shows $vN bindings,
// an ungrounded call being blocked, a runaway loop being stopped, and the procedural memory summary.
// Offline and deterministic; run with: pnpm exec tsx --conditions=@chuk/source examples/tool-guards.ts
import { InMemorySessionStore, Session } from '@chuk/models';
import {
  ProceduralContextFormatter,
  SessionAwareToolProcessor,
  ToolMemoryManager,
  ToolRegistry,
  ToolStateManager,
} from '@chuk/tools';

const registry = new ToolRegistry();
registry.register({
  name: 'add',
  description: 'Add two numbers',
  idempotent: true,
  parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
  execute: ({ a, b }: { a: number; b: number }) => a + b,
});
registry.register({
  name: 'multiply',
  description: 'Multiply two numbers',
  idempotent: true,
  parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
  execute: ({ a, b }: { a: number; b: number }) => a * b,
});
registry.register({
  name: 'convert_currency',
  description: 'Convert an amount of USD to EUR',
  parameters: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] },
  execute: ({ amount }: { amount: number }) => Math.round(amount * 0.92 * 100) / 100,
});
registry.register({
  name: 'get_rate',
  description: 'Look up the USD→EUR rate',
  sideEffect: 'read_only',
  parameters: { type: 'object', properties: { pair: { type: 'string' } }, required: ['pair'] },
  execute: () => 0.92,
});

// The scripted "model": one OpenAI-style assistant message per turn.
let callNo = 0;
const turn = (name: string, args: Record<string, unknown>) => ({
  role: 'assistant',
  content: null,
  tool_calls: [{ id: `call_${++callNo}`, type: 'function', function: { name, arguments: JSON.stringify(args) } }],
});
const script = [
  turn('add', { a: 12, b: 30 }), //                      grounded: both numbers are in the prompt
  turn('multiply', { a: '$v1', b: 2 }), //               uses the bound value of $v1 (a number, not a string)
  turn('convert_currency', { amount: 85.5 }), //         ungrounded: 85.5 was neither given nor computed
  turn('convert_currency', { amount: '$v2' }), //        corrected
  turn('get_rate', { pair: 'USD/EUR' }), //               then the model starts looping...
  turn('get_rate', { pair: 'USD/EUR' }),
  turn('get_rate', { pair: 'USD/EUR' }),
  turn('get_rate', { pair: 'USD/EUR' }),
];

const store = new InMemorySessionStore();
const session = await Session.create({ store, id: 'tool-guards-demo' });
const state = new ToolStateManager({ limits: { require_bindings: 'block', ungrounded_grace_calls: 0 } });
const memory = ToolMemoryManager.create(session.id);
const processor = await SessionAwareToolProcessor.create({
  store,
  sessionId: session.id,
  registry,
  toolState: state,
  toolMemory: memory,
  maxRetries: 0,
});

const prompt = 'Add 12 and 30, double it, and convert the result from USD to EUR.';
console.log(`user: ${prompt}\n`);
await processor.guardedRunner?.beginPrompt(prompt);

for (const message of script) {
  const out = await processor.processLlmMessageDetailed(message, { contextGoal: 'currency conversion' });
  for (const [i, call] of out.calls.entries()) {
    const result = out.results[i];
    const status = result?.error === null ? (result.cached ? 'cached' : 'ok') : 'BLOCKED/FAILED';
    const shown = result?.error ?? JSON.stringify(result?.result);
    console.log(`${call.tool}(${JSON.stringify(call.arguments)}) -> [${status}] ${shown.split('\n')[0] ?? ''}`);
  }
  if (out.stopMessage !== null) console.log(`  stop: ${out.stopMessage.split('\n')[0] ?? ''}`);
}

console.log(`\n${state.formatBindingsForModel()}\n`);
const formatter = new ProceduralContextFormatter();
console.log(formatter.formatFullSummary(memory));
console.log(formatter.formatForTools(memory, ['convert_currency']));

const stored = await store.get(session.id);
const toolEvents = stored?.events.filter((e) => e.type === 'tool_call').length ?? 0;
console.log(`\nstored events: ${stored?.events.length ?? 0} (${toolEvents} tool_call events)`);

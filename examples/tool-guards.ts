// Tool guards: a scripted model makes tool calls through the guarded processor. It shows $vN bindings,
// an ungrounded call being blocked, a runaway loop being stopped, and the procedural memory summary.
// Part 2: a repeated non-idempotent call blocked by retry safety, a per-turn time budget (warn, then block),
// and the automatic success hints and <avoid> notes of procedural memory.
// Offline and deterministic; run with: pnpm exec tsx --conditions=@chuk/source examples/tool-guards.ts
import { InMemorySessionStore, Session } from '@chuk/models';
import {
  ProceduralContextFormatter,
  RetrySafetyGuard,
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

// ── Part 2: retry safety, time budget, success hints ────────────────────────────────────────────────────
console.log('\n── part 2 ──');
let nowMs = Date.parse('2025-01-01T09:00:00Z'); // the turn's clock: each report page "takes" 600 ms
const clock = (): Date => new Date(nowMs);
let sendAttempts = 0;
registry.register({
  name: 'send_invoice',
  description: 'E-mail an invoice (not idempotent: sending twice sends two e-mails)',
  sideEffect: 'write',
  timeoutMs: 100,
  parameters: { type: 'object', properties: { invoice: { type: 'string' } }, required: ['invoice'] },
  // The first attempt hangs (the mail server never answers); later ones go through.
  execute: ({ invoice }: { invoice: string }, ctx) => (++sendAttempts === 1 ? new Promise(() => undefined) : `sent ${invoice} (key ${ctx.idempotencyKey ?? 'none'})`),
});
registry.register({
  name: 'render_report',
  description: 'Render one page of a report',
  idempotent: true,
  parameters: { type: 'object', properties: { page: { type: 'number' }, format: { type: 'string' } }, required: ['page'] },
  execute: ({ page }: { page: number }) => {
    nowMs += 600;
    return `page ${page} rendered`;
  },
});
const state2 = new ToolStateManager({ limits: { require_bindings: 'off' }, timeBudget: { perTurnBudgetMs: 2000 }, clock });
const memory2 = ToolMemoryManager.create('part-2', { clock });
const session2 = await Session.create({ store, id: 'tool-guards-demo-2' });
const processor2 = await SessionAwareToolProcessor.create({
  store,
  sessionId: session2.id,
  registry,
  toolState: state2,
  retrySafety: new RetrySafetyGuard(),
  toolMemory: memory2,
  clock,
});
const part2 = [
  turn('send_invoice', { invoice: 'INV-7' }), //                                   times out: may have been sent, so not retried
  turn('send_invoice', { invoice: 'INV-7' }), //                                   the model repeats it: blocked
  turn('send_invoice', { invoice: 'INV-7', _idempotency_key: 'INV-7-mail' }), //   with a key the server can de-duplicate
  ...[1, 2, 3, 4, 5].map((page) => turn('render_report', { page, format: 'pdf' })), // 600 ms each of a 2 s budget
];
await processor2.guardedRunner?.beginPrompt('Send invoice INV-7 and render the report as PDF.');
for (const message of part2) {
  const out = await processor2.processLlmMessageDetailed(message, { contextGoal: 'month-end' });
  const [call, result] = [out.calls[0], out.results[0]];
  const status = result?.error === null ? 'ok' : 'BLOCKED/FAILED';
  const text = (result?.error ?? JSON.stringify(result?.result)).split('\n')[0] ?? '';
  const skipped = result?.error_info?.details.retry_skipped;
  console.log(`${call?.tool}(${JSON.stringify(call?.arguments)}) -> [${status}] ${text}${typeof skipped === 'string' ? ` (no retry: ${skipped})` : ''}`);
}
const budget = state2.timeBudgetGuard?.getState();
console.log(`time budget: ${budget?.turn_elapsed_ms}ms used, status ${budget?.status}, degrade: ${budget?.active_degrade_actions.join(', ')}`);
// Three failed lookups of an unknown invoice, recorded directly, give the <avoid> section its material.
for (let i = 0; i < 3; i++) {
  await memory2.recordCall({ toolName: 'send_invoice', arguments: { invoice: 'INV-0' }, result: null, outcome: 'failure', errorType: 'not_found' });
}
console.log(formatter.formatForTools(memory2, ['render_report', 'send_invoice'], 'month-end'));
console.log(formatter.formatSuccessTemplate(memory2, 'render_report', 'month-end'));

/**
 * 08 — tool-state guards (@chuk/tools) with every call recorded in the session: results bound as
 * $v1, $v2 …; a call with numbers nobody mentioned is ungrounded; a repeated call is served from the
 * cache; the budget stops a runaway loop. The verdict of each call is stored on its tool event.
 */
import { EnforcementLevel, GuardVerdict, ToolStateManager } from '@chuk/tools';
import { SessionManager } from '@chuk/session-manager';
import { banner, short } from './lib/scripted-llm.js';

const sm = new SessionManager({ systemPrompt: 'You are a careful calculator assistant.' });
const guards = new ToolStateManager({ limits: { tool_budget_total: 6, execution_budget: 6, require_bindings: EnforcementLevel.Block, ungrounded_grace_calls: 0 } });

async function call(tool: string, args: Record<string, unknown>, run: (a: Record<string, unknown>) => number): Promise<void> {
  const resolved = await guards.resolveReferences(args, tool);
  const cached = await guards.getCachedResult(tool, resolved);
  if (cached !== undefined) {
    await sm.toolUsed(tool, resolved, cached.result, { metadata: { cached: true } });
    console.log(`  ${tool}(${JSON.stringify(args)}) ↺ cached: ${short(guards.formatDuplicateMessage(tool, resolved).replace(/\s+/g, ' '), 60)}`);
    return;
  }
  const verdict = await guards.checkAllGuards(tool, resolved);
  if (verdict.final_verdict === GuardVerdict.Block) {
    await sm.toolUsed(tool, resolved, null, { error: verdict.final_reason, metadata: { verdict: verdict.final_verdict, guard: verdict.stopped_at } });
    console.log(`  ${tool}(${JSON.stringify(args)}) ✗ ${verdict.stopped_at}: ${short(verdict.final_reason.replace(/\s+/g, ' '), 70)}`);
    return;
  }
  const value = run(resolved);
  await guards.recordToolCall(tool, resolved);
  await guards.cacheResult(tool, resolved, value);
  const binding = await guards.bindValue(tool, resolved, value);
  await sm.toolUsed(tool, resolved, value, { metadata: { verdict: verdict.final_verdict, binding: `$${binding.id}` } });
  console.log(`  ${tool}(${JSON.stringify(args)}) ✓ ${value} → $${binding.id}`);
}

banner('The user gives the numbers');
const question = 'What is the area of a 12 by 7 rectangle, and its perimeter?';
await sm.userSays(question);
await guards.registerUserLiterals(question);
await call('multiply', { a: 12, b: 7 }, (a) => Number(a.a) * Number(a.b));
await call('add', { a: 12, b: 7 }, (a) => Number(a.a) + Number(a.b));
await call('multiply', { a: '$v2', b: 2 }, (a) => Number(a.a) * Number(a.b));

banner('Guards at work');
await call('multiply', { a: 12, b: 7 }, (a) => Number(a.a) * Number(a.b));
await call('transfer_funds', { amount: 913, account: 37 }, (a) => Number(a.amount));
for (let i = 0; i < 4; i++) await call('add', { a: '$v1', b: 1 + i }, (a) => Number(a.a) + Number(a.b));
console.log(`  bindings the model is shown:\n${guards.formatBindingsForModel().split('\n').map((l) => `    ${l}`).join('\n')}`);

banner('Recorded in the session');
const stats = await sm.getStats();
console.log(`  ${stats.toolCalls} tool events; budget ${JSON.stringify(guards.getBudgetStatus())}`);
for (const event of (await sm.getSession()).events.filter((e) => e.type === 'tool_call')) {
  const m = event.message as { tool: string; success: boolean };
  console.log(`    ${m.tool.padEnd(8)} ${m.success ? 'ok    ' : 'failed'} ${JSON.stringify(event.metadata)}`);
}

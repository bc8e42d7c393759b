/** The low-level models of @chuk/models: a session hierarchy with ancestors/descendants, runs, token usage by source. */
import { EventSource, EventType, InMemorySessionStore, Session, SessionEvent, SessionRun, appendEventOnce } from '@chuk/models';
import { banner } from './lib/scripted-llm.js';

const store = new InMemorySessionStore();

banner('Hierarchy');
const parent = await Session.create({ store, properties: { user_id: 'alice' } });
const childA = await Session.create({ store, parentId: parent.id });
const childB = await Session.create({ store, parentId: parent.id });
const grandchild = await Session.create({ store, parentId: childA.id });
const reloadedParent = await store.get(parent.id);
console.log(`  parent ${parent.id.slice(0, 8)} has children ${reloadedParent?.childIds.map((c) => c.slice(0, 8)).join(', ')}`);
console.log(`  grandchild ancestors: ${(await grandchild.ancestors(store)).map((s) => s.id.slice(0, 8)).join(' → ')}`);
console.log(`  parent descendants: ${(await parent.descendants(store)).length} (${[childA, grandchild, childB].map((s) => s.id.slice(0, 8)).join(', ')})`);

banner('Runs with run-level events');
const run = SessionRun.create({ purpose: 'answer a question' });
run.markRunning();
const question = await SessionEvent.createWithTokens({ message: 'How tall is Everest?', prompt: 'How tall is Everest?', source: EventSource.User, taskId: run.id });
const answer = await SessionEvent.createWithTokens({ message: '8,849 m.', prompt: '', completion: '8,849 m.', source: EventSource.Llm, taskId: run.id, model: 'gpt-4o' });
const tool = SessionEvent.create({ message: { tool: 'lookup', result: 8849 }, type: EventType.ToolCall, taskId: run.id });
await store.append(childB.id, [question, answer, tool]);
for (const event of [question, answer, tool]) appendEventOnce(childB, event);
run.addToolCall(tool.id);
run.markCompleted();
console.log(`  run ${run.status}, tool calls ${run.getToolCalls(childB).length}, duration ${run.getDuration()?.toFixed(3)} s`);

banner('Token usage');
for (const [source, summary] of Object.entries(childB.getTokenUsageBySource())) {
  console.log(`  by source ${source.padEnd(6)} ${summary.totalTokens} tokens, $${summary.totalEstimatedCostUsd.toFixed(6)}`);
}
for (const [task, summary] of Object.entries(childB.getTokenUsageByRun())) {
  console.log(`  by run ${task === 'no_run' ? 'no_run' : task.slice(0, 8)}: ${summary.totalTokens} tokens`);
}
const stored = await store.get(childB.id);
console.log(`  stored session: ${stored?.events.length} events, ${stored?.totalTokens} tokens (counts stored once, never recounted)`);

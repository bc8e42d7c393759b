/**
 * 09 — procedural memory (@chuk/tools): the tool calls of a session are remembered — failures, the
 * argument change that fixed them, success patterns — stored in the session's state through the
 * SessionManager, and formatted for the model before it calls the tool again.
 */
import { ToolOutcome } from '@chuk/models';
import { ProceduralContextFormatter, ToolMemoryManager } from '@chuk/tools';
import { SessionManager } from '@chuk/session-manager';
import { banner } from './lib/scripted-llm.js';

const sm = new SessionManager();
await sm.ensureInitialized();
const memory = await ToolMemoryManager.fromSession(sm);
memory.onFixDetected = (fix) => {
  console.log(`  fix detected: call ${fix.success_call_id} fixed ${fix.failed_call_id}`);
};

async function record(args: Record<string, unknown>, result: unknown, outcome: ToolOutcome, errorType?: string): Promise<void> {
  await memory.recordCall({ toolName: 'solver', arguments: args, result, outcome, contextGoal: 'schedule 10 tasks', ...(errorType ? { errorType } : {}) });
  await sm.toolUsed('solver', args, result, outcome === ToolOutcome.Success ? {} : { error: errorType ?? 'failed' });
  console.log(`  solver(${JSON.stringify(args)}) → ${outcome}`);
}

banner('A solver fails twice, then a changed argument fixes it');
await record({ tasks: 10, mode: 'fast' }, { status: 'timeout' }, ToolOutcome.Timeout, 'timeout');
await record({ tasks: 10, mode: 'fast' }, { status: 'unsat' }, ToolOutcome.Failure, 'unsat');
await record({ tasks: 10, mode: 'slow', relax: true }, { status: 'sat' }, ToolOutcome.Success);

banner('What the model is shown before it calls the solver again');
console.log(new ProceduralContextFormatter({ include_args: true }).formatForTools(memory, ['solver'], 'schedule 10 tasks'));

banner('Stored in the session state, reloaded by another manager');
await memory.saveToSession(sm);
const reopened = new SessionManager({ sessionId: sm.sessionId });
const reloaded = await ToolMemoryManager.fromSession(reopened);
const stats = reloaded.getStats();
console.log(`  ${stats.total_calls} calls, success rate ${(stats.success_rate * 100).toFixed(0)}%, fixes ${stats.total_fixes_detected}`);
console.log(`  fix for "unsat": ${JSON.stringify(reloaded.getFixForError('solver', 'unsat'))}`);
console.log(`  session events: ${(await reopened.getStats()).toolCalls} tool calls recorded`);

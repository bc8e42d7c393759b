import { describe, expect, it } from 'vitest';
import * as root from '@chuk/tools';
import * as execution from '@chuk/tools/execution';
import * as formats from '@chuk/tools/formats';
import * as guards from '@chuk/tools/guards';
import * as procedural from '@chuk/tools/procedural';
import * as processor from '@chuk/tools/processor';
import * as samples from '@chuk/tools/samples';

describe('subpath exports', () => {
  it('each area is importable on its own and re-exports the same objects as the root', () => {
    expect(guards.ToolStateManager).toBe(root.ToolStateManager);
    expect(guards.TimeBudgetGuard).toBe(root.TimeBudgetGuard);
    expect(guards.RetrySafetyGuard).toBe(root.RetrySafetyGuard);
    expect(execution.isRetrySafeTool).toBe(root.isRetrySafeTool);
    expect(procedural.ToolMemoryManager).toBe(root.ToolMemoryManager);
    expect(procedural.ToolOutcome.Success).toBe('success');
    expect(execution.ToolExecutor).toBe(root.ToolExecutor);
    expect(execution.ToolErrorCategory.Timeout).toBe('timeout');
    expect(formats.parseToolCalls).toBe(root.parseToolCalls);
    expect(processor.SessionAwareToolProcessor).toBe(root.SessionAwareToolProcessor);
    expect(samples.registerSampleTools).toBe(root.registerSampleTools);
  });

  it('keeps the areas apart: the guards entry does not carry the processor', () => {
    expect(guards).not.toHaveProperty('SessionAwareToolProcessor');
    expect(processor).not.toHaveProperty('ToolStateManager');
  });
});

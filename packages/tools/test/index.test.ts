import { describe, expect, it } from 'vitest';
import * as tools from '../src/index.js';

describe('public API', () => {
  it('re-exports the contracts from @chuk/models and the main classes', () => {
    expect(tools.ToolOutcome.Success).toBe('success');
    expect(tools.ToolErrorCategory.RateLimit).toBe('rate_limit');
    for (const name of ['ToolStateManager', 'BindingManager', 'ToolResultCache', 'ToolExecutor', 'ToolRegistry', 'GuardChain', 'ToolErrorCode']) {
      expect(tools).toHaveProperty(name);
    }
  });
});

import { noopLogger } from '@chuk/models';
import type { Logger } from '@chuk/models';
import type { SessionStateAccess } from '../processor/sink.js';
import { TOOL_STATE_STATE_KEY } from './constants.js';
import { ToolStateManager } from './manager.js';
import type { ToolStateManagerOptions } from './manager.js';

type RestoreOptions = Omit<ToolStateManagerOptions, 'limits' | 'bindings' | 'cache' | 'bindingIdPolicy'>;

/** Store the manager's snapshot under the session state key `tool_state` (§11.13, §17.9). */
export async function saveToolStateToSession(state: ToolStateManager, session: SessionStateAccess): Promise<void> {
  await session.setState(TOOL_STATE_STATE_KEY, state.toJSON());
}

/**
 * Resume guards from the session state key `tool_state`: a valid snapshot is restored; an absent one gives a new
 * manager with `fresh` options; an invalid one is logged and replaced by a new manager (never thrown).
 */
export async function loadToolStateFromSession(
  session: SessionStateAccess,
  opts: { restore?: RestoreOptions; fresh?: ToolStateManagerOptions; logger?: Logger } = {},
): Promise<ToolStateManager> {
  const stored = await session.getState(TOOL_STATE_STATE_KEY);
  if (stored === undefined || stored === null) return new ToolStateManager(opts.fresh);
  try {
    return ToolStateManager.fromJSON(stored, opts.restore);
  } catch (error) {
    (opts.logger ?? noopLogger).warn({ sessionId: session.id, error: error instanceof Error ? error.message : String(error) }, 'stored tool state is invalid; starting fresh');
    return new ToolStateManager(opts.fresh);
  }
}

/** The state of an initialised `SessionManager` that the helpers of this folder work on. */
import type { LlmCallback, Logger, SessionStore, TokenCounter } from '@chuk/models';
import type { ChainSnapshot } from './chain.js';
import type { EventContext } from './events.js';
import type { SessionManagerSettings } from './options.js';
import type { SegmentState } from './segment.js';
import type { VmBridge } from './vm-bridge.js';

export interface ManagerRuntime {
  readonly store: SessionStore;
  readonly settings: SessionManagerSettings;
  readonly events: EventContext;
  readonly logger: Logger;
  readonly counter: TokenCounter;
  segment: SegmentState;
  chain: ChainSnapshot;
  systemPrompt: string | null;
  summaryCallback: LlmCallback | undefined;
  readonly vm: VmBridge | null;
}

/**
 * W4 infinite (../shared/bench/workloads.md): the W2 loop on `SessionManager({ infiniteContext: true,
 * tokenThreshold: 4000 })` with an async summary callback returning `Summary of N messages.`.
 */
import { SessionManager } from '@chuk/session-manager';
import type { RunResult, Workload } from '../lib/harness.js';
import { MESSAGES, conversationLoop, exactCounter, generateMessages } from './w2-conversation.js';
import type { TokenCounter } from '@chuk/models';
import { InMemorySessionStore } from '@chuk/models';

let counter: TokenCounter;

const w4: Workload = {
  id: 'W4',
  title: 'infinite: the W2 loop with infiniteContext, tokenThreshold 4000, async summary callback',
  async setup() {
    counter = await exactCounter();
  },
  async run(): Promise<RunResult> {
    const messages = generateMessages();
    const manager = new SessionManager({
      store: new InMemorySessionStore(),
      counter,
      infiniteContext: true,
      tokenThreshold: 4000,
      summaryCallback: async (msgs) => `Summary of ${msgs.length} messages.`,
    });
    const loop = await conversationLoop(manager, messages);
    const segments = (await manager.getSessionChain()).length;
    return {
      figures: [
        { name: 'W4 infinite', unit: 'messages/s', value: (MESSAGES / loop.totalMs) * 1000, description: `2,000 messages, counter ${counter.name}` },
        { name: 'W4 segments', unit: 'segments', value: segments, description: 'segments created by the run' },
      ],
    };
  },
};

export default w4;

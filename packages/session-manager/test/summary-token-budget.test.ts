import { InvalidInput, MessageRole } from '@chuk/models';
import { PREVIOUS_CONTEXT_PREFIX } from '@chuk/conversation';
import { describe, expect, it } from 'vitest';
import { makeManager, wordCounter } from './helpers.js';

/** Six segments of one exchange each, every summary naming its segment's last answer ("answer N"). */
async function sixSegments(summaryTokenBudget?: number) {
  const { manager } = makeManager({
    infiniteContext: true,
    maxTurnsPerSegment: 2,
    ...(summaryTokenBudget === undefined ? {} : { summaryTokenBudget }),
    summaryCallback: async (messages) => `summary of ${messages.at(-1)?.content ?? ''}`,
  });
  for (let i = 0; i < 6; i++) {
    await manager.userSays(`topic ${i}`);
    await manager.aiResponds(`answer ${i}`);
  }
  return manager;
}

function contextMessageOf(messages: { role: string; content: string }[]): string | undefined {
  return messages.find((m) => m.role === MessageRole.System && m.content.startsWith(PREVIOUS_CONTEXT_PREFIX))?.content;
}

describe('summaryTokenBudget', () => {
  it('without a budget, every earlier summary (up to maxSegmentSummaries) reaches the LLM', async () => {
    const manager = await sixSegments();
    const context = contextMessageOf(await manager.getMessagesForLlm());
    expect(context).toBeDefined();
    for (let i = 0; i < 5; i++) expect(context).toContain(`answer ${i}`);
  });

  it('keeps the newest summaries within the budget and drops the oldest first', async () => {
    const unbounded = contextMessageOf(await (await sixSegments()).getMessagesForLlm()) ?? '';
    const budget = Math.floor((await wordCounter.count(unbounded, 'm')) / 2);
    const manager = await sixSegments(budget);
    const context = contextMessageOf(await manager.getMessagesForLlm()) ?? '';
    expect(await wordCounter.count(context, 'm')).toBeLessThanOrEqual(budget);
    expect(context).toContain('answer 4');
    expect(context).not.toContain('answer 0');
  });

  it('rejects a negative budget at construction, naming the option', () => {
    expect(() => makeManager({ summaryTokenBudget: -1 })).toThrow(InvalidInput);
    expect(() => makeManager({ summaryTokenBudget: -1 })).toThrow(/summaryTokenBudget/);
  });
});

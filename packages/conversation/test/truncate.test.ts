import { describe, expect, it } from 'vitest';
import type { PromptMessage } from '@chuk/models';
import { InvalidInput, TokenLimitExceeded } from '@chuk/models';
import type { ConversationMessage } from '../src/index.js';
import { renderPromptForCounting, truncatePromptToTokenLimit } from '../src/index.js';
import { wordCounter } from './helpers.js';

const W = (n: number): string => Array.from({ length: n }, () => 'w').join(' ');
const msg = (role: PromptMessage['role'], content: string | null, name?: string): PromptMessage =>
  name === undefined ? { role, content } : { role, content, name };
const truncate = <T extends PromptMessage>(prompt: T[], max: number, strict = false): Promise<T[]> =>
  truncatePromptToTokenLimit(prompt, max, 'test', wordCounter, { strict });

describe('truncatePromptToTokenLimit', () => {
  it('returns the same array when within the limit, [] for empty input', async () => {
    const prompt = [msg('user', 'hi')];
    expect(await truncate(prompt, 100)).toBe(prompt);
    expect(await truncate([], 0)).toEqual([]);
  });

  it('renders every count the same way', () => {
    expect(renderPromptForCounting([msg('user', 'a'), msg('assistant', null), msg('tool', 'r', 'calc'), msg('tool', 'r')])).toBe(
      'user: a\nassistant: \ntool(calc): r\ntool: r',
    );
  });

  it('keeps the system prompt, the first user message and the tail from the last assistant', async () => {
    const prompt = [
      msg('system', 'be nice'),
      msg('user', `first ${W(20)}`),
      msg('assistant', W(30)),
      msg('user', W(30)),
      msg('assistant', 'last'),
      msg('user', 'follow up'),
    ];
    const out = await truncate(prompt, 40);
    expect(out).toEqual([prompt[0], prompt[1], prompt[4], prompt[5]]);
  });

  it('never duplicates the first user message when it follows the last assistant', async () => {
    const prompt = [msg('system', W(5)), msg('assistant', W(50)), msg('user', 'only user')];
    const out = await truncate(prompt, 58);
    expect(out).toEqual([prompt[0], prompt[1], prompt[2]]);
  });

  it('drops tool results, then puts back the first one only if it fits', async () => {
    const prompt = [msg('user', 'q'), msg('assistant', null), msg('tool', W(10), 'a'), msg('tool', W(40), 'b')];
    expect(await truncate(prompt, 25)).toEqual([prompt[0], prompt[1], prompt[2]]);
    expect(await truncate(prompt, 8)).toEqual([prompt[0], prompt[1]]);
  });

  it('returns an over-limit prompt, or throws TokenLimitExceeded when strict', async () => {
    const prompt = [msg('system', W(50)), msg('user', 'q')];
    expect(await truncate(prompt, 10)).toEqual(prompt);
    const error = await truncate(prompt, 10, true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenLimitExceeded);
    expect(error).toMatchObject({ limit: 10, actual: 53 });
  });

  it('keeps the last message when there is no assistant', async () => {
    const prompt = [msg('user', W(30)), msg('user', W(30)), msg('user', 'latest')];
    expect(await truncate(prompt, 40)).toEqual([prompt[0], prompt[2]]);
  });

  it('never leaves a tool call without its result', async () => {
    const prompt: ConversationMessage[] = [
      { role: 'user', content: 'q' },
      {
        role: 'assistant',
        content: null,
        toolCalls: [
          { id: 'c1', name: 'a', input: {} },
          { id: 'c2', name: 'b', input: {} },
        ],
      },
      { role: 'tool', content: W(10), name: 'a', toolCallId: 'c1' },
      { role: 'tool', content: W(40), name: 'b', toolCallId: 'c2' },
    ];
    const out = await truncate(prompt, 25);
    expect(out).toHaveLength(3);
    expect(out[1]?.toolCalls).toEqual([{ id: 'c1', name: 'a', input: {} }]);
    const none = await truncate(prompt, 5);
    expect(none[1]?.toolCalls).toEqual([]);
    expect(prompt[1]?.toolCalls).toHaveLength(2);
  });

  it('rejects a negative limit', async () => {
    await expect(truncate([msg('user', 'x')], -1)).rejects.toBeInstanceOf(InvalidInput);
  });

  it('uses the default model and counter when none are given', async () => {
    const prompt = [msg('user', 'hello')];
    expect(await truncatePromptToTokenLimit(prompt, 1000)).toBe(prompt);
  });
});

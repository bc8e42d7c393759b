import { describe, expect, it } from 'vitest';
import {
  createDeterministicSummariser,
  createModelSummariser,
  deterministicSummarizeText,
  extractKeySentences,
  isKeySentence,
  modelSummariserFromEnv,
  splitSentences,
} from '../fidelity/summariser.js';
import { TextGenerator } from '../lib/text.js';

describe('deterministic summariser', () => {
  const filler = new TextGenerator(1002).message();

  it('keeps sentences with digits, paths or capitalised names, never W2 filler', () => {
    expect(splitSentences(filler)).toHaveLength(5);
    expect(splitSentences(filler).some(isKeySentence)).toBe(false);
    expect(isKeySentence('The port is 5433.')).toBe(true);
    expect(isKeySentence('It lives in src/auth/session.ts now.')).toBe(true);
    expect(isKeySentence('The owner is Marisol Okafor.')).toBe(true);
    expect(isKeySentence('Nothing to see here.')).toBe(false);
  });

  it('keeps the newest key sentences that fit, in conversation order', () => {
    const text = `First fact 1111 here. ${filler} Second fact 2222 here. Third fact 3333 here.`;
    expect(extractKeySentences(text, 1000)).toBe('First fact 1111 here. Second fact 2222 here. Third fact 3333 here.');
    expect(extractKeySentences(text, 16)).toBe('Second fact 2222 here. Third fact 3333 here.');
    expect(extractKeySentences(filler, 100)).toBe('');
  });

  it('summarises a segment, ignoring system messages, and says so when nothing is kept', async () => {
    const summarise = createDeterministicSummariser(100);
    const summary = await summarise([
      { role: 'system', content: 'Summarise with Care in 3 lines.' },
      { role: 'user', content: `My Amber Falcon account number is 1889-6935-6754. ${filler}` },
      { role: 'assistant', content: filler },
    ]);
    expect(summary).toBe('My Amber Falcon account number is 1889-6935-6754.');
    expect(await summarise([{ role: 'user', content: filler }])).toBe('1 messages without key facts.');
    expect(await summarise([{ role: 'user', content: filler }])).toBe(await summarise([{ role: 'user', content: filler }]));
  });

  it('offers a SummarizeFn shape for the VM compressor', async () => {
    expect(await deterministicSummarizeText(`Port 4444 is open. ${filler}`, 50)).toBe('Port 4444 is open.');
    expect(await deterministicSummarizeText(filler, 5)).toBe(filler.slice(0, 20));
  });
});

describe('model summariser', () => {
  it('posts the segment to an OpenAI-compatible endpoint and returns the content', async () => {
    const calls: { url: string; body: unknown; auth: string | null }[] = [];
    const fetchFn: typeof fetch = async (input, init) => {
      calls.push({ url: input as string, body: JSON.parse(init?.body as string), auth: new Headers(init?.headers).get('authorization') });
      return new Response(JSON.stringify({ choices: [{ message: { content: 'Port 5433.' } }] }), { status: 200 });
    };
    const summarise = createModelSummariser({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v1/', fetchFn, maxTokens: 42 });
    expect(await summarise([{ role: 'system', content: 'x' }, { role: 'user', content: 'The port is 5433.' }])).toBe('Port 5433.');
    expect(calls[0]?.url).toBe('http://127.0.0.1:9/v1/chat/completions');
    expect(calls[0]?.auth).toBe('Bearer k');
    const body = calls[0]?.body as { max_tokens: number; model: string; messages: { role: string }[] };
    expect(body.max_tokens).toBe(42);
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
  });

  it('fails loudly on an HTTP error or an empty answer', async () => {
    const failing = createModelSummariser({ apiKey: 'k', fetchFn: async () => new Response('no', { status: 500 }) });
    await expect(failing([{ role: 'user', content: 'a' }])).rejects.toThrow(/500/);
    const empty = createModelSummariser({ apiKey: 'k', fetchFn: async () => new Response('{"choices":[]}', { status: 200 }) });
    await expect(empty([{ role: 'user', content: 'a' }])).rejects.toThrow(/no content/);
  });

  it('is only built when OPENAI_API_KEY is set', () => {
    expect(modelSummariserFromEnv({}, 100)).toBeNull();
    expect(modelSummariserFromEnv({ OPENAI_API_KEY: '' }, 100)).toBeNull();
    expect(modelSummariserFromEnv({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://x' }, 100)).toBeTypeOf('function');
  });
});

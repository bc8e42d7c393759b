/**
 * The examples' model: a deterministic scripted model offline (default, and always in CI), or a
 * real OpenAI-compatible endpoint through `fetch` when `OPENAI_API_KEY` is set
 * (`OPENAI_BASE_URL` for other providers, `OPENAI_MODEL` to pick the model).
 */
import type { ChatMessage } from '@chuk/models';
import type { ProviderUsage } from '@chuk/session-manager';
import { toOpenAiChatRequest } from '@chuk/session-manager';

export interface ModelReply {
  text: string;
  usage?: ProviderUsage;
}

export interface ChatModel {
  readonly model: string;
  readonly provider: string;
  readonly live: boolean;
  complete(messages: readonly ChatMessage[]): Promise<ModelReply>;
}

export type Script = readonly string[] | ((messages: readonly ChatMessage[], turn: number) => string);

/** Replies from `script` in order (cycling), or computed from the messages. */
export function scriptedModel(script: Script, model = 'gpt-4o-mini'): ChatModel {
  let turn = 0;
  return {
    model,
    provider: 'scripted',
    live: false,
    async complete(messages) {
      const text = typeof script === 'function' ? script(messages, turn) : (script[turn % script.length] ?? '');
      turn += 1;
      return { text };
    },
  };
}

interface ChatCompletion {
  choices?: { message?: { content?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } };
}

/** A real Chat Completions endpoint, or null when `OPENAI_API_KEY` is not set. */
export function openAiModel(env: Record<string, string | undefined> = process.env): ChatModel | null {
  const key = env.OPENAI_API_KEY;
  if (key === undefined || key === '') return null;
  const base = (env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1').replace(/\/$/, '');
  const model = env.OPENAI_MODEL ?? 'gpt-4o-mini';
  return {
    model,
    provider: 'openai',
    live: true,
    async complete(messages) {
      const response = await fetch(`${base}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(toOpenAiChatRequest(messages, { model, maxCompletionTokens: 300 })),
      });
      if (!response.ok) throw new Error(`chat completion failed: ${response.status} ${await response.text()}`);
      const body = (await response.json()) as ChatCompletion;
      const usage: ProviderUsage = {};
      if (body.usage?.prompt_tokens !== undefined) usage.promptTokens = body.usage.prompt_tokens;
      if (body.usage?.completion_tokens !== undefined) usage.completionTokens = body.usage.completion_tokens;
      if (body.usage?.prompt_tokens_details?.cached_tokens !== undefined) usage.cachedInputTokens = body.usage.prompt_tokens_details.cached_tokens;
      return { text: body.choices?.[0]?.message?.content ?? '', ...(Object.keys(usage).length > 0 ? { usage } : {}) };
    },
  };
}

/** The real model when a key is set, else the scripted one. */
export function chooseModel(script: Script): ChatModel {
  return openAiModel() ?? scriptedModel(script);
}

export function banner(title: string): void {
  console.log(`\n=== ${title} ===`);
}

export function short(text: string, n = 50): string {
  return text.length > n ? `${text.slice(0, n)}...` : text;
}

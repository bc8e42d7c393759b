/**
 * A Vercel AI SDK language-model middleware, typed structurally (no `ai` dependency): every call
 * through `wrapLanguageModel({ model, middleware: createSessionMiddleware({ manager }) })` is
 * recorded in the manager's session (user message, tool results, assistant reply with the
 * provider-reported usage), and with `supplyContext: true` the prompt's history is replaced by the
 * manager's own context (`getMessagesForLlm()`: system prompt, segment summaries or the VM-managed
 * `VM:CONTEXT`), so the session — not the caller — decides what the model sees.
 *
 * Works with the V2 (AI SDK 5) and V3 (AI SDK 6) specifications; only the fields used here are typed.
 */
import type { ChatMessage } from '@chuk/models';
import { MessageRole } from '@chuk/models';
import type { ProviderUsage } from '../manager/options.js';

export interface AiSdkTextPart {
  type: 'text';
  text: string;
}
export interface AiSdkToolCallPart {
  type: 'tool-call';
  toolCallId: string;
  toolName: string;
  input: unknown;
}
export interface AiSdkToolResultPart {
  type: 'tool-result';
  toolCallId: string;
  toolName: string;
  output: unknown;
}
export interface AiSdkOtherPart {
  type: string;
}
export type AiSdkPart = AiSdkTextPart | AiSdkToolCallPart | AiSdkToolResultPart | AiSdkOtherPart;

export type AiSdkPromptMessage =
  | { role: 'system'; content: string }
  | { role: 'user' | 'assistant' | 'tool'; content: readonly AiSdkPart[] };

export interface AiSdkCallOptions {
  prompt: readonly AiSdkPromptMessage[];
}

/** V2 usage has numbers; V3 usage has `{ total, cacheRead, ... }` / `{ total, reasoning, ... }` objects. */
export interface AiSdkUsage {
  inputTokens?: number | { total?: number | undefined; cacheRead?: number | undefined } | undefined;
  outputTokens?: number | { total?: number | undefined; reasoning?: number | undefined } | undefined;
  totalTokens?: number | undefined;
  reasoningTokens?: number | undefined;
  cachedInputTokens?: number | undefined;
}

export interface AiSdkGenerateResult {
  content: readonly AiSdkPart[];
  usage?: AiSdkUsage;
  response?: { modelId?: string | undefined };
}

export interface AiSdkStreamPart {
  type: string;
  delta?: string;
  textDelta?: string;
  usage?: AiSdkUsage;
}

export interface AiSdkStreamResult {
  stream: ReadableStream<AiSdkStreamPart>;
}

export interface AiSdkModel {
  provider: string;
  modelId: string;
}

/** What the middleware needs from a `SessionManager` (which satisfies it). */
export interface SessionRecorder {
  userSays(message: string, metadata?: Record<string, unknown>): Promise<string>;
  aiResponds(
    response: string,
    options?: { model?: string; provider?: string; metadata?: Record<string, unknown>; usage?: ProviderUsage },
  ): Promise<string>;
  toolUsed(
    toolName: string,
    args: Record<string, unknown>,
    result: unknown,
    options?: { error?: string | null; metadata?: Record<string, unknown> },
  ): Promise<string>;
  getMessagesForLlm(options?: { includeSystem?: boolean }): Promise<ChatMessage[]>;
}

export interface SessionMiddlewareOptions {
  manager: SessionRecorder;
  /** Replace the prompt's history with the manager's context (default false: record only). */
  supplyContext?: boolean;
  /** `"v3"` (AI SDK 6, default) or `"v2"` (AI SDK 5). */
  specificationVersion?: 'v2' | 'v3';
}

export interface SessionMiddleware {
  specificationVersion?: 'v3';
  middlewareVersion?: 'v2';
  transformParams(options: { type: 'generate' | 'stream'; params: AiSdkCallOptions }): Promise<AiSdkCallOptions>;
  wrapGenerate(options: {
    doGenerate: () => PromiseLike<AiSdkGenerateResult>;
    params: AiSdkCallOptions;
    model: AiSdkModel;
  }): Promise<AiSdkGenerateResult>;
  wrapStream(options: {
    doStream: () => PromiseLike<AiSdkStreamResult>;
    params: AiSdkCallOptions;
    model: AiSdkModel;
  }): Promise<AiSdkStreamResult>;
}

function isText(part: AiSdkPart): part is AiSdkTextPart {
  return part.type === 'text' && typeof (part as Partial<AiSdkTextPart>).text === 'string';
}
function isToolCall(part: AiSdkPart): part is AiSdkToolCallPart {
  return part.type === 'tool-call';
}
function isToolResult(part: AiSdkPart): part is AiSdkToolResultPart {
  return part.type === 'tool-result';
}

function textOf(parts: readonly AiSdkPart[]): string {
  return parts.filter(isText).map((p) => p.text).join('');
}

function argsOf(input: unknown): Record<string, unknown> {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return { input: value };
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : { input: value };
}

/** Provider usage in the facade's shape, for V2 and V3 usage objects. */
export function usageFromAiSdk(usage: AiSdkUsage | undefined): ProviderUsage | undefined {
  if (usage === undefined) return undefined;
  const input = usage.inputTokens;
  const output = usage.outputTokens;
  const out: ProviderUsage = {};
  const inputTotal = typeof input === 'number' ? input : input?.total;
  const outputTotal = typeof output === 'number' ? output : output?.total;
  const cached = typeof input === 'object' ? input.cacheRead : usage.cachedInputTokens;
  const reasoning = typeof output === 'object' ? output.reasoning : usage.reasoningTokens;
  if (inputTotal !== undefined) out.inputTokens = inputTotal;
  if (outputTotal !== undefined) out.outputTokens = outputTotal;
  if (cached !== undefined) out.cachedInputTokens = cached;
  if (reasoning !== undefined) out.reasoningTokens = reasoning;
  if (usage.totalTokens !== undefined) out.totalTokens = usage.totalTokens;
  return out.inputTokens === undefined && out.outputTokens === undefined ? undefined : out;
}

function toPromptMessage(message: ChatMessage): AiSdkPromptMessage {
  if (message.role === MessageRole.Assistant) return { role: 'assistant', content: [{ type: 'text', text: message.content }] };
  if (message.role === MessageRole.User || message.role === MessageRole.Tool) {
    return { role: 'user', content: [{ type: 'text', text: message.content }] };
  }
  return { role: 'system', content: message.content };
}

function lastUserIndex(prompt: readonly AiSdkPromptMessage[]): number {
  for (let i = prompt.length - 1; i >= 0; i--) if (prompt[i]?.role === 'user') return i;
  return -1;
}

/** Creates the middleware; one instance per manager (it remembers what it already recorded). */
export function createSessionMiddleware(options: SessionMiddlewareOptions): SessionMiddleware {
  const { manager } = options;
  const version = options.specificationVersion ?? 'v3';
  let recordedUserKey: string | null = null;
  const recordedToolCalls = new Set<string>();

  async function recordPrompt(prompt: readonly AiSdkPromptMessage[]): Promise<number> {
    const index = lastUserIndex(prompt);
    const user = prompt[index];
    if (user !== undefined && user.role === 'user') {
      const text = textOf(user.content);
      const key = `${index}:${text}`;
      if (key !== recordedUserKey) {
        recordedUserKey = key;
        await manager.userSays(text);
      }
    }
    const calls = new Map<string, AiSdkToolCallPart>();
    for (const message of prompt.slice(index + 1)) {
      if (message.role === 'system') continue;
      for (const part of message.content) {
        if (isToolCall(part)) calls.set(part.toolCallId, part);
        else if (isToolResult(part) && !recordedToolCalls.has(part.toolCallId)) {
          recordedToolCalls.add(part.toolCallId);
          const call = calls.get(part.toolCallId);
          await manager.toolUsed(part.toolName, argsOf(call?.input ?? {}), part.output, {
            metadata: { tool_call_id: part.toolCallId },
          });
        }
      }
    }
    return index;
  }

  async function recordReply(text: string, usage: AiSdkUsage | undefined, model: AiSdkModel, toolCalls: number): Promise<void> {
    const provider = usageFromAiSdk(usage);
    const metadata = toolCalls > 0 ? { tool_call_count: toolCalls } : undefined;
    await manager.aiResponds(text, {
      model: model.modelId,
      provider: model.provider,
      ...(metadata === undefined ? {} : { metadata }),
      ...(provider === undefined ? {} : { usage: provider }),
    });
  }

  const middleware: SessionMiddleware = {
    async transformParams({ params }) {
      const index = await recordPrompt(params.prompt);
      if (options.supplyContext !== true) return params;
      const context = (await manager.getMessagesForLlm()).map(toPromptMessage);
      return { ...params, prompt: [...context, ...params.prompt.slice(index + 1)] };
    },
    async wrapGenerate({ doGenerate, model }) {
      const result = await doGenerate();
      const calls = result.content.filter(isToolCall).length;
      await recordReply(textOf(result.content), result.usage, { provider: model.provider, modelId: result.response?.modelId ?? model.modelId }, calls);
      return result;
    },
    async wrapStream({ doStream, model }) {
      const result = await doStream();
      let text = '';
      let usage: AiSdkUsage | undefined;
      let calls = 0;
      const recorder = new TransformStream<AiSdkStreamPart, AiSdkStreamPart>({
        transform(part, controller) {
          if (part.type === 'text-delta') text += part.delta ?? part.textDelta ?? '';
          else if (part.type === 'tool-call') calls += 1;
          else if (part.type === 'finish') usage = part.usage;
          controller.enqueue(part);
        },
        async flush() {
          await recordReply(text, usage, model, calls);
        },
      });
      return { ...result, stream: result.stream.pipeThrough(recorder) };
    },
  };
  if (version === 'v3') middleware.specificationVersion = 'v3';
  else middleware.middlewareVersion = 'v2';
  return middleware;
}

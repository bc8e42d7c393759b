/**
 * Turns whatever an LLM function returned into the text to record (conversation-and-facade.md
 * §7.1, `trackLlmCall`): a string, an OpenAI Chat Completions response, an object with a string
 * `content`, or an Anthropic Messages response whose `content` is an array of blocks.
 */
import { toCountableText } from '@chuk/models';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function openAiText(value: Record<string, unknown>): string | undefined {
  const choices = value.choices;
  if (!Array.isArray(choices)) return undefined;
  const first: unknown = choices[0];
  if (!isObject(first) || !isObject(first.message)) return undefined;
  const content = first.message.content;
  return typeof content === 'string' ? content : undefined;
}

function blockText(content: readonly unknown[]): string | undefined {
  const texts: string[] = [];
  for (const block of content) {
    if (isObject(block) && typeof block.text === 'string') texts.push(block.text);
  }
  return texts.length > 0 ? texts.join('') : undefined;
}

/** The text of an LLM response in any of the supported shapes; other values are stringified. */
export function normalizeLlmResponse(response: unknown): string {
  if (typeof response === 'string') return response;
  if (isObject(response)) {
    const openAi = openAiText(response);
    if (openAi !== undefined) return openAi;
    const content = response.content;
    if (typeof content === 'string') return content;
    if (Array.isArray(content)) {
      const blocks = blockText(content);
      if (blocks !== undefined) return blocks;
    }
  }
  return toCountableText(response);
}

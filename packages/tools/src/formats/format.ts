import { z } from 'zod';

/** Where a tool call was parsed from. */
export const ToolCallFormat = {
  OpenAiChat: 'openai_chat',
  OpenAiFunctionCall: 'openai_function_call',
  OpenAiResponses: 'openai_responses',
  Anthropic: 'anthropic',
  AiSdk: 'ai_sdk',
  CtpJson: 'ctp_json',
  CtpXml: 'ctp_xml',
} as const;
export type ToolCallFormat = (typeof ToolCallFormat)[keyof typeof ToolCallFormat];
export const ToolCallFormatSchema = z.enum(ToolCallFormat);

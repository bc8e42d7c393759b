import { z } from 'zod';

/** How a segment is summarised (reference `SummarizationStrategy`). */
export const SummarizationStrategy = {
  Basic: 'basic',
  KeyPoints: 'key_points',
  TopicBased: 'topic_based',
  QueryFocused: 'query_focused',
} as const;
export type SummarizationStrategy = (typeof SummarizationStrategy)[keyof typeof SummarizationStrategy];
export const SummarizationStrategySchema = z.enum(SummarizationStrategy);

const PROMPTS: Readonly<Record<SummarizationStrategy, string>> = {
  [SummarizationStrategy.Basic]:
    'Write a concise summary of the conversation below. Cover the main topic and the key information exchanged.',
  [SummarizationStrategy.KeyPoints]:
    'List the key points discussed in the conversation below, most important information first.',
  [SummarizationStrategy.TopicBased]:
    'Summarise the conversation below organised by the topics discussed, with the key points of each topic.',
  [SummarizationStrategy.QueryFocused]:
    "Summarise the conversation below around the user's main questions and the answers given to them.",
};

/** Generic prompt used for a strategy value this version does not know. */
export const GENERIC_SUMMARY_PROMPT = 'Write a brief summary of the conversation below.';

/** System prompt that asks the summariser for the given strategy (unknown value → a generic "summary"). */
export function getSummarizationPrompt(strategy: SummarizationStrategy | (string & Record<never, never>)): string {
  const parsed = SummarizationStrategySchema.safeParse(strategy);
  return parsed.success ? PROMPTS[parsed.data] : GENERIC_SUMMARY_PROMPT;
}

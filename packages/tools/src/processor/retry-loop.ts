import { EventSource, EventType, SessionEvent } from '@chuk/models';
import { ToolRetryExhaustedError } from '../execution/errors.js';
import type { ProcessOutcome, SessionAwareToolProcessor } from './processor.js';

export const DEFAULT_LLM_ATTEMPTS = 3;
export const RETRY_FEEDBACK_NOTE =
  'Some tool calls failed or none were made. Read the errors above and reply with corrected, executable tool calls.';

export interface LlmRetryLoopOptions {
  processor: SessionAwareToolProcessor;
  callLlm: (messages: unknown[], ctx: { attempt: number; signal?: AbortSignal }) => Promise<unknown>;
  /** Provider-format transcript; not mutated (a copy is extended). */
  messages: unknown[];
  maxAttempts?: number;
  requireToolCalls?: boolean;
  /** Append the assistant message, the tool results and a corrective note before retrying (default true). */
  feedback?: boolean;
  acceptPartialSuccess?: boolean;
  signal?: AbortSignal;
  clock?: () => Date;
}

export interface LlmRetryLoopResult {
  response: unknown;
  outcome: ProcessOutcome;
  attempts: number;
  transcript: unknown[];
}

/**
 * Re-ask the model until it produces executable tool calls. Each attempt logs one parent event
 * (`llm_attempt = n`); the accepted attempt is marked by an appended `reference` event (no event is rewritten).
 */
export async function runLlmToolCallRetryLoop(opts: LlmRetryLoopOptions): Promise<LlmRetryLoopResult> {
  const max = opts.maxAttempts ?? DEFAULT_LLM_ATTEMPTS;
  const transcript = [...opts.messages];
  const lastErrors: string[] = [];
  for (let attempt = 1; attempt <= max; attempt++) {
    const response = await opts.callLlm([...transcript], { attempt, ...(opts.signal !== undefined ? { signal: opts.signal } : {}) });
    const outcome = await opts.processor.processLlmMessageDetailed(response, { llmAttempt: attempt, ...(opts.signal !== undefined ? { signal: opts.signal } : {}) });
    const failures = outcome.results.filter((r) => r.error !== null);
    const noCalls = outcome.calls.length === 0;
    const ok = noCalls ? opts.requireToolCalls === false : failures.length === 0 || (opts.acceptPartialSuccess === true && failures.length < outcome.results.length);
    if (ok) {
      const marker = SessionEvent.create({
        message: { llm_attempt: attempt, llm_attempt_success: true },
        source: EventSource.System,
        type: EventType.Reference,
        parentEventId: outcome.parentEventId,
        ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
      });
      await opts.processor.sink.appendEvents([marker]);
      return { response, outcome, attempts: attempt, transcript: [...transcript, response, ...outcome.toolMessages] };
    }
    lastErrors.splice(0, lastErrors.length, ...(noCalls ? ['no tool calls in the response'] : failures.map((f) => f.error ?? 'error')));
    if (opts.feedback !== false) transcript.push(response, ...outcome.toolMessages, { role: 'user', content: RETRY_FEEDBACK_NOTE });
  }
  throw new ToolRetryExhaustedError({ attempts: max, lastErrors });
}

import { z } from 'zod';
import type { Session, SessionEvent } from '@chuk/models';
import { EventType } from '@chuk/models';
import { normalizeFacts } from '../summary/pinned.js';
import type { SummaryResult } from '../summary/summarize.js';
import { SummaryOutcome, SummaryOutcomeSchema } from '../summary/summarize.js';

/** Event metadata key: the message is pinned (its text is kept verbatim in every later summary). */
export const PINNED_METADATA = 'pinned';
/** Session state key holding the pinned facts of a segment (carried to every new segment). */
export const PINNED_FACTS_STATE = 'pinned_facts';

/** Metadata written on every `summary` event by `InfiniteConversationManager` (stored, so snake_case). */
export const SummaryEventMetadataSchema = z.looseObject({
  summary_fallback: z.boolean().describe('true when the text is the deterministic fallback, not the summariser'),
  summary_outcome: SummaryOutcomeSchema.describe('why'),
  summary_attempts: z.number().int().nonnegative().describe('summariser calls made'),
  summary_parts: z.number().int().positive().describe('parts the segment was summarised in'),
  pinned_facts: z.array(z.string()).describe('pinned facts listed at the end of the text'),
  summary_error: z.string().optional().describe('last summariser error'),
});
export type SummaryEventMetadata = z.output<typeof SummaryEventMetadataSchema>;

export function summaryMetadata(result: SummaryResult): SummaryEventMetadata {
  const metadata: SummaryEventMetadata = {
    summary_fallback: result.fallback,
    summary_outcome: result.outcome,
    summary_attempts: result.attempts,
    summary_parts: result.parts,
    pinned_facts: result.pinnedFacts,
  };
  if (result.error !== undefined) metadata.summary_error = result.error;
  return metadata;
}

/**
 * What a `summary` event says about itself: its metadata when written by this package, else (a summary
 * from the reference or the facade) an ordinary summary with no pinned facts; `summary_fallback: true`
 * written by anyone is honoured.
 */
export function summaryInfoOf(event: SessionEvent): SummaryEventMetadata {
  const parsed = SummaryEventMetadataSchema.safeParse(event.metadata);
  if (parsed.success) return parsed.data;
  const fallback = event.metadata.summary_fallback === true;
  return {
    summary_fallback: fallback,
    summary_outcome: fallback ? SummaryOutcome.CallbackFailed : SummaryOutcome.Ok,
    summary_attempts: 0,
    summary_parts: 1,
    pinned_facts: [],
  };
}

/** Last `summary` event of a session. */
export function lastSummaryEvent(session: Session): SessionEvent | undefined {
  return session.events.findLast((e) => e.type === EventType.Summary);
}

const FactsSchema = z.array(z.string());

/** The facts kept in the segment's state (`PINNED_FACTS_STATE`), as a new array; none when absent or not a list of strings. */
export function storedPinnedFacts(session: Session): string[] {
  const raw = session.getState(PINNED_FACTS_STATE);
  if (raw === undefined) return [];
  const parsed = FactsSchema.safeParse(raw);
  return parsed.success ? parsed.data : [];
}

/** Pinned facts of a segment: those in its state (`pinFact`, carried from earlier segments), then its pinned messages. */
export function pinnedFactsOf(session: Session, messageText: (message: unknown) => string): string[] {
  const facts = storedPinnedFacts(session);
  for (const event of session.events) {
    if (event.type === EventType.Message && event.metadata[PINNED_METADATA] === true) facts.push(messageText(event.message));
  }
  return normalizeFacts(facts);
}

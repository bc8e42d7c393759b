import { z } from 'zod';
import type { ChatMessage, Session, SessionEvent, TokenCounter } from '@chuk/models';
import { EventSource, EventType } from '@chuk/models';
import { messageText, roleOfSource } from '../common/text.js';
import type { StoredTokenCount } from '../summary/chunking.js';

/** When a segment is full: at `tokenThreshold` tokens or `maxTurnsPerSegment` message events. */
export interface SegmentLimits {
  tokenThreshold: number;
  maxTurnsPerSegment: number;
}

export const SegmentLimitsSchema = z.object({
  tokenThreshold: z.number().int().positive().describe('tokens after which a segment is closed'),
  maxTurnsPerSegment: z.number().int().positive().describe('message events after which a segment is closed'),
});

/** Running totals of one segment, kept by a writer so the limit check is O(1) per message. */
export interface SegmentTotals {
  /** the segment's total tokens (`session.totalTokens`) */
  totalTokens: number;
  /** the segment's `message` events (summaries and tool calls excluded) */
  messageCount: number;
}

/** The limit rule on running totals: tokens ≥ threshold, or message events ≥ max turns. */
export function exceedsSegmentLimits(totals: SegmentTotals, limits: SegmentLimits): boolean {
  return totals.totalTokens >= limits.tokenThreshold || totals.messageCount >= limits.maxTurnsPerSegment;
}

/** Number of `message` events (a user message and its reply are two; summaries and tool calls never count). */
export function countMessageEvents(session: Session): number {
  let count = 0;
  for (const event of session.events) if (event.type === EventType.Message) count++;
  return count;
}

/**
 * Whether the segment is full (`exceedsSegmentLimits` on the session's totals). Scans the events once; a
 * writer on the hot path keeps `SegmentTotals` itself and calls `exceedsSegmentLimits`.
 */
export function shouldCreateNewSegment(session: Session, limits: SegmentLimits): boolean {
  return exceedsSegmentLimits({ totalTokens: session.totalTokens, messageCount: countMessageEvents(session) }, limits);
}

/** The segment's `message` events as chat messages (`roleOfSource`, `messageText`), in order. */
export function segmentMessages(session: Session): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const event of session.events) {
    if (event.type === EventType.Message) out.push({ role: roleOfSource(event.source), content: messageText(event.message) });
  }
  return out;
}

/**
 * The token count a message event stores for its text, as writers record it (spec §3.2): a user message's
 * prompt tokens, an llm message's completion tokens; undefined for other sources (a system message records
 * 0 tokens whatever its text), for events without usage and for non-string payloads. `counter` is the
 * counter that made the count: only the writer of the event knows it, so only the writer should call this,
 * and only for events whose usage it counted from the text (`SessionEvent.createWithTokens`), not for
 * usage a provider reported.
 */
export function storedMessageCount(event: SessionEvent, counter: TokenCounter): StoredTokenCount | undefined {
  const usage = event.tokenUsage;
  if (usage === null || typeof event.message !== 'string') return undefined;
  if (event.source === EventSource.User) return { tokens: usage.promptTokens, model: usage.model, counter };
  if (event.source === EventSource.Llm) return { tokens: usage.completionTokens, model: usage.model, counter };
  return undefined;
}

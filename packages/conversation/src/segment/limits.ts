import { z } from 'zod';
import type { ChatMessage, Session } from '@chuk/models';
import { EventType } from '@chuk/models';
import { messageText, roleOfSource } from '../common/text.js';

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

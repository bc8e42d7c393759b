/**
 * Segment rollover (conversation-and-facade.md §6.6, §5.5 "rollover across processes"): the summary
 * event is appended with `expectedCount`, so of two writers only one closes a segment; the other
 * catches up and continues in the child the first one created. One segment never gets two children.
 */
import type { ChatMessage, LlmCallback, Session } from '@chuk/models';
import { MessageRole, Session as SessionModel, SYSTEM_PROMPT_PROPERTY, SessionNotFound, SessionVersionConflict } from '@chuk/models';
import { createExtractiveSummary, summarizeMessages } from '@chuk/conversation';
import { summaryEvent } from './events.js';
import { SegmentState } from './segment.js';
import type { ManagerRuntime } from './runtime.js';
import { appendAndApply, catchUp, storeCall } from './store-ops.js';
import { summaryInputMessages } from './summary-input.js';

/** Attempts at closing a segment before a persistent conflict is rethrown. */
export const MAX_ROLLOVER_ATTEMPTS = 5;
/** Polls of the old segment's header while waiting for another writer's new child. */
export const CHILD_WAIT_ATTEMPTS = 10;
export const CHILD_WAIT_MS = 20;

export interface SegmentSummary {
  summary: string;
  /** true when the callback failed and the extractive summary was used instead. */
  fallback: boolean;
}

/** The facade's default summary, over the chat messages only (as before tool results were passed on). */
function extractive(messages: readonly ChatMessage[]): string {
  return createExtractiveSummary(messages.filter((m) => m.role !== MessageRole.Tool));
}

/**
 * Summary of the current segment with the callback precedence argument > instance > extractive. The
 * summariser sees the segment's messages and tool results (`summaryInputMessages`) through
 * `summarizeMessages`: every request fits its input budget, empty or failed answers are retried, and a
 * summariser that still fails is replaced by the extractive summary (`fallback: true`).
 */
export async function summarize(rt: ManagerRuntime, callback: LlmCallback | undefined): Promise<SegmentSummary> {
  const messages = summaryInputMessages(rt.segment.session);
  const chosen = callback ?? rt.summaryCallback;
  if (chosen === undefined) return { summary: extractive(messages), fallback: false };
  const result = await summarizeMessages(messages, {
    callback: chosen,
    ...(rt.settings.defaultModel === undefined ? {} : { model: rt.settings.defaultModel }),
    counter: rt.counter,
    logger: rt.logger.child?.({ sessionId: rt.segment.id }) ?? rt.logger,
    fallback: extractive,
  });
  if (result.fallback) {
    rt.logger.warn({ sessionId: rt.segment.id, outcome: result.outcome, err: result.error }, 'summary callback failed; using the extractive summary');
  }
  return { summary: result.text, fallback: result.fallback };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function newestChild(rt: ManagerRuntime, sessionId: string): Promise<Session | null> {
  for (let attempt = 0; attempt < CHILD_WAIT_ATTEMPTS; attempt++) {
    const header = await storeCall(rt.store, 'getHeader', () => rt.store.getHeader(sessionId));
    if (header === null) throw new SessionNotFound({ sessionId });
    const childId = header.childIds.at(-1);
    if (childId !== undefined) {
      const child = await storeCall(rt.store, 'get', () => rt.store.get(childId));
      if (child !== null) return child;
    }
    await sleep(CHILD_WAIT_MS);
  }
  return null;
}

async function switchTo(rt: ManagerRuntime, session: Session, summary: string): Promise<string> {
  const old = rt.segment.id;
  rt.segment = new SegmentState(session);
  rt.chain.onRollover(session.id, summary);
  if (rt.vm !== null) await rt.vm.afterRollover(session.id);
  rt.logger.info({ sessionId: session.id, previousSessionId: old }, `segment rollover ${old} -> ${session.id}`);
  return session.id;
}

async function createChild(rt: ManagerRuntime, summary: string): Promise<string> {
  const old = rt.segment.session;
  const properties: Record<string, unknown> = { ...old.metadata.properties };
  if (rt.systemPrompt !== null) properties[SYSTEM_PROMPT_PROPERTY] = rt.systemPrompt;
  const child = await storeCall(rt.store, 'create', () =>
    SessionModel.create({
      id: rt.events.idGenerator(),
      parentId: old.id,
      properties,
      store: rt.store,
      clock: rt.events.clock,
      logger: rt.logger,
    }),
  );
  return switchTo(rt, child, summary);
}

/** Closes the current segment and continues in its child; returns the new segment id. */
export async function rollover(rt: ManagerRuntime, callback: LlmCallback | undefined): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const segment = rt.segment;
    const closed = segment.lastSummary;
    if (closed !== null) {
      // Closed already: by another writer (its child is coming) or by an interrupted rollover.
      if (rt.vm !== null) await rt.vm.onRollover(closed);
      const child = await newestChild(rt, segment.id);
      return child === null ? createChild(rt, closed) : switchTo(rt, child, closed);
    }
    const { summary, fallback } = await summarize(rt, callback);
    const event = summaryEvent(rt.events, summary, fallback);
    try {
      await appendAndApply(rt.store, segment, [event], { expectedCount: segment.eventCount });
    } catch (error) {
      if (!(error instanceof SessionVersionConflict) || attempt >= MAX_ROLLOVER_ATTEMPTS) throw error;
      rt.chain.onForeignEvents(segment, await catchUp(rt.store, segment), new Set());
      continue;
    }
    if (rt.vm !== null) await rt.vm.onRollover(summary);
    return createChild(rt, summary);
  }
}

/**
 * The infinite-conversation state of a manager (conversation-and-facade.md §5.3, §6.9–§6.11): the
 * chain of segment ids, the full conversation across segments and the segment summaries. A
 * reopened session loads it lazily from the store on first use.
 */
import type { ChatMessage, Session, SessionEvent, SessionStore } from '@chuk/models';
import { EventSource, EventType, MODEL_METADATA, MessageRole, PROVIDER_METADATA } from '@chuk/models';
import { messageText, roleOfSource, summaryTextOf } from '@chuk/conversation';
import type { ConversationTurn } from './options.js';
import type { SegmentState } from './segment.js';

function turnOf(event: SessionEvent, sessionId: string): ConversationTurn {
  const turn: ConversationTurn = {
    role: roleOfSource(event.source),
    content: messageText(event.message),
    timestamp: event.timestamp,
    sessionId,
  };
  if (event.source === EventSource.Llm) {
    const model = event.metadata[MODEL_METADATA];
    const provider = event.metadata[PROVIDER_METADATA];
    if (typeof model === 'string') turn.model = model;
    if (typeof provider === 'string') turn.provider = provider;
  }
  return turn;
}

function turnsOf(session: Session): ConversationTurn[] {
  const out: ConversationTurn[] = [];
  for (const event of session.events) if (event.type === EventType.Message) out.push(turnOf(event, session.id));
  return out;
}

function lastSummaryOf(session: Session): string | null {
  for (let i = session.events.length - 1; i >= 0; i--) {
    const event = session.events[i] as SessionEvent;
    if (event.type === EventType.Summary) return summaryTextOf(event.message);
  }
  return null;
}

/** What loading a chain needs from the manager. */
export interface ChainSource {
  readonly store: SessionStore;
  readonly segment: SegmentState;
  readonly settings: { readonly infiniteContext: boolean };
}

export class ChainSnapshot {
  private chainIds: string[];
  private conversation: ConversationTurn[] = [];
  private summaries: string[] = [];
  private loaded: boolean;
  /** Root segment's creation time (known once the chain is loaded). */
  rootCreatedAt: string;

  constructor(segment: SegmentState, loaded: boolean) {
    this.chainIds = [segment.id];
    this.loaded = loaded;
    this.rootCreatedAt = segment.session.metadata.createdAt;
  }

  get totalSegments(): number {
    return this.chainIds.length;
  }

  ids(): string[] {
    return [...this.chainIds];
  }

  turns(): ConversationTurn[] {
    return this.conversation.map((t) => ({ ...t }));
  }

  addTurn(turn: ConversationTurn): void {
    this.conversation.push(turn);
  }

  /** The earlier segments' summaries, oldest first. */
  summaryTexts(): readonly string[] {
    return this.summaries;
  }

  /** Records a rollover to `newId` closed by `summary`. */
  onRollover(newId: string, summary: string): void {
    this.chainIds.push(newId);
    this.summaries.push(summary);
  }

  /** Applies events another writer appended to the current segment (messages become turns). */
  onForeignEvents(segment: SegmentState, added: readonly SessionEvent[], own: ReadonlySet<string>): void {
    for (const event of added) {
      if (!own.has(event.id) && event.type === EventType.Message) this.conversation.push(turnOf(event, segment.id));
    }
  }

  async ensureLoaded(rt: ChainSource): Promise<void> {
    if (!this.loaded && rt.settings.infiniteContext) await this.load(rt);
  }

  /** Walks the parent links from the current segment and rebuilds everything from the store. */
  async load(rt: ChainSource): Promise<void> {
    const current = rt.segment.session;
    const ancestors = (await current.ancestors(rt.store)).reverse();
    const chain = [...ancestors, current];
    this.chainIds = chain.map((s) => s.id);
    this.conversation = chain.flatMap(turnsOf);
    this.summaries = ancestors.map(lastSummaryOf).filter((s): s is string => s !== null);
    this.rootCreatedAt = (chain[0] as Session).metadata.createdAt;
    this.loaded = true;
  }
}

export const ChainLoader = {
  fresh(segment: SegmentState, isNew: boolean): ChainSnapshot {
    return new ChainSnapshot(segment, isNew);
  },

  /** The session's user / assistant message events as chat messages (other sources skipped, §6.8). */
  chatMessages(session: Session): ChatMessage[] {
    const out: ChatMessage[] = [];
    for (const event of session.events) {
      if (event.type !== EventType.Message) continue;
      if (event.source === EventSource.User) out.push({ role: MessageRole.User, content: messageText(event.message) });
      else if (event.source === EventSource.Llm) out.push({ role: MessageRole.Assistant, content: messageText(event.message) });
    }
    return out;
  },
};

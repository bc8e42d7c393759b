/**
 * One segment (session) as the manager holds it: the in-memory `Session` plus running totals, so
 * every per-message decision (segment limits, stats, the tool-call parent link) is O(1) and never
 * rescans the session (conversation-and-facade.md §5.5, benchmarks W2/W7).
 */
import type { Session, SessionEvent } from '@chuk/models';
import { EventSource, EventType, appendEventOnce, parseTimestamp } from '@chuk/models';
import { summaryTextOf } from '@chuk/conversation';
import type { SegmentTotals } from '@chuk/conversation';

export class SegmentState {
  userMessages = 0;
  aiMessages = 0;
  messageCount = 0;
  toolCalls = 0;
  lastAssistantEventId: string | null = null;
  /** Text of the last `summary` event seen (another writer may have rolled the segment over). */
  lastSummary: string | null = null;
  private latestMs = Number.NEGATIVE_INFINITY;
  private latest: string | null = null;

  constructor(readonly session: Session) {
    for (const event of session.events) this.count(event);
  }

  get id(): string {
    return this.session.id;
  }

  get eventCount(): number {
    return this.session.events.length;
  }

  /** Timestamp of the latest event (by time, kept as events arrive), else the creation time. */
  get lastUpdateTime(): string {
    return this.latest ?? this.session.metadata.createdAt;
  }

  totals(): SegmentTotals {
    return { totalTokens: this.session.totalTokens, messageCount: this.messageCount };
  }

  /** Adds `event` unless an event with its id is present; returns whether it was added. */
  apply(event: SessionEvent): boolean {
    if (!appendEventOnce(this.session, event)) return false;
    this.count(event);
    return true;
  }

  private count(event: SessionEvent): void {
    const ts = event.timestamp;
    // Canonical UTC timestamps (what every writer emits) parse natively; others go through the tolerant parser.
    const ms = ts.endsWith('Z') ? Date.parse(ts) : parseTimestamp(ts);
    if (ms > this.latestMs) {
      this.latestMs = ms;
      this.latest = ts;
    }
    switch (event.type) {
      case EventType.Message:
        this.messageCount += 1;
        if (event.source === EventSource.User) this.userMessages += 1;
        else if (event.source === EventSource.Llm) {
          this.aiMessages += 1;
          this.lastAssistantEventId = event.id;
        }
        break;
      case EventType.ToolCall:
        this.toolCalls += 1;
        break;
      case EventType.Summary:
        this.lastSummary = summaryTextOf(event.message);
        break;
      default:
        break;
    }
  }
}

import { RunStatus } from '../enums/index.js';
import { InvalidSessionOperation } from '../errors/errors.js';
import { parseInput } from '../errors/parse.js';
import type { Clock, IdGenerator } from '../util/clock.js';
import { randomId, systemClock } from '../util/clock.js';
import { cloneJson } from '../util/json.js';
import { nowIso, parseTimestamp } from '../util/time.js';
import { SessionRunWireSchema } from './schemas.js';

/** Metadata key of the reason given to `markFailed`. */
export const FAILURE_REASON_METADATA = 'failure_reason';
/** Metadata key of the reason given to `markCancelled`. */
export const CANCEL_REASON_METADATA = 'cancel_reason';

const MS_PER_SECOND = 1000;
const TERMINAL: ReadonlySet<RunStatus> = new Set([RunStatus.Completed, RunStatus.Failed, RunStatus.Cancelled]);

export interface SessionRunInit {
  id?: string;
  startedAt?: string;
  endedAt?: string | null;
  status?: RunStatus;
  metadata?: Record<string, unknown>;
  toolCalls?: string[];
  clock?: Clock;
  idGenerator?: IdGenerator;
}

/**
 * One run (task) within a session. State machine: pending → running → completed | failed | cancelled, or
 * pending → a terminal state directly; leaving a terminal state throws `InvalidSessionOperation`.
 */
export class SessionRun {
  readonly id: string;
  startedAt: string;
  endedAt: string | null;
  status: RunStatus;
  metadata: Record<string, unknown>;
  toolCalls: string[];
  readonly #clock: Clock;

  constructor(init: SessionRunInit = {}) {
    this.#clock = init.clock ?? systemClock;
    this.id = init.id ?? (init.idGenerator ?? randomId)();
    this.startedAt = init.startedAt ?? nowIso(this.#clock);
    this.endedAt = init.endedAt ?? null;
    this.status = init.status ?? RunStatus.Pending;
    this.metadata = init.metadata ?? {};
    this.toolCalls = init.toolCalls ?? [];
  }

  static create(metadata: Record<string, unknown> = {}, options: { clock?: Clock; idGenerator?: IdGenerator } = {}): SessionRun {
    return new SessionRun({ ...options, metadata });
  }

  get isTerminal(): boolean {
    return TERMINAL.has(this.status);
  }

  /** Status `running`; `startedAt` is reset to now. */
  markRunning(): void {
    this.#leave('markRunning');
    if (this.status === RunStatus.Running) return;
    this.status = RunStatus.Running;
    this.startedAt = nowIso(this.#clock);
  }

  markCompleted(): void {
    this.#end('markCompleted', RunStatus.Completed);
  }

  markFailed(reason?: string): void {
    this.#end('markFailed', RunStatus.Failed);
    if (reason !== undefined && reason !== '') this.metadata[FAILURE_REASON_METADATA] = reason;
  }

  markCancelled(reason?: string): void {
    this.#end('markCancelled', RunStatus.Cancelled);
    if (reason !== undefined && reason !== '') this.metadata[CANCEL_REASON_METADATA] = reason;
  }

  setMetadata(key: string, value: unknown): void {
    this.metadata[key] = value;
  }

  getMetadata(key: string, defaultValue?: unknown): unknown {
    return Object.hasOwn(this.metadata, key) ? this.metadata[key] : defaultValue;
  }

  hasMetadata(key: string): boolean {
    return Object.hasOwn(this.metadata, key);
  }

  removeMetadata(key: string): void {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
    delete this.metadata[key];
  }

  /** Seconds between start and end; null while the run is open. */
  getDuration(): number | null {
    if (this.endedAt === null) return null;
    return (parseTimestamp(this.endedAt) - parseTimestamp(this.startedAt)) / MS_PER_SECOND;
  }

  /** Records a tool-call event id once. */
  addToolCall(eventId: string): void {
    if (!this.toolCalls.includes(eventId)) this.toolCalls.push(eventId);
  }

  /** The session's events whose id is in `toolCalls`, in session order. */
  getToolCalls<E extends { readonly id: string }>(session: { readonly events: readonly E[] }): E[] {
    const ids = new Set(this.toolCalls);
    return session.events.filter((e) => ids.has(e.id));
  }

  /** Reference `to_dict`: `ended_at` and `duration` only when ended. */
  toDict(): Record<string, unknown> {
    const d: Record<string, unknown> = {
      id: this.id,
      status: this.status,
      started_at: this.startedAt,
      metadata: this.metadata,
      tool_calls: this.toolCalls,
    };
    if (this.endedAt !== null) {
      d.ended_at = this.endedAt;
      d.duration = this.getDuration();
    }
    return d;
  }

  clone(clock: Clock = this.#clock): SessionRun {
    return new SessionRun({
      id: this.id,
      startedAt: this.startedAt,
      endedAt: this.endedAt,
      status: this.status,
      metadata: cloneJson(this.metadata),
      toolCalls: [...this.toolCalls],
      clock,
    });
  }

  toWire(): {
    id: string; started_at: string; ended_at: string | null; status: RunStatus;
    metadata: Record<string, unknown>; tool_calls: string[];
  } {
    return {
      id: this.id,
      started_at: this.startedAt,
      ended_at: this.endedAt,
      status: this.status,
      metadata: this.metadata,
      tool_calls: this.toolCalls,
    };
  }

  toJSON(): ReturnType<SessionRun['toWire']> {
    return this.toWire();
  }

  static fromWire(raw: unknown, options: { clock?: Clock; field?: string } = {}): SessionRun {
    const w = parseInput(SessionRunWireSchema, raw, options.field ?? 'run');
    return new SessionRun({
      id: w.id,
      startedAt: w.started_at,
      endedAt: w.ended_at,
      status: w.status,
      metadata: w.metadata,
      toolCalls: w.tool_calls,
      clock: options.clock,
    });
  }

  #leave(operation: string): void {
    if (this.isTerminal) {
      throw new InvalidSessionOperation({ operation, reason: `run ${this.id} is already ${this.status}` });
    }
  }

  #end(operation: string, status: RunStatus): void {
    this.#leave(operation);
    this.status = status;
    this.endedAt = nowIso(this.#clock);
  }
}

import { z } from 'zod';
import { EventSource, EventType } from '../enums/index.js';
import { InvalidInput, InvalidSessionOperation } from '../errors/errors.js';
import { parseInput } from '../errors/parse.js';
import { PARENT_EVENT_ID_METADATA } from '../messages/index.js';
import type { TokenCounter } from '../tokens/counter.js';
import { countTokens } from '../tokens/counter.js';
import type { PricingTable } from '../tokens/pricing.js';
import { DEFAULT_TOKEN_MODEL } from '../tokens/pricing.js';
import { toCountableText } from '../tokens/text.js';
import { TokenUsage, fastTokenUsageFromWire, tokenUsageFromWireSchema } from '../tokens/usage.js';
import type { TokenUsageWire } from '../tokens/usage.js';
import type { Clock, IdGenerator } from '../util/clock.js';
import { randomId, systemClock } from '../util/clock.js';
import { cloneJson } from '../util/json.js';
import { nowIso } from '../util/time.js';
import { canonicalTimestamp, freeRecord, isPlainObject } from '../util/wire.js';
import { SessionEventWireSchema } from './schemas.js';

/** The event schema with the usage left to `TokenUsage.fromWire`, so it is parsed once. */
const EventEnvelopeSchema = SessionEventWireSchema.extend({ token_usage: z.unknown().default(null) });

const SOURCES: ReadonlySet<string> = new Set(Object.values(EventSource));
const TYPES: ReadonlySet<string> = new Set(Object.values(EventType));

export interface SessionEventInit<M> {
  message: M;
  id?: string;
  timestamp?: string;
  source?: EventSource;
  type?: EventType;
  metadata?: Record<string, unknown>;
  parentEventId?: string | null;
  taskId?: string | null;
  tokenUsage?: TokenUsage | null;
  clock?: Clock;
  idGenerator?: IdGenerator;
}

export interface CreateWithTokensInit<M> extends Omit<SessionEventInit<M>, 'tokenUsage'> {
  /** Text counted as prompt tokens. */
  prompt: string;
  /** Text counted as completion tokens (when non-empty). */
  completion?: string | null;
  model?: string;
  counter?: TokenCounter;
  pricing?: PricingTable;
}

export interface UpdateTokenUsageInput {
  prompt?: string;
  completion?: string | null;
  promptTokens?: number;
  completionTokens?: number;
  model?: string;
  counter?: TokenCounter;
  pricing?: PricingTable;
}

/** Full stored form of an event. */
export interface SessionEventWireOut {
  id: string;
  message: unknown;
  timestamp: string;
  source: EventSource;
  type: EventType;
  metadata: Record<string, unknown>;
  parent_event_id: string | null;
  task_id: string | null;
  token_usage: TokenUsageWire | null;
}

export interface EventFromWireOptions<M> {
  messageSchema?: z.ZodType<M>;
  pricing?: PricingTable;
  field?: string;
  clock?: Clock;
}

/**
 * One entry of a session's log. Its token usage is counted once, when it is created (README D5).
 * Events are immutable once appended to a store (the stored copy is frozen; mutators then throw).
 */
export class SessionEvent<M = unknown> {
  readonly id: string;
  readonly message: M;
  readonly timestamp: string;
  readonly source: EventSource;
  readonly type: EventType;
  readonly metadata: Record<string, unknown>;
  readonly parentEventId: string | null;
  readonly taskId: string | null;
  tokenUsage: TokenUsage | null;

  constructor(init: SessionEventInit<M>) {
    const source = init.source ?? EventSource.System;
    const type = init.type ?? EventType.Message;
    if (!SOURCES.has(source)) throw new InvalidInput({ field: 'source', reason: `unknown event source: ${source}` });
    if (!TYPES.has(type)) throw new InvalidInput({ field: 'type', reason: `unknown event type: ${type}` });
    this.id = init.id ?? (init.idGenerator ?? randomId)();
    if (typeof this.id !== 'string' || this.id === '') throw new InvalidInput({ field: 'id', reason: 'must be a non-empty string' });
    this.message = init.message;
    this.timestamp = init.timestamp ?? nowIso(init.clock ?? systemClock);
    this.source = source;
    this.type = type;
    this.metadata = init.metadata ?? {};
    this.parentEventId = init.parentEventId ?? null;
    this.taskId = init.taskId ?? null;
    this.tokenUsage = init.tokenUsage ?? null;
  }

  static create<M>(init: SessionEventInit<M>): SessionEvent<M> {
    return new SessionEvent(init);
  }

  /** An event whose usage is counted from `prompt` (and `completion`) once, now. */
  static async createWithTokens<M>(init: CreateWithTokensInit<M>): Promise<SessionEvent<M>> {
    // explicit fields, no rest/spread copies of the init (the per-message path of the facade)
    const tokenUsage = await TokenUsage.fromText(init.prompt, init.completion, init.model ?? DEFAULT_TOKEN_MODEL, {
      counter: init.counter,
      pricing: init.pricing,
    });
    return new SessionEvent<M>({
      message: init.message,
      id: init.id,
      timestamp: init.timestamp,
      source: init.source,
      type: init.type,
      metadata: init.metadata,
      parentEventId: init.parentEventId,
      taskId: init.taskId,
      tokenUsage,
      clock: init.clock,
      idGenerator: init.idGenerator,
    });
  }

  get isFrozen(): boolean {
    return Object.isFrozen(this);
  }

  /**
   * Text mode (`prompt`/`completion` given): recount. Counts mode: set the given counts on the existing usage
   * (its model is kept, a reference quirk) or on a new usage of `model`. Neither: no change.
   */
  async updateTokenUsage(input: UpdateTokenUsageInput = {}): Promise<void> {
    this.#assertMutable('updateTokenUsage');
    const model = input.model ?? DEFAULT_TOKEN_MODEL;
    if (input.prompt !== undefined || input.completion !== undefined) {
      this.tokenUsage = await TokenUsage.fromText(input.prompt ?? '', input.completion, model, input);
      return;
    }
    if (input.promptTokens === undefined && input.completionTokens === undefined) return;
    const base = this.tokenUsage ?? TokenUsage.create({ model }, input);
    const promptTokens = input.promptTokens ?? base.promptTokens;
    const completionTokens = input.completionTokens ?? base.completionTokens;
    this.tokenUsage = TokenUsage.create(
      { promptTokens, completionTokens, model: base.model, cachedPromptTokens: base.cachedPromptTokens, reasoningTokens: base.reasoningTokens },
      input,
    );
  }

  setMetadata(key: string, value: unknown): void {
    this.#assertMutable('setMetadata');
    this.metadata[key] = value;
  }

  /** Alias of `setMetadata`. */
  updateMetadata(key: string, value: unknown): void {
    this.setMetadata(key, value);
  }

  getMetadata(key: string, defaultValue?: unknown): unknown {
    return Object.hasOwn(this.metadata, key) ? this.metadata[key] : defaultValue;
  }

  hasMetadata(key: string): boolean {
    return Object.hasOwn(this.metadata, key);
  }

  removeMetadata(key: string): void {
    this.#assertMutable('removeMetadata');
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
    delete this.metadata[key];
  }

  /** Shallow merge; new keys win. */
  mergeMetadata(record: Record<string, unknown>): void {
    this.#assertMutable('mergeMetadata');
    Object.assign(this.metadata, record);
  }

  clearMetadata(): void {
    this.#assertMutable('clearMetadata');
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
    for (const key of Object.keys(this.metadata)) delete this.metadata[key];
  }

  /** The stored total when usage exists, else a count of the message. */
  async calculateTokens(model: string = DEFAULT_TOKEN_MODEL, counter?: TokenCounter): Promise<number> {
    if (this.tokenUsage !== null) return this.tokenUsage.totalTokens;
    return countTokens(toCountableText(this.message), model, counter);
  }

  isChildOf(eventId: string): boolean {
    return this.parentEventId !== null && this.parentEventId === eventId;
  }

  isPartOfTask(taskId: string): boolean {
    return this.taskId !== null && this.taskId === taskId;
  }

  /** An independent copy; `freeze` makes it (and its payload) immutable, as stores keep it. */
  clone(freeze = false): SessionEvent<M> {
    const copy = new SessionEvent<M>({
      id: this.id,
      message: cloneJson(this.message, freeze),
      timestamp: this.timestamp,
      source: this.source,
      type: this.type,
      metadata: cloneJson(this.metadata, freeze),
      parentEventId: this.parentEventId,
      taskId: this.taskId,
      tokenUsage: this.tokenUsage,
    });
    if (freeze) Object.freeze(copy);
    return copy;
  }

  /** Reference `to_dict`: links and usage only when present. */
  toDict(): Record<string, unknown> {
    const d: Record<string, unknown> = {
      id: this.id,
      message: this.message,
      timestamp: this.timestamp,
      source: this.source,
      type: this.type,
      metadata: this.metadata,
    };
    if (this.parentEventId !== null) d.parent_event_id = this.parentEventId;
    if (this.taskId !== null) d.task_id = this.taskId;
    if (this.tokenUsage !== null) d.token_usage = this.tokenUsage.toWire();
    return d;
  }

  /** Full stored form. */
  toWire(): SessionEventWireOut {
    return {
      id: this.id,
      message: this.message,
      timestamp: this.timestamp,
      source: this.source,
      type: this.type,
      metadata: this.metadata,
      parent_event_id: this.parentEventId,
      task_id: this.taskId,
      token_usage: this.tokenUsage === null ? null : this.tokenUsage.toWire(),
    };
  }

  toJSON(): SessionEventWireOut {
    return this.toWire();
  }

  /** Decodes the stored form; `InvalidInput` names the field (`event.source`, `events.3.token_usage.prompt_tokens`). */
  static fromWire<M = unknown>(raw: unknown, options: EventFromWireOptions<M> = {}): SessionEvent<M> {
    // hand-written check of the form every writer stores; anything else goes through the schema (which names the field)
    return fastEventFromWire(raw, options) ?? eventFromWireSchema(raw, options);
  }

  #assertMutable(operation: string): void {
    if (Object.isFrozen(this)) {
      throw new InvalidSessionOperation({ operation, reason: `event ${this.id} is immutable once stored` });
    }
  }
}

/** `SessionEvent.fromWire` through the schema only (no fast path): the reference the fast path is tested against. Internal. */
export function eventFromWireSchema<M = unknown>(raw: unknown, options: EventFromWireOptions<M> = {}): SessionEvent<M> {
  const field = options.field ?? 'event';
  const w = parseInput(EventEnvelopeSchema, raw, field);
  const message = options.messageSchema === undefined ? (w.message as M) : parseInput(options.messageSchema, w.message, `${field}.message`);
  return new SessionEvent<M>({
    id: w.id,
    message,
    timestamp: w.timestamp,
    source: w.source,
    type: w.type,
    metadata: w.metadata,
    parentEventId: w.parent_event_id,
    taskId: w.task_id,
    tokenUsage:
      w.token_usage === null || w.token_usage === undefined
        ? null
        : tokenUsageFromWireSchema(w.token_usage, { pricing: options.pricing, field: `${field}.token_usage` }),
    clock: options.clock,
  });
}

/** An enum value of the wire form: the default when absent, null when not one of `values` (the schema then reports). */
function enumValue<T extends string>(value: unknown, values: ReadonlySet<string>, fallback: T): T | null {
  if (value === undefined) return fallback;
  return typeof value === 'string' && values.has(value) ? (value as T) : null;
}

/** A nullable id link (`parent_event_id`, `task_id`): null when absent; undefined when it is not a string or null. */
function link(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : undefined;
}

/**
 * `EventEnvelopeSchema` (and the stored usage) without a schema parse, for well-formed stored events; null on any
 * doubt, so `eventFromWireSchema` decides and reports the failing field in its own order.
 */
function fastEventFromWire<M>(raw: unknown, options: EventFromWireOptions<M>): SessionEvent<M> | null {
  if (!isPlainObject(raw)) return null;
  const id = raw.id;
  // a missing message is an error of the schema (`z.unknown()` keys are required)
  if (typeof id !== 'string' || id === '' || raw.message === undefined) return null;
  const rawTimestamp = raw.timestamp;
  const timestamp = rawTimestamp === undefined ? undefined : canonicalTimestamp(rawTimestamp);
  const source = enumValue<EventSource>(raw.source, SOURCES, EventSource.System);
  const type = enumValue<EventType>(raw.type, TYPES, EventType.Message);
  const metadata = freeRecord(raw.metadata);
  const parentEventId = link(raw.parent_event_id);
  const taskId = link(raw.task_id);
  const rawUsage = raw.token_usage;
  const tokenUsage = rawUsage === undefined || rawUsage === null ? null : fastTokenUsageFromWire(rawUsage, options.pricing);
  if (
    timestamp === null ||
    source === null ||
    type === null ||
    metadata === null ||
    parentEventId === undefined ||
    taskId === undefined ||
    (tokenUsage === null && rawUsage !== undefined && rawUsage !== null)
  ) {
    return null;
  }
  const schema = options.messageSchema;
  const message = schema === undefined ? (raw.message as M) : parseInput(schema, raw.message, `${options.field ?? 'event'}.message`);
  return new SessionEvent<M>({ id, message, timestamp, source, type, metadata, parentEventId, taskId, tokenUsage, clock: options.clock });
}

/** The parent link of an event: the field, else the legacy `metadata.parent_event_id`. */
export function parentEventIdOf(event: {
  readonly parentEventId?: string | null;
  readonly metadata?: Readonly<Record<string, unknown>>;
}): string | null {
  if (typeof event.parentEventId === 'string') return event.parentEventId;
  const legacy = event.metadata?.[PARENT_EVENT_ID_METADATA];
  return typeof legacy === 'string' ? legacy : null;
}

import { parseInput } from '../errors/parse.js';
import type { Clock } from '../util/clock.js';
import { systemClock } from '../util/clock.js';
import { cloneJson } from '../util/json.js';
import { nowIso } from '../util/time.js';
import { SessionMetadataWireSchema } from './schemas.js';

export interface SessionMetadataInit {
  createdAt?: string;
  updatedAt?: string;
  properties?: Record<string, unknown>;
  clock?: Clock;
}

/** Creation / update times and the free-form `properties` bag of a session (sync, D1). */
export class SessionMetadata {
  createdAt: string;
  updatedAt: string;
  properties: Record<string, unknown>;
  readonly #clock: Clock;

  constructor(init: SessionMetadataInit = {}) {
    this.#clock = init.clock ?? systemClock;
    const now = init.createdAt === undefined || init.updatedAt === undefined ? nowIso(this.#clock) : '';
    this.createdAt = init.createdAt ?? now;
    this.updatedAt = init.updatedAt ?? init.createdAt ?? now;
    this.properties = init.properties ?? {};
  }

  /** New metadata whose `createdAt` and `updatedAt` are the same instant. */
  static create(properties: Record<string, unknown> = {}, clock?: Clock): SessionMetadata {
    return new SessionMetadata({ properties, clock });
  }

  setProperty(key: string, value: unknown): void {
    this.properties[key] = value;
    this.updateTimestamp();
  }

  getProperty(key: string): unknown {
    return this.properties[key];
  }

  hasProperty(key: string): boolean {
    return Object.hasOwn(this.properties, key);
  }

  /** Removes `key`; returns whether it was present (and then advances `updatedAt`). */
  removeProperty(key: string): boolean {
    if (!this.hasProperty(key)) return false;
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
    delete this.properties[key];
    this.updateTimestamp();
    return true;
  }

  updateTimestamp(): void {
    this.updatedAt = nowIso(this.#clock);
  }

  /** An independent deep copy. */
  clone(clock: Clock = this.#clock): SessionMetadata {
    return new SessionMetadata({
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      properties: cloneJson(this.properties),
      clock,
    });
  }

  toWire(): { created_at: string; updated_at: string; properties: Record<string, unknown> } {
    return { created_at: this.createdAt, updated_at: this.updatedAt, properties: this.properties };
  }

  toJSON(): ReturnType<SessionMetadata['toWire']> {
    return this.toWire();
  }

  static fromWire(raw: unknown, options: { clock?: Clock; field?: string } = {}): SessionMetadata {
    const w = parseInput(SessionMetadataWireSchema, raw, options.field ?? 'metadata');
    return new SessionMetadata({
      createdAt: w.created_at,
      updatedAt: w.updated_at,
      properties: w.properties,
      clock: options.clock,
    });
  }
}

/**
 * What a configuration under test provides to the fidelity runner. Each configuration plays the same
 * conversation, then answers every probe turn with the context the model would receive for it.
 */
import type { Conversation, Turn } from '../conversation.js';
import type { SummaryCallback } from '../summariser.js';

/** A message of the context handed to the model (structurally a `ChatMessage`). */
export interface ContextMessage {
  role: string;
  content: string;
}

/** The library's own VM tool path (`handleVmToolCall` / `MemoryManager.handleToolCall`). */
export interface VmToolAccess {
  /** Dispatches one tool call and returns the JSON content the model would get back. */
  call(name: string, args: Record<string, unknown>): Promise<string>;
}

export interface ConfigSession {
  play(turn: Turn): Promise<void>;
  /** Records the probe question as a user turn and returns the context for that turn. */
  ask(question: string): Promise<ContextMessage[]>;
  /** Records the assistant's reply to a probe. */
  reply(text: string): Promise<void>;
  /** Present when the configuration offers `search_pages` / `page_fault`. */
  vmTools?: VmToolAccess;
}

export interface ConfigEnv {
  conversation: Conversation;
  /** the context budget: a tenth of the transcript's tokens */
  budgetTokens: number;
  summariser: SummaryCallback;
  /** the summary budget the summariser keeps to */
  summaryTokens: number;
  /**
   * When set, the run is reproducible: event ids come from a generator seeded with it and the clock
   * advances one millisecond per reading from a fixed epoch. Unset, ids are random UUIDs and the
   * clock is the system's, as in production.
   */
  seed?: number;
}

export interface FidelityConfig {
  name: string;
  open(env: ConfigEnv): Promise<ConfigSession>;
  /** Untimed: loads what a first call would load lazily (token encoders), so time measures the run. */
  warmUp?(env: ConfigEnv): Promise<void>;
}

/** Thrown (or reported) when a configuration's package cannot run a conversation yet. */
export class PackageUnavailable extends Error {
  constructor(readonly packageName: string, reason: string) {
    super(`${packageName}: ${reason}`);
    this.name = 'PackageUnavailable';
  }
}

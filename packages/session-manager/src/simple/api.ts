/**
 * The simple API (conversation-and-facade.md §7.1): one function per common use, each opening a
 * fresh `SessionManager` on the given store or the default store. Unknown session ids are an
 * error (`SessionNotFound`); nothing silently creates an empty session in their place.
 */
import type { SessionStore } from '@chuk/models';
import { SessionNotFound } from '@chuk/models';
import { getDefaultStore } from '../config/default-store.js';
import { DEFAULT_MAX_TURNS_PER_SEGMENT, DEFAULT_TOKEN_THRESHOLD, UNKNOWN_MODEL, UNKNOWN_PROVIDER } from '../manager/options.js';
import type { ConversationTurn, ProviderUsage } from '../manager/options.js';
import { SessionManager } from '../manager/session-manager.js';
import type { SessionManagerStats } from '../manager/stats.js';
import { normalizeLlmResponse } from './normalize.js';

export interface TrackOptions {
  model?: string;
  provider?: string;
  /** Continue this session (it must exist). A new session when absent. */
  sessionId?: string;
  infiniteContext?: boolean;
  tokenThreshold?: number;
  maxTurns?: number;
  /** Provider-reported usage of the call. */
  usage?: ProviderUsage;
  store?: SessionStore;
}

async function resolveStore(store: SessionStore | undefined): Promise<SessionStore> {
  return store ?? (await getDefaultStore());
}

async function requireSession(store: SessionStore, sessionId: string): Promise<void> {
  if (!(await store.exists(sessionId))) throw new SessionNotFound({ sessionId });
}

async function openManager(options: TrackOptions): Promise<SessionManager> {
  const store = await resolveStore(options.store);
  if (options.sessionId !== undefined) await requireSession(store, options.sessionId);
  return new SessionManager({
    store,
    ...(options.sessionId === undefined ? {} : { sessionId: options.sessionId }),
    infiniteContext: options.infiniteContext ?? false,
    tokenThreshold: options.tokenThreshold ?? DEFAULT_TOKEN_THRESHOLD,
    maxTurnsPerSegment: options.maxTurns ?? DEFAULT_MAX_TURNS_PER_SEGMENT,
  });
}

function replyOptions(options: TrackOptions): { model: string; provider: string; usage?: ProviderUsage } {
  return {
    model: options.model ?? UNKNOWN_MODEL,
    provider: options.provider ?? UNKNOWN_PROVIDER,
    ...(options.usage === undefined ? {} : { usage: options.usage }),
  };
}

/** Records one user/assistant exchange; returns the id of the segment holding the reply. */
export async function trackConversation(userMessage: string, aiResponse: string, options: TrackOptions = {}): Promise<string> {
  const manager = await openManager(options);
  await manager.userSays(userMessage);
  return manager.aiResponds(aiResponse, replyOptions(options));
}

/** `trackConversation` in infinite mode (`maxTurns` is the segment size, default 20). */
export async function trackInfiniteConversation(
  userMessage: string,
  aiResponse: string,
  options: Omit<TrackOptions, 'infiniteContext'> = {},
): Promise<string> {
  return trackConversation(userMessage, aiResponse, { ...options, infiniteContext: true });
}

export interface TrackLlmCallOptions extends TrackOptions {
  /** Record in this manager instead of opening one. */
  sessionManager?: SessionManager;
}

export interface TrackedLlmCall {
  response: string;
  sessionId: string;
}

/**
 * Records `userInput`, awaits `llmFunction(userInput)` (sync or async), records its normalised text.
 * If the function throws, the user message stays recorded and the error propagates.
 */
export async function trackLlmCall(
  userInput: string,
  llmFunction: (input: string) => unknown,
  options: TrackLlmCallOptions = {},
): Promise<TrackedLlmCall> {
  const manager = options.sessionManager ?? (await openManager(options));
  await manager.userSays(userInput);
  const raw: unknown = await llmFunction(userInput);
  const response = normalizeLlmResponse(raw);
  const sessionId = await manager.aiResponds(response, replyOptions(options));
  return { response, sessionId };
}

/** One exchange in a new session; returns its stats. */
export async function quickConversation(
  userMessage: string,
  aiResponse: string,
  options: Omit<TrackOptions, 'sessionId'> = {},
): Promise<SessionManagerStats> {
  const manager = await openManager(options);
  await manager.userSays(userMessage);
  await manager.aiResponds(aiResponse, replyOptions(options));
  return manager.getStats();
}

export interface TrackToolUseOptions {
  sessionId?: string;
  error?: string | null;
  metadata?: Record<string, unknown>;
  store?: SessionStore;
}

/** Records one tool call (in a new session when `sessionId` is absent). */
export async function trackToolUse(
  toolName: string,
  args: Record<string, unknown>,
  result: unknown,
  options: TrackToolUseOptions = {},
): Promise<string> {
  const manager = await openManager({
    ...(options.sessionId === undefined ? {} : { sessionId: options.sessionId }),
    ...(options.store === undefined ? {} : { store: options.store }),
  });
  return manager.toolUsed(toolName, args, result, {
    ...(options.error === undefined ? {} : { error: options.error }),
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
  });
}

export interface ReadOptions {
  /** Open the session in infinite mode and include every segment of its chain. */
  includeAllSegments?: boolean;
  store?: SessionStore;
}

async function openExisting(sessionId: string, options: ReadOptions): Promise<SessionManager> {
  const store = await resolveStore(options.store);
  await requireSession(store, sessionId);
  return new SessionManager({ store, sessionId, infiniteContext: options.includeAllSegments ?? false });
}

/** Stats of an existing session (`SessionNotFound` otherwise). */
export async function getSessionStats(sessionId: string, options: ReadOptions = {}): Promise<SessionManagerStats> {
  return (await openExisting(sessionId, options)).getStats();
}

/** Turns of an existing session (`SessionNotFound` otherwise). */
export async function getConversationHistory(sessionId: string, options: ReadOptions = {}): Promise<ConversationTurn[]> {
  return (await openExisting(sessionId, options)).getConversation();
}

/** @deprecated Use `trackLlmCall` (reference alias). */
export const trackLlmInteraction = trackLlmCall;
/** @deprecated Use `quickConversation` (reference alias). */
export const quickStats = quickConversation;

import { CompressionLevel } from '../enums.js';
import type { FaultResult } from '../fault.js';
import type { MemoryPage } from '../models/page.js';
import type { MemoryManager } from './manager.js';

export type DeferredStatus = 'pending' | 'ready' | 'failed' | 'cancelled';
export type FaultUrgency = 'low' | 'normal' | 'high';

export interface DeferredPage {
  readonly pageId: string;
  readonly targetLevel: CompressionLevel;
  readonly urgency: FaultUrgency;
  /** Shown in place of the page while it loads, e.g. `"[loading msg_1a2b3c4d: <hint>]"`. */
  readonly placeholder: string;
  status: DeferredStatus;
  readonly result: Promise<FaultResult>;
  /** The page if it is ready within `timeoutMs` (default 100), else the placeholder. */
  awaitOrPlaceholder(timeoutMs?: number): Promise<MemoryPage | string>;
}

export const DEFAULT_PLACEHOLDER_TIMEOUT_MS = 100;

type Listener = (d: DeferredPage) => void;

/**
 * Non-blocking faults: a request returns at once; the load runs the normal fault path (policy, budget,
 * anti-thrash, mutation log) and maps the page into L0 when done. Concurrent requests for one page share
 * one load; low-urgency requests are cancelled on `newTurn()`.
 */
export class StreamingFaultHandler {
  private readonly inFlight = new Map<string, { deferred: DeferredPage; controller: AbortController }>();
  private readonly listeners: Record<'ready' | 'failed', Set<Listener>> = { ready: new Set(), failed: new Set() };
  private readonly unsubscribe: () => void;

  constructor(private readonly manager: MemoryManager) {
    this.unsubscribe = manager.onNewTurn(() => {
      for (const [id, f] of this.inFlight) if (f.deferred.urgency === 'low') this.cancel(id);
    });
  }

  get pending(): ReadonlyMap<string, DeferredPage> {
    return new Map([...this.inFlight].map(([id, f]) => [id, f.deferred]));
  }

  requestAsync(pageId: string, opts: { targetLevel?: CompressionLevel; urgency?: FaultUrgency; signal?: AbortSignal } = {}): DeferredPage {
    const existing = this.inFlight.get(pageId);
    if (existing) return existing.deferred;
    const controller = new AbortController();
    opts.signal?.addEventListener('abort', () => this.cancel(pageId), { once: true });
    const hint = this.manager.hints.get(pageId) ?? '';
    const placeholder = `[loading ${pageId}${hint ? `: ${hint}` : ''}]`;
    const targetLevel = opts.targetLevel ?? CompressionLevel.Abstract;
    const result = this.manager.handleFault(pageId, targetLevel, { signal: controller.signal }).then((r) => {
      deferred.status = r.success ? 'ready' : controller.signal.aborted ? 'cancelled' : 'failed';
      if (this.inFlight.get(pageId)?.deferred === deferred) this.inFlight.delete(pageId);
      if (deferred.status === 'ready' || deferred.status === 'failed') for (const cb of this.listeners[deferred.status]) cb(deferred);
      return r;
    });
    const deferred: DeferredPage = {
      pageId,
      targetLevel,
      urgency: opts.urgency ?? 'normal',
      placeholder,
      status: 'pending',
      result,
      awaitOrPlaceholder: async (timeoutMs = DEFAULT_PLACEHOLDER_TIMEOUT_MS) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<string>((resolve) => {
          timer = setTimeout(() => {
            resolve(placeholder);
          }, timeoutMs);
        });
        try {
          return await Promise.race([result.then((r) => (r.success && r.page ? r.page : placeholder)), timeout]);
        } finally {
          clearTimeout(timer);
        }
      },
    };
    if (opts.signal?.aborted) controller.abort();
    this.inFlight.set(pageId, { deferred, controller });
    return deferred;
  }

  /** Cancel a pending request (a load already running completes, and the status then says so). */
  cancel(pageId: string): boolean {
    const f = this.inFlight.get(pageId);
    if (!f) return false;
    f.controller.abort();
    f.deferred.status = 'cancelled';
    this.inFlight.delete(pageId);
    return true;
  }

  /** "Upgrade placeholder" hook. Returns an unsubscribe function. */
  on(event: 'ready' | 'failed', cb: Listener): () => void {
    this.listeners[event].add(cb);
    return () => this.listeners[event].delete(cb);
  }

  /** Stop listening to the manager's turns. */
  dispose(): void {
    this.unsubscribe();
  }
}

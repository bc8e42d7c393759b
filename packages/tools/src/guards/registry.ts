import { ToolStateManager } from './manager.js';
import type { ToolStateManagerOptions } from './manager.js';

/** One `ToolStateManager` per session or agent id, with optional LRU bound. */
export class ToolStateRegistry {
  private readonly managers = new Map<string, ToolStateManager>();

  constructor(
    private readonly opts: { maxSize?: number; defaults?: ToolStateManagerOptions } = {},
  ) {}

  get(key: string, opts?: ToolStateManagerOptions): ToolStateManager {
    const existing = this.managers.get(key);
    if (existing !== undefined) {
      this.managers.delete(key);
      this.managers.set(key, existing);
      return existing;
    }
    const created = new ToolStateManager({ ...this.opts.defaults, ...opts });
    this.managers.set(key, created);
    const max = this.opts.maxSize;
    if (max !== undefined) {
      while (this.managers.size > max) {
        const oldest = this.managers.keys().next();
        if (oldest.done === true) break;
        this.managers.delete(oldest.value);
      }
    }
    return created;
  }

  has(key: string): boolean {
    return this.managers.has(key);
  }

  delete(key: string): boolean {
    return this.managers.delete(key);
  }

  clear(): void {
    this.managers.clear();
  }

  get size(): number {
    return this.managers.size;
  }
}

let defaultInstance: ToolStateManager | null = null;

/** Process-wide manager (reference parity; prefer `ToolStateRegistry`). */
export function getToolState(): ToolStateManager {
  defaultInstance ??= new ToolStateManager();
  return defaultInstance;
}

/** Clear the process-wide manager and replace it with a new one. */
export async function resetToolState(): Promise<ToolStateManager> {
  if (defaultInstance !== null) await defaultInstance.clear();
  defaultInstance = new ToolStateManager();
  return defaultInstance;
}

import type { Logger } from '@chuk/models';
import { StorageError, isSessionManagerError } from '@chuk/models';
import { createRedisClient, isCluster, type RedisClient } from './create-client.js';
import { SCRIPT_COMMANDS } from './scripts.js';

export const REDIS_BACKEND = 'redis';

type ScriptName = keyof typeof SCRIPT_COMMANDS;
type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

/** Keys per script (the read script needs only the hash and the event list). */
const SCRIPT_KEY_COUNT: Record<ScriptName, number> = { create: 3, append: 3, updateHeader: 3, extendTtl: 3, read: 2 };

export interface ConnectionOptions {
  client?: RedisClient;
  url: string;
  tlsInsecure: boolean;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  maxRetriesPerRequest: number;
  autoPipelining: boolean;
  logger: Logger;
}

/**
 * One Redis client per store for its whole lifetime (spec §13.1): created without I/O, connected
 * on the first command, reconnecting by itself. An injected client is used, never quit.
 */
export class RedisConnection {
  readonly client: RedisClient;
  readonly owned: boolean;
  readonly cluster: boolean;
  private scriptsDefined = false;
  private closed = false;
  private readonly logger: Logger;

  constructor(options: ConnectionOptions) {
    this.logger = options.logger;
    this.owned = options.client === undefined;
    this.client =
      options.client ??
      createRedisClient(options.url, {
        tlsInsecure: options.tlsInsecure,
        commandTimeoutMs: options.commandTimeoutMs,
        connectTimeoutMs: options.connectTimeoutMs,
        maxRetriesPerRequest: options.maxRetriesPerRequest,
        autoPipelining: options.autoPipelining,
      });
    this.cluster = isCluster(this.client);
    if (this.owned) {
      // Connection errors surface on the commands; without a listener ioredis would print them.
      this.client.on('error', (error: unknown) => {
        this.logger.debug({ err: error, backend: REDIS_BACKEND }, 'redis connection error');
      });
    }
  }

  /** Runs one of the Lua scripts (EVALSHA, falling back to EVAL once per script). */
  script(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (!this.scriptsDefined) {
      for (const [key, def] of Object.entries(SCRIPT_COMMANDS)) {
        this.client.defineCommand(def.name, { numberOfKeys: SCRIPT_KEY_COUNT[key as ScriptName], lua: def.lua });
      }
      this.scriptsDefined = true;
    }
    const fn = (this.client as unknown as Record<string, ScriptFn>)[SCRIPT_COMMANDS[name].name] as ScriptFn;
    return fn.call(this.client, ...keys, ...args);
  }

  assertOpen(operation: string): void {
    if (this.closed) {
      throw new StorageError({ operation, backend: REDIS_BACKEND, cause: new Error('store is closed') });
    }
  }

  /** Quits an owned client (waits for pending replies; falls back to disconnect on failure). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.owned) return;
    if (this.client.status === 'wait' || this.client.status === 'end') {
      this.client.disconnect();
      return;
    }
    try {
      await this.client.quit();
    } catch (error) {
      this.logger.debug({ err: error, backend: REDIS_BACKEND }, 'redis quit failed; disconnecting');
      this.client.disconnect();
    }
  }
}

/** Wraps anything that is not already a chuk error into `StorageError(operation, "redis", cause)`. */
export async function guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isSessionManagerError(error)) throw error;
    throw new StorageError({ operation, backend: REDIS_BACKEND, cause: error });
  }
}

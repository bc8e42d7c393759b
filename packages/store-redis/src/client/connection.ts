import type { Redis } from 'ioredis';
import type { Logger } from '@chuk/models';
import { StorageError, isSessionManagerError } from '@chuk/models';
import { createRedisClient, isCluster, type RedisClient } from './create-client.js';
import { SCRIPTS, type ScriptName } from './scripts.js';

export const REDIS_BACKEND = 'redis';

/**
 * A command of this many bytes or more is not held back for the end of the turn: coalescing it
 * saves no system call worth its delay, and Redis can run it while the next large command (a batch
 * of events of another session) is still being encoded.
 */
export const LARGE_COMMAND_BYTES = 16 * 1024;

/** The error Redis answers an EVALSHA with when it does not know the script (yet). */
const NOSCRIPT = 'NOSCRIPT';

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

type Corkable = Pick<NonNullable<Redis['stream']>, 'cork' | 'uncork' | 'destroyed' | 'writableLength'>;

const noop = (): void => undefined;

/** Shorter command timeouts get no anchor timer (it would wake the process too often). */
const MIN_ANCHORED_TIMEOUT_MS = 1_000;

/** The per-command timeout the client arms (ioredis `commandTimeout`), if any. */
function commandTimeoutOf(client: RedisClient): number | undefined {
  const options = isCluster(client) ? client.options.redisOptions : client.options;
  return options?.commandTimeout;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith(NOSCRIPT);
}

/**
 * One Redis client per store for its whole lifetime (spec §13.1): created without I/O, connected
 * on the first command, reconnecting by itself. An injected client is used, never quit.
 *
 * With `autoPipelining` on a standalone server the commands the store issues within one event-loop
 * turn leave in one socket write: the socket is corked at the first of them and uncorked by a
 * `setImmediate` (after the I/O callbacks of the turn). The next batch does not wait for the replies
 * of the previous one (unlike ioredis' own auto-pipelining, which the created client uses on Cluster).
 */
export class RedisConnection {
  readonly client: RedisClient;
  readonly owned: boolean;
  readonly cluster: boolean;
  private readonly coalesce: boolean;
  private corked: Corkable | null = null;
  private closed = false;
  private readonly logger: Logger;
  /**
   * An idle timer of the same duration as ioredis' per-command timeout. Node keeps one list per
   * timer duration and tears it down (re-arming its native timer) whenever it empties — which a
   * caller awaiting one command at a time does on every command; with this timer in it the list
   * never empties and arming a command's timeout is a list append. Unref'd, cleared by close(); none
   * for timeouts under a second.
   */
  private readonly timerAnchor: ReturnType<typeof setInterval> | null;

  constructor(options: ConnectionOptions) {
    this.logger = options.logger;
    this.owned = options.client === undefined;
    const clusterUrl = options.url.includes(',');
    this.client =
      options.client ??
      createRedisClient(options.url, {
        tlsInsecure: options.tlsInsecure,
        commandTimeoutMs: options.commandTimeoutMs,
        connectTimeoutMs: options.connectTimeoutMs,
        maxRetriesPerRequest: options.maxRetriesPerRequest,
        autoPipelining: options.autoPipelining && clusterUrl,
      });
    this.cluster = isCluster(this.client);
    this.coalesce = options.autoPipelining && !this.cluster && this.client.options.enableAutoPipelining !== true;
    const timeoutMs = commandTimeoutOf(this.client);
    this.timerAnchor = timeoutMs !== undefined && timeoutMs >= MIN_ANCHORED_TIMEOUT_MS ? setInterval(noop, timeoutMs).unref() : null;
    if (this.owned) {
      // Connection errors surface on the commands; without a listener ioredis would print them.
      this.client.on('error', (error: unknown) => {
        this.logger.debug({ err: error, backend: REDIS_BACKEND }, 'redis connection error');
      });
    }
  }

  /** The client, for a command about to be sent (coalesced with the others of this tick when enabled). */
  command(): RedisClient {
    if (this.coalesce && this.corked === null) {
      const stream = (this.client as Redis).stream as Corkable | undefined;
      if (stream !== undefined && !stream.destroyed) {
        this.corked = stream;
        stream.cork();
        setImmediate(() => {
          this.corked = null;
          stream.uncork();
        });
      }
    }
    return this.client;
  }

  /** Bytes waiting in the corked socket (0 when not corked). */
  private pendingBytes(): number {
    return this.corked?.writableLength ?? 0;
  }

  /** Sends the corked commands now when the last one was large (the socket stays corked for the turn). */
  private flushAfterLarge(pendingBefore: number): void {
    const stream = this.corked;
    if (stream !== null && stream.writableLength - pendingBefore >= LARGE_COMMAND_BYTES) {
      stream.uncork();
      stream.cork();
    }
  }

  /**
   * Runs one of the Lua scripts by `EVALSHA`; a server that does not know it yet (new server,
   * restart, `SCRIPT FLUSH`, another Cluster node) answers NOSCRIPT and gets it once as `EVAL`.
   * `argv` holds the script's keys first, then its arguments.
   */
  async script(name: ScriptName, argv: readonly (string | number)[]): Promise<unknown> {
    const def = SCRIPTS[name];
    try {
      const client = this.command();
      const pending = this.pendingBytes();
      const reply = client.evalsha(def.sha, def.keys, ...argv);
      this.flushAfterLarge(pending);
      return await reply;
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return this.command().eval(def.lua, def.keys, ...argv);
    }
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
    if (this.timerAnchor !== null) clearInterval(this.timerAnchor);
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

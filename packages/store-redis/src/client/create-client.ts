import { Cluster, Redis } from 'ioredis';
import type { ClusterNode, RedisOptions } from 'ioredis';

/** Default client-side bound on one command (ms): a dead server fails fast instead of hanging. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;
/** Default TCP connect timeout (ms). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** Reconnect attempts a queued command waits for before it fails (ioredis `maxRetriesPerRequest`). */
export const DEFAULT_MAX_RETRIES_PER_REQUEST = 2;
/** Longest pause between two reconnect attempts (ms); the client keeps reconnecting forever. */
export const MAX_RECONNECT_DELAY_MS = 1_000;
/** Pause growth per reconnect attempt (ms). */
export const RECONNECT_DELAY_STEP_MS = 50;
/** Default Redis port when a cluster node omits it. */
export const DEFAULT_REDIS_PORT = 6379;

export interface CreateRedisClientOptions {
  /** Disable TLS certificate checks; only honoured for `rediss://` URLs (as in the reference). */
  tlsInsecure?: boolean;
  /** Per-command timeout in ms (default 5000). */
  commandTimeoutMs?: number;
  /** TCP connect timeout in ms (default 5000). */
  connectTimeoutMs?: number;
  /** ioredis `maxRetriesPerRequest` (default 2). */
  maxRetriesPerRequest?: number;
  /** ioredis `enableAutoPipelining` (default false): one socket write per tick for concurrent callers. */
  autoPipelining?: boolean;
}

export type RedisClient = Redis | Cluster;

/** Reconnect forever with a short, capped delay, so the same client works again after an outage. */
export function reconnectDelay(attempt: number): number {
  return Math.min(attempt * RECONNECT_DELAY_STEP_MS, MAX_RECONNECT_DELAY_MS);
}

interface ParsedClusterUrl {
  nodes: ClusterNode[];
  tls: boolean;
  username?: string;
  password?: string;
}

/** Parses `redis[s]://[user:pass@]h1:p1,h2:p2[/db]` (spec §12.1): scheme and `/db` dropped, port 6379 default. */
export function parseClusterUrl(url: string): ParsedClusterUrl {
  const tls = url.startsWith('rediss://');
  let rest = url.replace(/^rediss?:\/\//, '');
  let username: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const auth = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = auth.indexOf(':');
    const user = decodeURIComponent(colon >= 0 ? auth.slice(0, colon) : '');
    const pass = decodeURIComponent(colon >= 0 ? auth.slice(colon + 1) : auth);
    if (user !== '') username = user;
    if (pass !== '') password = pass;
  }
  rest = rest.replace(/\/\d*$/, '');
  const nodes = rest
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const colon = part.lastIndexOf(':');
      if (colon < 0) return { host: part, port: DEFAULT_REDIS_PORT };
      const port = Number(part.slice(colon + 1));
      return { host: part.slice(0, colon), port: Number.isInteger(port) && port > 0 ? port : DEFAULT_REDIS_PORT };
    });
  return { nodes, tls, ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) };
}

function connectionOptions(options: CreateRedisClientOptions): RedisOptions {
  return {
    lazyConnect: true,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? DEFAULT_MAX_RETRIES_PER_REQUEST,
    enableAutoPipelining: options.autoPipelining ?? false,
    // A command written before a disconnect is failed, not silently re-sent after reconnecting:
    // the caller sees the ambiguity (and retries idempotently by event id).
    autoResendUnfulfilledCommands: false,
  };
}

/**
 * One client for a URL (spec §13.1): a comma in the URL selects Redis Cluster. No I/O happens
 * here (lazy connect on the first command); the client reconnects by itself after an outage.
 */
export function createRedisClient(url: string, options: CreateRedisClientOptions = {}): RedisClient {
  const secure = url.startsWith('rediss://');
  const tls = secure ? (options.tlsInsecure === true ? { rejectUnauthorized: false } : {}) : undefined;
  const base = connectionOptions(options);
  if (url.includes(',')) {
    const parsed = parseClusterUrl(url);
    const { lazyConnect, ...redisOptions } = base;
    const { enableAutoPipelining, ...nodeOptions } = redisOptions;
    return new Cluster(parsed.nodes, {
      lazyConnect,
      ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
      enableOfflineQueue: true,
      clusterRetryStrategy: reconnectDelay,
      redisOptions: {
        ...nodeOptions,
        ...(tls === undefined ? {} : { tls }),
        ...(parsed.username === undefined ? {} : { username: parsed.username }),
        ...(parsed.password === undefined ? {} : { password: parsed.password }),
      },
    });
  }
  return new Redis(url, { ...base, retryStrategy: reconnectDelay, ...(tls === undefined ? {} : { tls }) });
}

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster || (client as { isCluster?: boolean }).isCluster === true;
}

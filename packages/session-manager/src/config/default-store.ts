/**
 * The process-wide default store and the package helpers of conversation-and-facade.md §7.2. No
 * import side effects: the store is built lazily, once, from the environment (§8). The store
 * packages are optional peers, loaded by dynamic import only when chosen.
 */
import type { SessionStore, StoreStats } from '@chuk/models';
import type * as RedisStoreModule from '@chuk/store-redis';
import type * as S3StoreModule from '@chuk/store-s3';
import { InMemorySessionStore, MissingDependency } from '@chuk/models';
import type { StorageConfig } from './env.js';
import {
  StorageProvider,
  StorageConfigSchema,
  redactRedisUrl,
  storageConfigFromEnv,
  ttlSecondsOf,
  validateStorageConfig,
} from './env.js';

export const REDIS_STORE_PACKAGE = '@chuk/store-redis';
export const S3_STORE_PACKAGE = '@chuk/store-s3';

/** Loaders of the optional store packages (replaceable in tests through `setStoreModuleLoaders`). */
export interface StoreModuleLoaders {
  redis: () => Promise<typeof RedisStoreModule>;
  s3: () => Promise<typeof S3StoreModule>;
}

const defaultLoaders: StoreModuleLoaders = {
  redis: () => import('@chuk/store-redis'),
  s3: () => import('@chuk/store-s3'),
};
let loaders: StoreModuleLoaders = defaultLoaders;

/** Replaces the optional-package loaders (tests; bundlers with custom resolution). `null` restores them. */
export function setStoreModuleLoaders(next: Partial<StoreModuleLoaders> | null): void {
  loaders = next === null ? defaultLoaders : { ...defaultLoaders, ...next };
}

/** True when `error` says that `packageName` itself cannot be found (not a failure inside it). */
function isMissingPackage(error: unknown, packageName: string): boolean {
  return error instanceof Error && error.message.includes(packageName);
}

async function loadOptional<T>(load: () => Promise<T>, packageName: string, provider: StorageProvider): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isMissingPackage(error, packageName)) throw error;
    throw new MissingDependency({
      packageName,
      feature: `SESSION_PROVIDER=${provider}`,
      message: `SESSION_PROVIDER=${provider} requires the optional package '${packageName}'; install it with: npm install ${packageName}`,
      cause: error,
    });
  }
}

/** Builds the store a `StorageConfig` describes (no I/O: the store packages connect lazily). */
export async function createStoreFromConfig(config: StorageConfig): Promise<SessionStore> {
  validateStorageConfig(config);
  const ttlSeconds = ttlSecondsOf(config);
  switch (config.provider) {
    case StorageProvider.Redis: {
      const mod = await loadOptional(loaders.redis, REDIS_STORE_PACKAGE, config.provider);
      return new mod.RedisSessionStore({
        url: config.redisUrl,
        keyPrefix: config.keyPrefix,
        sandboxId: config.sandboxId,
        ttlSeconds,
        tlsInsecure: config.redisTlsInsecure,
      });
    }
    case StorageProvider.S3: {
      const mod = await loadOptional(loaders.s3, S3_STORE_PACKAGE, config.provider);
      const clientConfig: { region?: string; endpoint?: string; forcePathStyle: boolean } = {
        forcePathStyle: config.s3.forcePathStyle,
      };
      if (config.s3.region !== undefined) clientConfig.region = config.s3.region;
      if (config.s3.endpoint !== undefined) clientConfig.endpoint = config.s3.endpoint;
      return new mod.S3SessionStore({
        bucket: config.s3.bucket as string,
        prefix: config.s3.prefix,
        ttlSeconds,
        clientConfig,
      });
    }
    default:
      return new InMemorySessionStore({ ttlSeconds });
  }
}

interface DefaultStoreState {
  config: StorageConfig;
  store: Promise<SessionStore>;
}

let current: DefaultStoreState | null = null;

function build(config: StorageConfig): DefaultStoreState {
  const state: DefaultStoreState = { config, store: createStoreFromConfig(config) };
  // A failed build is not cached: the next call tries again (e.g. after installing the package).
  state.store.catch(() => {
    if (current === state) current = null;
  });
  return state;
}

/** The process-wide default store, built once from the environment. */
export async function getDefaultStore(): Promise<SessionStore> {
  current ??= build(storageConfigFromEnv());
  return current.store;
}

/** Makes `store` the default store (the configuration reported by `getStorageInfo` stays the environment's). */
export function setDefaultStore(store: SessionStore): void {
  current = { config: current?.config ?? storageConfigFromEnv(), store: Promise.resolve(store) };
}

/** Forgets the default store (tests); the next `getDefaultStore()` builds a new one. */
export function resetDefaultStore(): void {
  current = null;
}

/** Builds a store from `config` merged over the environment's and makes it the default. */
export async function configureStorage(config: Partial<StorageConfig> = {}): Promise<SessionStore> {
  const base = storageConfigFromEnv();
  const merged = StorageConfigSchema.parse({ ...base, ...config, s3: { ...base.s3, ...config.s3 } });
  const state = build(validateStorageConfig(merged));
  const store = await state.store;
  current = state;
  return store;
}

export interface StorageInfo {
  provider: StorageProvider;
  backend: string | null;
  sandboxId: string;
  /** The Redis URL with the password replaced by `***`; null unless the provider is redis. */
  redisUrl: string | null;
  s3Bucket: string | null;
  stats?: StoreStats;
  error?: string;
}

/** What the default store is; never throws (errors are reported in `error`). */
export async function getStorageInfo(): Promise<StorageInfo> {
  let config: StorageConfig;
  try {
    config = current?.config ?? storageConfigFromEnv();
  } catch (error) {
    return {
      provider: StorageProvider.Memory,
      backend: null,
      sandboxId: '',
      redisUrl: null,
      s3Bucket: null,
      error: error instanceof Error ? error.message : String(error),
    };
  }
  const info: StorageInfo = {
    provider: config.provider,
    backend: null,
    sandboxId: config.sandboxId,
    redisUrl: config.provider === StorageProvider.Redis ? redactRedisUrl(config.redisUrl) : null,
    s3Bucket: config.provider === StorageProvider.S3 ? (config.s3.bucket ?? null) : null,
  };
  try {
    const store = await getDefaultStore();
    info.backend = store.backend;
    info.stats = await store.getStats();
  } catch (error) {
    info.error = error instanceof Error ? error.message : String(error);
  }
  return info;
}

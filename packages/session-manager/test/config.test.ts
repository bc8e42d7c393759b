import { InMemorySessionStore, InvalidInput, MissingDependency } from '@chuk/models';
import type * as RedisStoreModule from '@chuk/store-redis';
import type * as S3StoreModule from '@chuk/store-s3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  configureStorage,
  createStoreFromConfig,
  getDefaultStore,
  getStorageInfo,
  resetDefaultStore,
  setDefaultStore,
  setStoreModuleLoaders,
} from '../src/config/default-store.js';
import {
  StorageConfigSchema,
  defaultModelFromEnv,
  loadConfigFromEnv,
  redactRedisUrl,
  storageConfigFromEnv,
  ttlSecondsOf,
} from '../src/config/env.js';
import { VERSION, getCapabilities, getVersion, probeModule } from '../src/config/capabilities.js';
import packageJson from '../package.json' with { type: 'json' };

afterEach(() => {
  resetDefaultStore();
  setStoreModuleLoaders(null);
});

function invalid(fn: () => unknown): InvalidInput {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidInput) return error;
    throw error;
  }
  throw new Error('expected InvalidInput');
}

describe('loadConfigFromEnv', () => {
  it('has the documented defaults', () => {
    expect(loadConfigFromEnv({})).toEqual({
      defaultModel: 'gpt-4o-mini',
      storage: {
        provider: 'memory',
        sandboxId: 'chuk-ai-session-manager',
        ttlHours: 24,
        redisUrl: 'redis://localhost:6379/0',
        redisTlsInsecure: false,
        keyPrefix: 'chuk:',
        s3: { prefix: 'chuk/', forcePathStyle: false },
      },
    });
  });

  it('reads every variable', () => {
    const config = loadConfigFromEnv({
      CHUK_DEFAULT_MODEL: 'gpt-4o',
      SESSION_PROVIDER: 'S3',
      SESSION_REDIS_URL: 'redis://a:6379',
      REDIS_TLS_INSECURE: 'yes',
      SESSION_TTL_HOURS: '0',
      CHUK_SANDBOX_ID: 'box',
      SESSION_KEY_PREFIX: 'app:',
      SESSION_S3_BUCKET: 'bucket',
      SESSION_S3_PREFIX: 'p/',
      SESSION_S3_REGION: 'eu-west-1',
      SESSION_S3_ENDPOINT: 'http://127.0.0.1:4569',
      SESSION_S3_FORCE_PATH_STYLE: 'true',
      SESSION_DEFAULT_TTL: 'ignored',
    });
    expect(config.defaultModel).toBe('gpt-4o');
    expect(config.storage).toEqual({
      provider: 's3',
      sandboxId: 'box',
      ttlHours: 0,
      redisUrl: 'redis://a:6379',
      redisTlsInsecure: true,
      keyPrefix: 'app:',
      s3: { bucket: 'bucket', prefix: 'p/', region: 'eu-west-1', endpoint: 'http://127.0.0.1:4569', forcePathStyle: true },
    });
  });

  it('uses the fallback variables and treats empty values as unset', () => {
    const storage = storageConfigFromEnv({ REDIS_URL: 'redis://b', CHUK_HOST_SANDBOX_ID: 'host', AWS_REGION: 'us-east-2', SESSION_PROVIDER: '' });
    expect(storage.redisUrl).toBe('redis://b');
    expect(storage.sandboxId).toBe('host');
    expect(storage.s3.region).toBe('us-east-2');
    expect(storage.provider).toBe('memory');
  });

  it.each([
    ['memory', 'memory'],
    ['mem', 'memory'],
    ['InMemory', 'memory'],
    ['redis', 'redis'],
    ['redis_store', 'redis'],
    [' s3 ', 's3'],
  ])('accepts the provider alias %s', (raw, expected) => {
    expect(storageConfigFromEnv({ SESSION_PROVIDER: raw }).provider).toBe(expected);
  });

  it.each([
    [{ SESSION_PROVIDER: 'dynamodb' }, 'SESSION_PROVIDER'],
    [{ SESSION_TTL_HOURS: 'soon' }, 'SESSION_TTL_HOURS'],
    [{ SESSION_TTL_HOURS: '-1' }, 'SESSION_TTL_HOURS'],
    [{ REDIS_TLS_INSECURE: 'maybe' }, 'REDIS_TLS_INSECURE'],
    [{ SESSION_S3_ENDPOINT: 'not a url' }, 'SESSION_S3_ENDPOINT'],
    [{ SESSION_PROVIDER: 's3' }, 'SESSION_S3_BUCKET'],
  ])('names the variable of an invalid value (%o)', (env, variable) => {
    const error = invalid(() => loadConfigFromEnv(env));
    expect(error.field).toBe(variable);
    expect(error.message).toContain(variable);
  });

  it('reads the default model alone', () => {
    expect(defaultModelFromEnv({ CHUK_DEFAULT_MODEL: ' claude-3-haiku ' })).toBe('claude-3-haiku');
    expect(defaultModelFromEnv({ CHUK_DEFAULT_MODEL: '' })).toBe('gpt-4o-mini');
    expect(defaultModelFromEnv({})).toBe('gpt-4o-mini');
  });

  it('reads process.env by default', () => {
    expect(loadConfigFromEnv().storage.provider).toBeTypeOf('string');
  });
});

describe('helpers', () => {
  it('converts ttlHours to seconds (0 = never)', () => {
    expect(ttlSecondsOf(StorageConfigSchema.parse({ ttlHours: 2 }))).toBe(7200);
    expect(ttlSecondsOf(StorageConfigSchema.parse({ ttlHours: 0 }))).toBeNull();
  });

  it('redacts Redis passwords, also in cluster lists', () => {
    expect(redactRedisUrl('redis://user:secret@host:6379/0')).toBe('redis://user:***@host:6379/0');
    expect(redactRedisUrl('rediss://:secret@host')).toBe('rediss://:***@host');
    expect(redactRedisUrl('redis://a:1,redis://u:p@b:2')).toBe('redis://a:1,redis://u:***@b:2');
    expect(redactRedisUrl('redis://localhost:6379')).toBe('redis://localhost:6379');
  });

  it('reports the package version', () => {
    expect(VERSION).toBe(packageJson.version);
    expect(getVersion()).toBe(VERSION);
  });

  it('probes optional packages', async () => {
    expect(await probeModule('zod')).toBe(true);
    expect(await probeModule('@chuk/definitely-not-installed')).toBe(false);
    const caps = await getCapabilities(async (specifier) => specifier === 'gpt-tokenizer');
    expect(caps).toMatchObject({ sessionManager: true, toolProcessor: true, redisSupport: false, s3Support: false, enhancedTokenCounting: true });
    expect((await getCapabilities(async () => false)).enhancedTokenCounting).toBe(false);
  });
});

describe('default store', () => {
  it('is one shared in-memory store by default', async () => {
    const a = await getDefaultStore();
    const b = await getDefaultStore();
    expect(a).toBe(b);
    expect(a.backend).toBe('memory');
  });

  it('can be replaced and reset', async () => {
    const store = new InMemorySessionStore();
    setDefaultStore(store);
    expect(await getDefaultStore()).toBe(store);
    resetDefaultStore();
    expect(await getDefaultStore()).not.toBe(store);
  });

  it('throws MissingDependency naming the package to install', async () => {
    setStoreModuleLoaders({ redis: () => Promise.reject(new Error("Cannot find package '@chuk/store-redis'")) });
    const config = StorageConfigSchema.parse({ provider: 'redis' });
    const error = await createStoreFromConfig(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingDependency);
    expect((error as MissingDependency).packageName).toBe('@chuk/store-redis');
    expect((error as MissingDependency).feature).toBe('SESSION_PROVIDER=redis');
    expect((error as Error).message).toContain('npm install @chuk/store-redis');
  });

  it('does not cache a failed default store', async () => {
    setStoreModuleLoaders({ s3: () => Promise.reject(new Error("Cannot find package '@chuk/store-s3'")) });
    await expect(configureStorage({ provider: 's3', s3: { bucket: 'b', prefix: 'x/', forcePathStyle: false } })).rejects.toBeInstanceOf(
      MissingDependency,
    );
    setStoreModuleLoaders(null);
    expect((await getDefaultStore()).backend).toBe('memory');
  });

  it('configureStorage validates and becomes the default', async () => {
    await expect(configureStorage({ provider: 's3' })).rejects.toBeInstanceOf(InvalidInput);
    const store = await configureStorage({ provider: 'memory', ttlHours: 1 });
    expect(await getDefaultStore()).toBe(store);
  });

  it('builds the redis and s3 stores with the configured options', async () => {
    const seen: unknown[] = [];
    class FakeStore extends InMemorySessionStore {
      constructor(options: unknown) {
        super();
        seen.push(options);
      }
    }
    setStoreModuleLoaders({
      redis: async () => ({ RedisSessionStore: FakeStore }) as unknown as typeof RedisStoreModule,
      s3: async () => ({ S3SessionStore: FakeStore }) as unknown as typeof S3StoreModule,
    });
    await createStoreFromConfig(StorageConfigSchema.parse({ provider: 'redis', redisUrl: 'redis://h:1/0', ttlHours: 1, redisTlsInsecure: true }));
    await createStoreFromConfig(
      StorageConfigSchema.parse({ provider: 's3', ttlHours: 0, s3: { bucket: 'b', endpoint: 'http://127.0.0.1:1', region: 'us-east-1', forcePathStyle: true } }),
    );
    await createStoreFromConfig(StorageConfigSchema.parse({ provider: 's3', s3: { bucket: 'b', forcePathStyle: false } }));
    expect(seen).toEqual([
      { url: 'redis://h:1/0', keyPrefix: 'chuk:', sandboxId: 'chuk-ai-session-manager', ttlSeconds: 3600, tlsInsecure: true },
      { bucket: 'b', prefix: 'chuk/', ttlSeconds: null, clientConfig: { region: 'us-east-1', endpoint: 'http://127.0.0.1:1', forcePathStyle: true } },
      { bucket: 'b', prefix: 'chuk/', ttlSeconds: 86400, clientConfig: { forcePathStyle: false } },
    ]);
  });

  it('builds the real redis store through the optional package', async () => {
    const redis = await createStoreFromConfig(StorageConfigSchema.parse({ provider: 'redis', redisUrl: 'redis://127.0.0.1:1/0' }));
    expect(redis.backend).toBe('redis');
    await redis.close();
  });

  it('rethrows a failure inside an installed package unchanged', async () => {
    const inner = new Error("Cannot find module 'some-internal-file'");
    setStoreModuleLoaders({ redis: () => Promise.reject(inner) });
    await expect(createStoreFromConfig(StorageConfigSchema.parse({ provider: 'redis' }))).rejects.toBe(inner);
  });

  it('getStorageInfo reports the store and never throws', async () => {
    const info = await getStorageInfo();
    expect(info).toMatchObject({ provider: 'memory', backend: 'memory', redisUrl: null, s3Bucket: null });
    expect(info.stats?.backend).toBe('memory');
    setStoreModuleLoaders({ redis: () => Promise.reject(new Error("Cannot find package '@chuk/store-redis'")) });
    resetDefaultStore();
    const previous = process.env.SESSION_PROVIDER;
    const previousUrl = process.env.SESSION_REDIS_URL;
    process.env.SESSION_PROVIDER = 'redis';
    process.env.SESSION_REDIS_URL = 'redis://u:pw@h:6379';
    try {
      const failed = await getStorageInfo();
      expect(failed.provider).toBe('redis');
      expect(failed.redisUrl).toBe('redis://u:***@h:6379');
      expect(failed.error).toContain('@chuk/store-redis');
      process.env.SESSION_PROVIDER = 'nope';
      resetDefaultStore();
      expect((await getStorageInfo()).error).toContain('SESSION_PROVIDER');
    } finally {
      if (previous === undefined) delete process.env.SESSION_PROVIDER;
      else process.env.SESSION_PROVIDER = previous;
      if (previousUrl === undefined) delete process.env.SESSION_REDIS_URL;
      else process.env.SESSION_REDIS_URL = previousUrl;
    }
  });
});

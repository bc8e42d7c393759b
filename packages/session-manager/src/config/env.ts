/**
 * Configuration from the environment (conversation-and-facade.md §8). Pure and zod-validated:
 * an invalid value throws `InvalidInput` whose `field` is the name of the environment variable.
 * No `.env` loading; applications do that themselves.
 */
import { DEFAULT_TOKEN_MODEL, InvalidInput } from '@chuk/models';
import { z } from 'zod';

export const StorageProvider = { Memory: 'memory', Redis: 'redis', S3: 's3' } as const;
export type StorageProvider = (typeof StorageProvider)[keyof typeof StorageProvider];
export const StorageProviderSchema = z.enum([StorageProvider.Memory, StorageProvider.Redis, StorageProvider.S3]);

/** Accepted spellings of `SESSION_PROVIDER` (the reference's aliases plus `s3`). */
export const STORAGE_PROVIDER_ALIASES: Readonly<Record<string, StorageProvider>> = {
  memory: StorageProvider.Memory,
  mem: StorageProvider.Memory,
  inmemory: StorageProvider.Memory,
  redis: StorageProvider.Redis,
  redis_store: StorageProvider.Redis,
  s3: StorageProvider.S3,
};

export const DEFAULT_SANDBOX_ID = 'chuk-ai-session-manager';
export const DEFAULT_REDIS_URL = 'redis://localhost:6379/0';
export const DEFAULT_TTL_HOURS = 24;
export const DEFAULT_KEY_PREFIX = 'chuk:';
export const DEFAULT_S3_PREFIX = 'chuk/';
export const SECONDS_PER_HOUR = 3600;

export const S3ConfigSchema = z.object({
  bucket: z.string().min(1).optional().describe('S3 bucket (required when provider is s3)'),
  prefix: z.string().default(DEFAULT_S3_PREFIX).describe('key prefix inside the bucket'),
  region: z.string().min(1).optional().describe('S3 region; the AWS SDK default chain when absent'),
  endpoint: z.url().optional().describe('custom endpoint (MinIO, s3rver)'),
  forcePathStyle: z.boolean().default(false).describe('path-style URLs'),
});
export type S3Config = z.infer<typeof S3ConfigSchema>;

export const StorageConfigSchema = z.object({
  provider: StorageProviderSchema.default(StorageProvider.Memory).describe('which SessionStore the default store is'),
  sandboxId: z.string().min(1).default(DEFAULT_SANDBOX_ID).describe('sandbox id recorded by the Redis store'),
  ttlHours: z.number().nonnegative().default(DEFAULT_TTL_HOURS).describe('sliding session expiry in hours; 0 = never'),
  redisUrl: z.string().min(1).default(DEFAULT_REDIS_URL).describe('redis[s]:// URL; a comma list selects Cluster'),
  redisTlsInsecure: z.boolean().default(false).describe('disable certificate checks for rediss:// URLs'),
  keyPrefix: z.string().default(DEFAULT_KEY_PREFIX).describe('Redis key prefix'),
  s3: S3ConfigSchema.default({ prefix: DEFAULT_S3_PREFIX, forcePathStyle: false }).describe('S3 settings'),
});
export type StorageConfig = z.infer<typeof StorageConfigSchema>;

export const SessionManagerConfigSchema = z.object({
  defaultModel: z.string().min(1).default(DEFAULT_TOKEN_MODEL).describe('model used to count user messages'),
  storage: StorageConfigSchema.default(StorageConfigSchema.parse({})).describe('default store settings'),
});
export type SessionManagerConfig = z.infer<typeof SessionManagerConfigSchema>;

const TRUE_FLAGS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_FLAGS = new Set(['0', 'false', 'no', 'off']);

const flag = z
  .string()
  .transform((raw, ctx) => {
    const value = raw.trim().toLowerCase();
    if (TRUE_FLAGS.has(value)) return true;
    if (FALSE_FLAGS.has(value)) return false;
    ctx.addIssue({ code: 'custom', message: `expected 1/0, true/false, yes/no or on/off, got '${raw}'` });
    return z.NEVER;
  })
  .optional();

const provider = z
  .string()
  .transform((raw, ctx) => {
    const found = STORAGE_PROVIDER_ALIASES[raw.trim().toLowerCase()];
    if (found !== undefined) return found;
    ctx.addIssue({
      code: 'custom',
      message: `unknown provider '${raw}' (expected one of ${Object.keys(STORAGE_PROVIDER_ALIASES).join(', ')})`,
    });
    return z.NEVER;
  })
  .optional();

const text = z.string().min(1).optional();

/** The variables read, keyed by their own names, so a zod issue path names the variable. */
const EnvSchema = z.object({
  CHUK_DEFAULT_MODEL: text,
  SESSION_PROVIDER: provider,
  SESSION_REDIS_URL: text,
  REDIS_URL: text,
  REDIS_TLS_INSECURE: flag,
  SESSION_TTL_HOURS: z.coerce.number().nonnegative().optional(),
  CHUK_SANDBOX_ID: text,
  CHUK_HOST_SANDBOX_ID: text,
  SESSION_KEY_PREFIX: z.string().optional(),
  SESSION_S3_BUCKET: text,
  SESSION_S3_PREFIX: z.string().optional(),
  SESSION_S3_REGION: text,
  AWS_REGION: text,
  SESSION_S3_ENDPOINT: z.url().optional(),
  SESSION_S3_FORCE_PATH_STYLE: flag,
});
type EnvValues = z.infer<typeof EnvSchema>;

export type Env = Readonly<Record<string, string | undefined>>;

function processEnv(): Env {
  const proc = (globalThis as { process?: { env?: Env } }).process;
  return proc?.env ?? {};
}

function readEnv(env: Env): EnvValues {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const value = env[key];
    // An empty variable counts as unset (`FOO= node app.js`).
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = EnvSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const variable = String(issue?.path[0] ?? 'environment');
  throw new InvalidInput({
    field: variable,
    reason: `${issue?.message ?? 'invalid value'} (value: '${raw[variable] ?? ''}')`,
    issues: parsed.error.issues,
  });
}

function defined<T extends Record<string, unknown>>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry !== undefined) (out as Record<string, unknown>)[key] = entry;
  }
  return out;
}

/** Checks the cross-field rule of §8: the s3 provider needs a bucket. */
export function validateStorageConfig(config: StorageConfig): StorageConfig {
  if (config.provider === StorageProvider.S3 && config.s3.bucket === undefined) {
    throw new InvalidInput({ field: 'SESSION_S3_BUCKET', reason: 'required when SESSION_PROVIDER is s3' });
  }
  return config;
}

/** Storage settings of the environment, without the cross-field check (for merging). */
export function storageConfigFromEnv(env: Env = processEnv()): StorageConfig {
  const v = readEnv(env);
  return StorageConfigSchema.parse(
    defined({
      provider: v.SESSION_PROVIDER,
      sandboxId: v.CHUK_SANDBOX_ID ?? v.CHUK_HOST_SANDBOX_ID,
      ttlHours: v.SESSION_TTL_HOURS,
      redisUrl: v.SESSION_REDIS_URL ?? v.REDIS_URL,
      redisTlsInsecure: v.REDIS_TLS_INSECURE,
      keyPrefix: v.SESSION_KEY_PREFIX,
      s3: S3ConfigSchema.parse(
        defined({
          bucket: v.SESSION_S3_BUCKET,
          prefix: v.SESSION_S3_PREFIX,
          region: v.SESSION_S3_REGION ?? v.AWS_REGION,
          endpoint: v.SESSION_S3_ENDPOINT,
          forcePathStyle: v.SESSION_S3_FORCE_PATH_STYLE,
        }),
      ),
    }),
  );
}

/**
 * Reads the facade's configuration from `env` (default: `process.env` where it exists).
 * `SESSION_DEFAULT_TTL` is deliberately ignored: it never applied to AI sessions in the reference.
 */
export function loadConfigFromEnv(env: Env = processEnv()): SessionManagerConfig {
  const v = readEnv(env);
  return {
    defaultModel: v.CHUK_DEFAULT_MODEL ?? DEFAULT_TOKEN_MODEL,
    storage: validateStorageConfig(storageConfigFromEnv(env)),
  };
}

/** `ttlHours` as the store packages' `ttlSeconds` (`null` = never expire). */
export function ttlSecondsOf(config: StorageConfig): number | null {
  return config.ttlHours === 0 ? null : Math.round(config.ttlHours * SECONDS_PER_HOUR);
}

/** The Redis URL with any password replaced by `***` (safe to log). */
export function redactRedisUrl(url: string): string {
  return url
    .split(',')
    .map((part) => part.replace(/^(\w+:\/\/)([^:@/]*):([^@/]*)@/, (_m, scheme: string, user: string) => `${scheme}${user}:***@`))
    .join(',');
}

/** `CHUK_DEFAULT_MODEL` alone (what a `SessionManager` reads when `defaultModel` is not given). */
export function defaultModelFromEnv(env: Env = processEnv()): string {
  const value = env.CHUK_DEFAULT_MODEL?.trim();
  return value === undefined || value === '' ? DEFAULT_TOKEN_MODEL : value;
}

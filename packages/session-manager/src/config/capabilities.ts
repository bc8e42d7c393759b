/**
 * Version and capability helpers (conversation-and-facade.md §7.2). Capabilities come from
 * dynamic-import probes of the optional packages; nothing is imported at module load.
 */
import packageJson from '../../package.json' with { type: 'json' };

/** The package version (from package.json, bundled at build time). */
export const VERSION: string = packageJson.version;

export function getVersion(): string {
  return VERSION;
}

export interface Capabilities {
  coreModels: true;
  simpleApi: true;
  infiniteContext: true;
  promptBuilder: true;
  tokenTracking: true;
  sessionManager: true;
  vm: true;
  toolProcessor: true;
  /** `@chuk/store-redis` (and with it ioredis) can be imported. */
  redisSupport: boolean;
  /** `@chuk/store-s3` can be imported. */
  s3Support: boolean;
  /** An exact tokenizer (js-tiktoken or gpt-tokenizer) can be imported. */
  enhancedTokenCounting: boolean;
}

export type ModuleProbe = (specifier: string) => Promise<boolean>;

/** True when `specifier` can be imported. */
export const probeModule: ModuleProbe = async (specifier) => {
  try {
    await import(/* @vite-ignore */ specifier);
    return true;
  } catch {
    return false;
  }
};

export async function getCapabilities(probe: ModuleProbe = probeModule): Promise<Capabilities> {
  const [redis, s3, tiktoken, gptTokenizer] = await Promise.all([
    probe('@chuk/store-redis'),
    probe('@chuk/store-s3'),
    probe('js-tiktoken'),
    probe('gpt-tokenizer'),
  ]);
  return {
    coreModels: true,
    simpleApi: true,
    infiniteContext: true,
    promptBuilder: true,
    tokenTracking: true,
    sessionManager: true,
    vm: true,
    toolProcessor: true,
    redisSupport: redis,
    s3Support: s3,
    enhancedTokenCounting: tiktoken || gptTokenizer,
  };
}

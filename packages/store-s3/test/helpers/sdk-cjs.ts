/**
 * Test-only loader of the AWS SDK's CommonJS build.
 *
 * The root vitest config runs the workers with `--conditions module`; the SDK's packages list a
 * `module` export condition (their bundler-only `dist-es`, extensionless ESM imports) before
 * `node`, so Node cannot load them. This loads `@aws-sdk/client-s3` with `require` and maps every
 * `dist-es` path the resolver picks to the `dist-cjs` twin every SDK package ships. Test files use
 * it through
 * `vi.mock('@aws-sdk/client-s3', async () => (await import('./helpers/sdk-cjs.js')).default)`, so the store
 * code under test and the tests share this one real SDK. Drop it once the config omits `module`.
 */
import Module, { createRequire } from 'node:module';

interface ResolverModule {
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
}

const resolver = Module as unknown as ResolverModule;
const original = resolver._resolveFilename.bind(resolver);
resolver._resolveFilename = (request, parent, isMain, options) => {
  const resolved = original(request, parent, isMain, options);
  return /[\\/]node_modules[\\/]@(aws-sdk|smithy|aws-crypto)[\\/]/.test(resolved) ? resolved.replace(/([\\/])dist-es([\\/])/, '$1dist-cjs$2') : resolved;
};

/** The whole CommonJS module object of `@aws-sdk/client-s3`. */
const sdk = createRequire(import.meta.url)('@aws-sdk/client-s3') as Record<string, unknown>;
export default sdk;

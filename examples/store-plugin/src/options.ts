import { InvalidInput } from '@chuk/models';

export interface JsonFilesStoreOptions {
  /** Root directory; created on first write. */
  directory: string;
  /** Injectable time source (stamps `updatedAt` of blobs). */
  clock?: () => Date;
}

/** Checks the options (a plugin that depends on `@chuk/models` alone validates by hand). */
export function checkOptions(options: JsonFilesStoreOptions): Required<JsonFilesStoreOptions> {
  if (typeof options.directory !== 'string' || options.directory === '') {
    throw new InvalidInput({ field: 'directory', reason: 'must be a non-empty path' });
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw new InvalidInput({ field: 'clock', reason: 'must be a function returning a Date' });
  }
  return { directory: options.directory, clock: options.clock ?? (() => new Date()) };
}

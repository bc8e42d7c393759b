import type { StorageClass } from '@aws-sdk/client-s3';

/** The `StorageClass` parameter of a write, when the store is configured with one. */
export function storageClassParam(storageClass: string | undefined): { StorageClass?: StorageClass } {
  return storageClass === undefined ? {} : { StorageClass: storageClass as StorageClass };
}

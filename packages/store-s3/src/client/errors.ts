import { StorageError, isSessionManagerError } from '@chuk/models';

export const S3_BACKEND = 's3';

interface SdkErrorShape {
  name?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function shape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? error : {};
}

export function httpStatusOf(error: unknown): number | undefined {
  const status = shape(error).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

function nameOf(error: unknown): string {
  const s = shape(error);
  if (typeof s.name === 'string') return s.name;
  return typeof s.Code === 'string' ? s.Code : '';
}

/** Missing object (GetObject `NoSuchKey`, HeadObject `NotFound`, or a bare 404); a missing bucket is not. */
export function isNotFound(error: unknown): boolean {
  const name = nameOf(error);
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatusOf(error) === 404;
}

/** A conditional write lost: 412 PreconditionFailed or 409 ConditionalRequestConflict. */
export function isConditionFailed(error: unknown): boolean {
  const name = nameOf(error);
  const status = httpStatusOf(error);
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412 || status === 409;
}

/** Wraps anything that is not already a chuk error into `StorageError(operation, "s3", cause)`. */
export async function guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isSessionManagerError(error)) throw error;
    throw new StorageError({ operation, backend: S3_BACKEND, cause: error });
  }
}

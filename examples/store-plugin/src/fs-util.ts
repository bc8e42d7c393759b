import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';

export function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** File contents, or null when the file does not exist. */
export async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
}

/** Replaces `path` atomically: write a temporary file beside it, then rename over it. */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.${crypto.randomUUID()}.tmp`;
  await writeFile(temp, data);
  await rename(temp, path);
}

/**
 * Creates `path` with `data` only if it does not exist, atomically and complete: the data goes to
 * a temporary file that is then hard-linked into place (link fails with EEXIST when taken).
 * Returns false when the file already existed.
 */
export async function createExclusive(path: string, data: string): Promise<boolean> {
  const temp = `${path}.${crypto.randomUUID()}.tmp`;
  await writeFile(temp, data);
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return false;
    throw error;
  } finally {
    await unlink(temp);
  }
}

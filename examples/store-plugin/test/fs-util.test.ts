import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as FsPromises from 'node:fs/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createExclusive, readIfExists } from '../src/fs-util.js';

const linkFailure = vi.hoisted(() => ({ code: null as string | null }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  return {
    ...real,
    link: async (from: string, to: string) => {
      if (linkFailure.code !== null) throw Object.assign(new Error('link failed'), { code: linkFailure.code });
      return real.link(from, to);
    },
  };
});

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('fs-util', () => {
  it('readIfExists: null for a missing file, other errors propagate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chuk-fsutil-'));
    dirs.push(dir);
    expect(await readIfExists(join(dir, 'missing'))).toBeNull();
    await expect(readIfExists(dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('createExclusive: true once, false when taken, other link errors propagate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chuk-fsutil-'));
    dirs.push(dir);
    expect(await createExclusive(join(dir, 'f'), 'a')).toBe(true);
    expect(await createExclusive(join(dir, 'f'), 'b')).toBe(false);
    expect(await readIfExists(join(dir, 'f'))).toBe('a');
    linkFailure.code = 'EACCES';
    await expect(createExclusive(join(dir, 'g'), 'c')).rejects.toMatchObject({ code: 'EACCES' });
    linkFailure.code = null;
  });
});

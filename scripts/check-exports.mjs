#!/usr/bin/env node
// Packs every published package the way it will be published (pnpm pack applies publishConfig),
// then checks the tarball with publint (strict) and are-the-types-wrong. Run after `pnpm build`.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const packagesDir = join(root, 'packages');
const out = await mkdtemp(join(tmpdir(), 'chuk-pack-'));
let failed = 0;

try {
  for (const name of (await readdir(packagesDir)).sort()) {
    const dir = join(packagesDir, name);
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    if (manifest.private) continue;
    const before = new Set(await readdir(out));
    await run('pnpm', ['pack', '--pack-destination', out], { cwd: dir });
    const tarball = (await readdir(out)).find((f) => !before.has(f) && f.endsWith('.tgz'));
    if (!tarball) throw new Error(`pnpm pack produced no tarball for ${manifest.name}`);
    const path = join(out, tarball);
    for (const [tool, args] of [
      ['publint', ['exec', 'publint', 'run', path, '--strict']],
      ['attw', ['exec', 'attw', path, '--profile', 'node16', '--no-emoji', '--format', 'ascii']],
    ]) {
      try {
        await run('pnpm', args, { cwd: root });
        console.log(`ok   ${tool.padEnd(8)} ${manifest.name}`);
      } catch (error) {
        failed++;
        console.log(`FAIL ${tool.padEnd(8)} ${manifest.name}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
      }
    }
  }
} finally {
  await rm(out, { recursive: true, force: true });
}
if (failed > 0) {
  console.error(`${failed} export check(s) failed`);
  process.exit(1);
}

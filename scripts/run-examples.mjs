#!/usr/bin/env node
// Runs every example (examples/*.ts) as a user would, offline, and fails if one exits non-zero.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'examples');
const only = process.argv.slice(2);
const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && (only.length === 0 || only.includes(f))).sort();
const EXAMPLE_TIMEOUT_MS = 120_000;
let failed = 0;

for (const file of files) {
  const started = performance.now();
  const code = await new Promise((resolve) => {
    const env = { ...process.env };
    delete env.OPENAI_API_KEY; // examples in CI run offline with their scripted model
    const child = spawn('pnpm', ['exec', 'tsx', '--conditions=@chuk/source', join('examples', file)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), EXAMPLE_TIMEOUT_MS);
    child.on('close', (status) => {
      clearTimeout(timer);
      if (status !== 0) console.log(output);
      resolve(status);
    });
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${code === 0 ? 'ok  ' : 'FAIL'} examples/${file} (${seconds}s)`);
  if (code !== 0) failed++;
}
console.log(`examples: ${files.length - failed} passed, ${failed} failed`);
if (failed > 0) process.exit(1);

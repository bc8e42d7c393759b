#!/usr/bin/env node
/**
 * "Install only @chuk/vm for paging": packs @chuk/models and @chuk/vm with `pnpm pack` (which applies
 * publishConfig.exports), installs just those tarballs (plus zod from the registry) into an empty temp project
 * with npm, then runs a small paging program there as ESM (.mjs) and as CJS (.cjs).
 * Assumes `pnpm --filter @chuk/models --filter @chuk/vm build` ran before. Exits non-zero on any failure.
 *
 *   node packages/vm/scripts/standalone-check.mjs [--keep]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const vmDir = resolve(here, '..');
const modelsDir = resolve(vmDir, '..', 'models');
const keep = process.argv.includes('--keep');

function run(cmd, args, cwd) {
  console.log(`$ ${cmd} ${args.join(' ')}  (in ${cwd})`);
  return execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
}

function fail(message) {
  console.error(`standalone-check: FAIL: ${message}`);
  process.exit(1);
}

for (const dir of [modelsDir, vmDir]) {
  if (!existsSync(join(dir, 'dist', 'index.js'))) fail(`${dir}/dist is missing; run pnpm --filter @chuk/models --filter @chuk/vm build first`);
}

const work = mkdtempSync(join(tmpdir(), 'chuk-vm-standalone-'));
const packs = join(work, 'packs');
const project = join(work, 'project');

const PAGING_PROGRAM = (load) => `${load}
const fail = (m) => { console.error('FAIL: ' + m); process.exit(1); };
const main = async () => {
  const vm = new MemoryManager({ sessionId: 'standalone', config: { maxL0Tokens: 300, reservedTokens: 0 } });
  const root = mkdtempSync(join(tmpdir(), 'chuk-vm-fs-'));
  await vm.configureStorage(new BlobTierStore({ sessionId: 'standalone', l3: new FileSystemBlobStore({ rootDir: root }) }));
  for (let i = 0; i < 30; i++) {
    const page = await vm.createPage('Turn ' + i + ' ' + 'talk about paging. '.repeat(10), { role: i % 2 ? 'assistant' : 'user', hint: '[turn] ' + i });
    if (!(await vm.addToWorkingSet(page))) fail('page ' + i + ' did not fit');
  }
  const first = vm.pageTable.getByTier(StorageTier.L2)[0];
  if (!first) fail('nothing was evicted');
  if (!(await vm.evictPage(first.pageId, StorageTier.L3))) fail('evict to L3 failed');
  const fault = await vm.handleToolCall('page_fault', { page_id: first.pageId, target_level: 0 });
  const envelope = JSON.parse(fault.content);
  if (!fault.faultResult?.success || envelope.page.page_id !== first.pageId) fail('fault from L3 failed: ' + fault.content);
  const ctx = await vm.buildContext({ systemPrompt: 'You are helpful.' });
  if (!ctx.developerMessage.includes('<VM:CONTEXT>') || ctx.tools.length !== 2) fail('bad context');
  const metrics = await vm.getMetrics();
  if (metrics.tokensInWorkingSet > 300 || metrics.faultsTotal !== 1) fail('bad metrics ' + JSON.stringify(metrics));
  rmSync(root, { recursive: true, force: true });
  console.log('OK ' + MODE + ': evictions=' + metrics.evictionsTotal + ' compressions=' + metrics.compressionsTotal + ' faults=' + metrics.faultsTotal);
};
main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
`;

const ESM = PAGING_PROGRAM(`import { MemoryManager, BlobTierStore, StorageTier } from '@chuk/vm';
import { FileSystemBlobStore } from '@chuk/vm/fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const MODE = 'esm';`);

const CJS = PAGING_PROGRAM(`const { MemoryManager, BlobTierStore, StorageTier } = require('@chuk/vm');
const { FileSystemBlobStore } = require('@chuk/vm/fs');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const MODE = 'cjs';`);

try {
  run('pnpm', ['pack', '--pack-destination', packs], modelsDir);
  run('pnpm', ['pack', '--pack-destination', packs], vmDir);
  const tarballs = readdirSync(packs).filter((f) => f.endsWith('.tgz')).map((f) => join(packs, f));
  if (tarballs.length !== 2) fail(`expected 2 tarballs, got ${tarballs.join(', ')}`);

  run('mkdir', ['-p', project], work);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'chuk-vm-standalone', private: true, version: '0.0.0' }, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, 'zod@^4'], project);

  const installed = readdirSync(join(project, 'node_modules')).filter((n) => !n.startsWith('.'));
  const scoped = readdirSync(join(project, 'node_modules', '@chuk'));
  console.log(`installed: ${installed.join(', ')}; @chuk/: ${scoped.join(', ')}`);
  if (scoped.sort().join(',') !== 'models,vm') fail(`unexpected @chuk packages: ${scoped.join(', ')}`);

  const vmPkg = JSON.parse(readFileSync(join(project, 'node_modules', '@chuk', 'vm', 'package.json'), 'utf8'));
  if (JSON.stringify(vmPkg.exports).includes('@chuk/source') || JSON.stringify(vmPkg.exports).includes('./src/')) fail('packed exports still point at src');
  for (const file of ['index.js', 'index.cjs']) {
    const code = readFileSync(join(project, 'node_modules', '@chuk', 'vm', 'dist', file), 'utf8');
    const builtin = code.match(/(?:from\s*|require\()\s*["'](node:[^"']+|fs|fs\/promises|path|os|crypto|child_process)["']/);
    if (builtin) fail(`core entry dist/${file} imports a Node builtin: ${builtin[1]}`);
  }

  writeFileSync(join(project, 'check.mjs'), ESM);
  writeFileSync(join(project, 'check.cjs'), CJS);
  process.stdout.write(run('node', ['check.mjs'], project));
  process.stdout.write(run('node', ['check.cjs'], project));
  console.log('standalone-check: PASS');
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

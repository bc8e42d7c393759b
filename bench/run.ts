/**
 * `pnpm bench`: runs every workload file in bench/workloads/ (each default-exports a Workload or
 * an array of them; see ../shared/bench/workloads.md). `pnpm bench W3 W7` runs only those ids.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { runWorkload, type Workload } from './lib/harness.js';

async function loadWorkloads(): Promise<Workload[]> {
  const dir = fileURLToPath(new URL('./workloads/', import.meta.url));
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ts')).sort();
  const found: Workload[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default?: Workload | Workload[] };
    if (mod.default === undefined) continue;
    found.push(...(Array.isArray(mod.default) ? mod.default : [mod.default]));
  }
  return found.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
}

async function main(): Promise<void> {
  const wanted = new Set(process.argv.slice(2).map((a) => a.toUpperCase()));
  const selected = (await loadWorkloads()).filter((w) => wanted.size === 0 || wanted.has(w.id.toUpperCase()));
  console.log(`# chuk benchmarks — node ${process.version}, ${new Date().toISOString()}`);
  for (const workload of selected) {
    console.log(`# ${workload.id} ${workload.title}`);
    await runWorkload(workload);
  }
}

await main();

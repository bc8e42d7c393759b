/**
 * `pnpm bench`: runs every workload of ../shared/bench/workloads.md that is registered below.
 * `pnpm bench W3 W7` runs only the named ones.
 */
import { runWorkload, type Workload } from './lib/harness.js';
import { workloads } from './workloads/index.js';

async function main(): Promise<void> {
  const wanted = new Set(process.argv.slice(2).map((a) => a.toUpperCase()));
  const selected: Workload[] = workloads.filter((w) => wanted.size === 0 || wanted.has(w.id.toUpperCase()));
  console.log(`# chuk benchmarks — node ${process.version}, ${new Date().toISOString()}`);
  for (const workload of selected) {
    console.log(`# ${workload.id} ${workload.title}`);
    await runWorkload(workload);
  }
}

await main();

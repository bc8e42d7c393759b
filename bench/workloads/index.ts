import type { Workload } from '../lib/harness.js';

/** Each workload lives in its own file in this folder and is listed here. */
export const workloads: Workload[] = [];

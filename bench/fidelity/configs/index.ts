/**
 * The configurations, in table order. A configuration whose package cannot run a conversation
 * yet has no loader (or its loader throws) and its row prints "n/a (package not available)".
 */
import { slidingWindow } from './sliding-window.js';
import type { FidelityConfig } from './types.js';

export interface ConfigEntry {
  name: string;
  /** the package the configuration drives */
  packageName: string;
  load: (() => Promise<FidelityConfig>) | null;
}

export const CONFIGS: readonly ConfigEntry[] = [
  { name: 'sliding window', packageName: '(bench only)', load: async () => slidingWindow },
  { name: 'summaries only', packageName: '@chuk/session-manager', load: async () => (await import('./facade.js')).summariesOnly },
  {
    name: 'summaries only, token budget',
    packageName: '@chuk/session-manager',
    load: async () => (await import('./facade.js')).summariesTokenBudget,
  },
  { name: 'VM', packageName: '@chuk/session-manager', load: async () => (await import('./facade.js')).vmDefault },
  { name: 'VM + summaries', packageName: '@chuk/session-manager', load: async () => (await import('./facade.js')).vmWithSummaries },
];

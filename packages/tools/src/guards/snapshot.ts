import { z } from 'zod';
import { ResultCacheSnapshotSchema } from '../execution/cache.js';
import { BindingSnapshotSchema } from './bindings.js';
import { RuntimeLimitsSchema } from './limits.js';

export const ToolStateSnapshotSchema = z.object({
  schema_version: z.literal(1).default(1),
  limits: RuntimeLimitsSchema,
  binding_id_policy: z.enum(['restart-per-prompt', 'monotonic']).default('monotonic'),
  bindings: BindingSnapshotSchema,
  cache: ResultCacheSnapshotSchema,
  user_literals: z.array(z.number()).default([]),
  budget: z
    .object({
      discovery_count: z.number().int(),
      execution_count: z.number().int(),
      total_count: z.number().int(),
      discovered_tools: z.array(z.string()),
    })
    .nullable()
    .default(null),
  per_tool_counts: z.record(z.string(), z.number().int()).default({}),
  ungrounded_count: z.number().int().default(0),
  runaway: z
    .object({ recent_values: z.array(z.number()), degenerate_streak: z.number().int(), recent_calls: z.array(z.string()) })
    .nullable()
    .default(null),
  tool_counts: z.record(z.string(), z.number().int()).default({}),
});
export type ToolStateSnapshot = z.infer<typeof ToolStateSnapshotSchema>;

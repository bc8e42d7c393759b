import { z } from 'zod';
import { StorageError } from '@chuk/models';
import { ModalitySchema, VmModeSchema } from '../enums.js';
import { toSnakeCaseJSON, type VmMetricsState } from '../models/stats.js';

export const VM_STATE_SCHEMA_VERSION = 1;

/** snake_case → camelCase keys (inverse of `toSnakeCaseJSON`). */
export function toCamelCaseJSON(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCamelCaseJSON);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())] = toCamelCaseJSON(v);
    return out;
  }
  return value;
}

const TurnHistorySchema = z.array(z.tuple([z.string(), z.number().int()]));

export const WorkingSetSnapshotSchema = z.object({
  config: z.object({
    maxL0Tokens: z.number().int().positive(),
    maxL1Pages: z.number().int().nonnegative(),
    evictionThreshold: z.number().min(0).max(1),
    targetUtilization: z.number().min(0).max(1),
    reservedTokens: z.number().int().nonnegative(),
  }),
  l0PageIds: z.array(z.string()),
  charged: z.array(z.tuple([z.string(), z.object({ tokens: z.number().int().nonnegative(), modality: ModalitySchema })])),
  l1PageIds: z.array(z.string()),
  importanceOverrides: z.array(z.tuple([z.string(), z.number().min(0).max(1)])),
  pinnedSet: z.object({
    pinned: z.array(z.string()),
    autoPinned: z.array(z.string()),
    config: z.object({ autoPinLastNTurns: z.number().int().nonnegative(), autoPinSystemPrompt: z.boolean(), autoPinClaims: z.boolean() }),
  }),
  antiThrash: z.object({
    config: z.object({ evictionCooldownTurns: z.number().int().nonnegative(), faultProtectionTurns: z.number().int().nonnegative() }),
    evictionHistory: TurnHistorySchema,
    faultHistory: TurnHistorySchema,
  }),
  currentTurn: z.number().int().nonnegative(),
});

const PrefetcherStateSchema = z.object({
  access_counts: z.array(z.tuple([z.string(), z.number().int()])),
  patterns: z.array(z.object({ toolName: z.string(), callCount: z.number().int(), lastTurn: z.number().int(), prereqPages: z.array(z.string()) })),
  last_summary: z.string().nullable(),
});

/** Wire form of a whole VM state (stored beside a checkpoint manifest). */
export const VmStateSnapshotSchema = z.object({
  schema_version: z.literal(VM_STATE_SCHEMA_VERSION),
  session_id: z.string(),
  turn: z.number().int().nonnegative(),
  mode: VmModeSchema,
  entries: z.array(z.record(z.string(), z.unknown())),
  working_set: z.unknown().transform((v, ctx) => {
    const parsed = WorkingSetSnapshotSchema.safeParse(toCamelCaseJSON(v));
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: `invalid working_set: ${parsed.error.message}` });
      return z.NEVER;
    }
    return parsed.data;
  }),
  hints: z.record(z.string(), z.string()),
  fault_policy: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.unknown()),
  prefetcher: PrefetcherStateSchema.optional(),
  mutation_log: z.unknown().optional(),
});
export type VmStateSnapshot = z.input<typeof VmStateSnapshotSchema>;
export type ParsedVmStateSnapshot = z.output<typeof VmStateSnapshotSchema>;

/** Validate a stored state; unknown `schema_version` or a malformed state → `StorageError`. */
export function parseVmState(raw: unknown): ParsedVmStateSnapshot {
  const version = typeof raw === 'object' && raw !== null && 'schema_version' in raw ? raw.schema_version : undefined;
  if (version !== VM_STATE_SCHEMA_VERSION) {
    throw new StorageError({ operation: 'restore', backend: 'tier-store', message: `Unsupported VM state schema_version ${String(version)}` });
  }
  const parsed = VmStateSnapshotSchema.safeParse(raw);
  if (!parsed.success) throw new StorageError({ operation: 'restore', backend: 'tier-store', message: `Invalid VM state: ${parsed.error.message}`, cause: parsed.error });
  return parsed.data;
}

export function metricsStateFromJSON(raw: Record<string, unknown>): Partial<VmMetricsState> {
  return toCamelCaseJSON(raw) as Partial<VmMetricsState>;
}

export function snakeState(value: unknown): Record<string, unknown> {
  return toSnakeCaseJSON(value) as Record<string, unknown>;
}

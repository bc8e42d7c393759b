import { z } from 'zod';
import { EventSource, EventSourceSchema, EventType, EventTypeSchema, RunStatus, RunStatusSchema } from '../enums/index.js';
import { TokenSummaryWireSchema } from '../tokens/summary.js';
import { TokenUsageWireSchema } from '../tokens/usage.js';
import { parseTimestamp, toIsoTimestamp } from '../util/time.js';

/** Schema version written by this package; readers reject newer versions. */
export const SCHEMA_VERSION = 1;
/** Longest session id accepted. */
export const MAX_SESSION_ID_LENGTH = 256;

// eslint-disable-next-line no-control-regex
const BAD_ID_CHARS = /[\s\u0000-\u001f\u007f{}]/u;

/** Session ids: 1–256 characters, no whitespace or control characters, no `{` or `}` (Redis hash tags). */
export const SessionIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_SESSION_ID_LENGTH, `must be at most ${MAX_SESSION_ID_LENGTH} characters`)
  .refine((s) => !BAD_ID_CHARS.test(s), 'must not contain whitespace, control characters, "{" or "}"');

/** A tolerant ISO-8601 reader that yields the canonical `toISOString()` form. */
export const TimestampSchema = z
  .string()
  .refine((s) => !Number.isNaN(parseTimestamp(s)), 'not an ISO-8601 timestamp')
  .transform((s) => toIsoTimestamp(parseTimestamp(s)));

const FreeForm = z.record(z.string(), z.unknown());

export const SessionMetadataWireSchema = z.object({
  created_at: TimestampSchema.optional().describe('creation time (ISO-8601 UTC)'),
  updated_at: TimestampSchema.optional().describe('last change (ISO-8601 UTC)'),
  properties: FreeForm.default({}).describe('free-form user properties'),
});
export type SessionMetadataWire = z.input<typeof SessionMetadataWireSchema>;

export const SessionRunWireSchema = z.object({
  id: z.string().min(1).describe('run id'),
  started_at: TimestampSchema.optional().describe('start time'),
  ended_at: TimestampSchema.nullable().default(null).describe('end time, null while open'),
  status: RunStatusSchema.default(RunStatus.Pending).describe('run status'),
  metadata: FreeForm.default({}).describe('free-form run metadata'),
  tool_calls: z.array(z.string()).default([]).describe('ids of the tool-call events of the run'),
});
export type SessionRunWire = z.input<typeof SessionRunWireSchema>;

export const SessionEventWireSchema = z.object({
  id: z.string().min(1).describe('event id'),
  message: z.unknown().describe('payload (any JSON value)'),
  timestamp: TimestampSchema.optional().describe('event time'),
  source: EventSourceSchema.default(EventSource.System).describe('who produced the event'),
  type: EventTypeSchema.default(EventType.Message).describe('what the event records'),
  metadata: FreeForm.default({}).describe('free-form event metadata'),
  parent_event_id: z.string().nullable().default(null).describe('parent event id'),
  task_id: z.string().nullable().default(null).describe('task (run) id'),
  token_usage: TokenUsageWireSchema.nullable().default(null).describe('token usage, counted once at creation'),
});
export type SessionEventWire = z.input<typeof SessionEventWireSchema>;

export const SchemaVersionSchema = z
  .number()
  .int()
  .min(1)
  .max(SCHEMA_VERSION, `unsupported schema_version (this reader knows up to ${SCHEMA_VERSION})`)
  .default(SCHEMA_VERSION)
  .describe('format version; absent in reference data (= 1)');

const headerShape = {
  schema_version: SchemaVersionSchema,
  id: SessionIdSchema.describe('session id'),
  metadata: SessionMetadataWireSchema.default({ properties: {} }).describe('session metadata'),
  parent_id: z.string().nullable().default(null).describe('parent session id'),
  child_ids: z.array(z.string()).default([]).describe('child session ids'),
  task_ids: z.array(z.string()).default([]).describe('task ids'),
  runs: z.array(SessionRunWireSchema).default([]).describe('runs'),
  state: FreeForm.default({}).describe('free-form session state'),
};

/** Stored header: the session without events and token summary. */
export const SessionHeaderWireSchema = z.object(headerShape);
export type SessionHeaderWire = z.input<typeof SessionHeaderWireSchema>;

/** Whole session in the reference layout (plus `schema_version`). */
export const SessionWireSchema = z.object({
  ...headerShape,
  events: z.array(SessionEventWireSchema).default([]).describe('events in append order'),
  token_summary: TokenSummaryWireSchema.optional().describe('token totals (rebuilt from the events when absent)'),
});
export type SessionWire = z.input<typeof SessionWireSchema>;

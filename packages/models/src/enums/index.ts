import { z } from 'zod';

/** Who produced an event (reference `EventSource`; wire values must not change). */
export const EventSource = { User: 'user', Llm: 'llm', System: 'system' } as const;
export type EventSource = (typeof EventSource)[keyof typeof EventSource];
export const EventSourceSchema = z.enum(EventSource);

/** What an event records (reference `EventType`). */
export const EventType = {
  Message: 'message',
  Summary: 'summary',
  ToolCall: 'tool_call',
  Reference: 'reference',
  ContextBridge: 'context_bridge',
  ToolTrace: 'tool_trace',
  ToolPattern: 'tool_pattern',
  ToolFix: 'tool_fix',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];
export const EventTypeSchema = z.enum(EventType);

/** Lifecycle of a `SessionRun`. */
export const RunStatus = {
  Pending: 'pending',
  Running: 'running',
  Completed: 'completed',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];
export const RunStatusSchema = z.enum(RunStatus);

/** Chat roles; `Developer` is only written for the VM developer message. */
export const MessageRole = {
  User: 'user',
  Assistant: 'assistant',
  Tool: 'tool',
  System: 'system',
  Developer: 'developer',
} as const;
export type MessageRole = (typeof MessageRole)[keyof typeof MessageRole];
export const MessageRoleSchema = z.enum(MessageRole);

/** Outcome of one tool execution (re-exported by `@chuk/tools`). */
export const ToolOutcome = {
  Success: 'success',
  Failure: 'failure',
  Partial: 'partial',
  Timeout: 'timeout',
  Cancelled: 'cancelled',
} as const;
export type ToolOutcome = (typeof ToolOutcome)[keyof typeof ToolOutcome];
export const ToolOutcomeSchema = z.enum(ToolOutcome);

/** The ten CTP tool error categories (re-exported by `@chuk/tools`). */
export const ToolErrorCategory = {
  RateLimit: 'rate_limit',
  CircuitOpen: 'circuit_open',
  BulkheadFull: 'bulkhead_full',
  Timeout: 'timeout',
  Validation: 'validation',
  NotFound: 'not_found',
  Execution: 'execution',
  Cancelled: 'cancelled',
  Connection: 'connection',
  Configuration: 'configuration',
} as const;
export type ToolErrorCategory = (typeof ToolErrorCategory)[keyof typeof ToolErrorCategory];
export const ToolErrorCategorySchema = z.enum(ToolErrorCategory);

/** Stable `code` of every error class of this package (keys are the class names). */
export const ErrorCode = {
  SessionManagerError: 'SESSION_MANAGER_ERROR',
  SessionNotFound: 'SESSION_NOT_FOUND',
  SessionAlreadyExists: 'SESSION_ALREADY_EXISTS',
  InvalidSessionOperation: 'INVALID_SESSION_OPERATION',
  TokenLimitExceeded: 'TOKEN_LIMIT_EXCEEDED',
  StorageError: 'STORAGE_ERROR',
  SessionVersionConflict: 'SESSION_VERSION_CONFLICT',
  ToolProcessingError: 'TOOL_PROCESSING_ERROR',
  InvalidInput: 'INVALID_INPUT',
  MissingDependency: 'MISSING_DEPENDENCY',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
export const ErrorCodeSchema = z.enum(ErrorCode);

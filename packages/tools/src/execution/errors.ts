import { ToolErrorCategory, ToolProcessingError } from '@chuk/models';
import { z } from 'zod';
import { stringOf } from '../common/json.js';
import type { GuardResult } from '../guards/guard.js';

/** CTP tool error codes (value = name). Not `ErrorCode`, which is `@chuk/models`' code of its error classes. */
export const ToolErrorCode = {
  TOOL_NOT_FOUND: 'TOOL_NOT_FOUND',
  TOOL_REGISTRATION_FAILED: 'TOOL_REGISTRATION_FAILED',
  TOOL_EXECUTION_FAILED: 'TOOL_EXECUTION_FAILED',
  TOOL_TIMEOUT: 'TOOL_TIMEOUT',
  TOOL_CANCELLED: 'TOOL_CANCELLED',
  TOOL_VALIDATION_ERROR: 'TOOL_VALIDATION_ERROR',
  TOOL_ARGUMENT_ERROR: 'TOOL_ARGUMENT_ERROR',
  TOOL_RESULT_ERROR: 'TOOL_RESULT_ERROR',
  TOOL_RATE_LIMITED: 'TOOL_RATE_LIMITED',
  TOOL_CIRCUIT_OPEN: 'TOOL_CIRCUIT_OPEN',
  BULKHEAD_FULL: 'BULKHEAD_FULL',
  PARSER_ERROR: 'PARSER_ERROR',
  PARSER_INVALID_FORMAT: 'PARSER_INVALID_FORMAT',
  MCP_CONNECTION_FAILED: 'MCP_CONNECTION_FAILED',
  MCP_TRANSPORT_ERROR: 'MCP_TRANSPORT_ERROR',
  MCP_SERVER_ERROR: 'MCP_SERVER_ERROR',
  MCP_TIMEOUT: 'MCP_TIMEOUT',
  RESOURCE_EXHAUSTED: 'RESOURCE_EXHAUSTED',
  CONFIGURATION_ERROR: 'CONFIGURATION_ERROR',
} as const;
export type ToolErrorCode = (typeof ToolErrorCode)[keyof typeof ToolErrorCode];
export const ToolErrorCodeSchema = z.enum(ToolErrorCode);

const C = ToolErrorCode;
const CAT = ToolErrorCategory;

const CODE_CATEGORY: Record<ToolErrorCode, ToolErrorCategory> = {
  [C.TOOL_NOT_FOUND]: CAT.NotFound,
  [C.TOOL_REGISTRATION_FAILED]: CAT.Configuration,
  [C.TOOL_EXECUTION_FAILED]: CAT.Execution,
  [C.TOOL_TIMEOUT]: CAT.Timeout,
  [C.TOOL_CANCELLED]: CAT.Cancelled,
  [C.TOOL_VALIDATION_ERROR]: CAT.Validation,
  [C.TOOL_ARGUMENT_ERROR]: CAT.Validation,
  [C.TOOL_RESULT_ERROR]: CAT.Validation,
  [C.PARSER_ERROR]: CAT.Validation,
  [C.PARSER_INVALID_FORMAT]: CAT.Validation,
  [C.TOOL_RATE_LIMITED]: CAT.RateLimit,
  [C.TOOL_CIRCUIT_OPEN]: CAT.CircuitOpen,
  [C.BULKHEAD_FULL]: CAT.BulkheadFull,
  [C.RESOURCE_EXHAUSTED]: CAT.BulkheadFull,
  [C.MCP_CONNECTION_FAILED]: CAT.Connection,
  [C.MCP_TRANSPORT_ERROR]: CAT.Connection,
  [C.MCP_SERVER_ERROR]: CAT.Execution,
  [C.MCP_TIMEOUT]: CAT.Timeout,
  [C.CONFIGURATION_ERROR]: CAT.Configuration,
};

export function categoryForCode(code: string): ToolErrorCategory {
  return (CODE_CATEGORY as Record<string, ToolErrorCategory | undefined>)[code] ?? CAT.Execution;
}

export const RETRYABLE_CATEGORIES: ReadonlySet<ToolErrorCategory> = new Set([
  CAT.RateLimit,
  CAT.CircuitOpen,
  CAT.BulkheadFull,
  CAT.Timeout,
  CAT.Execution,
  CAT.Connection,
]);

export const isRetryableCategory = (c: ToolErrorCategory): boolean => RETRYABLE_CATEGORIES.has(c);

export const ErrorInfoSchema = z.object({
  code: ToolErrorCodeSchema,
  category: z.enum(ToolErrorCategory),
  message: z.string(),
  retryable: z.boolean().default(true),
  retry_after_ms: z.number().min(0).nullable().default(null),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type ErrorInfo = Readonly<z.infer<typeof ErrorInfoSchema>>;

export function makeErrorInfo(
  code: ToolErrorCode,
  message: string,
  opts: { retryable?: boolean; retryAfterMs?: number | null; details?: Record<string, unknown> } = {},
): ErrorInfo {
  const category = categoryForCode(code);
  return Object.freeze({
    code,
    category,
    message,
    retryable: opts.retryable ?? isRetryableCategory(category),
    retry_after_ms: opts.retryAfterMs ?? null,
    details: opts.details ?? {},
  });
}

const HEURISTICS: Array<[(m: string) => boolean, ToolErrorCode]> = [
  [(m) => m.includes('rate limit'), C.TOOL_RATE_LIMITED],
  [(m) => m.includes('circuit') && m.includes('open'), C.TOOL_CIRCUIT_OPEN],
  [(m) => m.includes('bulkhead') || m.includes('concurrency'), C.BULKHEAD_FULL],
  [(m) => m.includes('timeout') || m.includes('timed out'), C.TOOL_TIMEOUT],
  [(m) => m.includes('not found'), C.TOOL_NOT_FOUND],
  [(m) => m.includes('validation') || m.includes('invalid'), C.TOOL_VALIDATION_ERROR],
  [(m) => m.includes('cancel'), C.TOOL_CANCELLED],
  [(m) => m.includes('connection') || m.includes('connect'), C.MCP_CONNECTION_FAILED],
];

/** Legacy heuristic for error strings from foreign executors (first match wins). */
export function errorInfoFromString(message: string, toolName?: string): ErrorInfo {
  const lower = message.toLowerCase();
  const code = HEURISTICS.find(([test]) => test(lower))?.[1] ?? C.TOOL_EXECUTION_FAILED;
  return makeErrorInfo(code, message, { details: toolName !== undefined ? { tool_name: toolName } : {} });
}

/** Error classes of this package carry their own info; anything else is an execution failure. */
export function errorInfoFromError(e: unknown): ErrorInfo {
  if (e instanceof ToolProcessingError && hasErrorInfo(e)) return e.toErrorInfo();
  const message = e instanceof Error ? e.message : String(e);
  const name = e instanceof Error ? e.name : typeof e;
  return makeErrorInfo(C.TOOL_EXECUTION_FAILED, message, { details: { exception_type: name } });
}

const hasErrorInfo = (e: object): e is { toErrorInfo(): ErrorInfo } =>
  typeof (e as { toErrorInfo?: unknown }).toErrorInfo === 'function';

interface Base {
  message?: string;
  cause?: unknown;
}

const causeOf = (opts: Base): { cause?: unknown } => (opts.cause !== undefined ? { cause: opts.cause } : {});

export class ToolNotFoundError extends ToolProcessingError {
  readonly available: string[];
  constructor(opts: Base & { toolName: string; available?: string[] }) {
    super({ toolName: opts.toolName, reason: 'not found in any namespace', message: opts.message ?? `Tool '${opts.toolName}' not found in any namespace`, code: C.TOOL_NOT_FOUND, ...causeOf(opts) });
    this.name = 'ToolNotFoundError';
    this.available = opts.available ?? [];
  }
  toErrorInfo(): ErrorInfo {
    return makeErrorInfo(C.TOOL_NOT_FOUND, this.message, { details: { tool_name: this.toolName, available: this.available } });
  }
}

export class ToolExecutionError extends ToolProcessingError {
  constructor(opts: Base & { toolName: string }) {
    const reason = opts.cause instanceof Error ? opts.cause.message : opts.cause === undefined ? 'execution failed' : stringOf(opts.cause);
    super({ toolName: opts.toolName, reason, message: opts.message ?? reason, code: C.TOOL_EXECUTION_FAILED, ...causeOf(opts) });
    this.name = 'ToolExecutionError';
  }
  toErrorInfo(): ErrorInfo {
    return makeErrorInfo(C.TOOL_EXECUTION_FAILED, this.message, { details: { tool_name: this.toolName } });
  }
}

export const formatSeconds = (ms: number): string => `${ms / 1000}s`;

export class ToolTimeoutError extends ToolProcessingError {
  readonly timeoutMs: number;
  constructor(opts: Base & { toolName: string; timeoutMs: number }) {
    super({ toolName: opts.toolName, reason: 'timeout', message: opts.message ?? `Timeout after ${formatSeconds(opts.timeoutMs)}`, code: C.TOOL_TIMEOUT, ...causeOf(opts) });
    this.name = 'ToolTimeoutError';
    this.timeoutMs = opts.timeoutMs;
  }
  toErrorInfo(): ErrorInfo {
    return makeErrorInfo(C.TOOL_TIMEOUT, this.message, { details: { tool_name: this.toolName, timeout_ms: this.timeoutMs } });
  }
}

export interface ValidationIssue {
  violation_type: 'missing_required' | 'unknown_field' | 'type_mismatch' | 'enum_invalid' | 'empty_required' | 'constraint_violated';
  field: string;
  message: string;
  expected?: unknown;
  actual?: unknown;
}

export class ToolValidationError extends ToolProcessingError {
  readonly issues: ValidationIssue[];
  constructor(opts: Base & { toolName: string; issues: ValidationIssue[] }) {
    super({ toolName: opts.toolName, reason: 'invalid arguments', message: opts.message ?? `Invalid arguments for ${opts.toolName}`, code: C.TOOL_ARGUMENT_ERROR, ...causeOf(opts) });
    this.name = 'ToolValidationError';
    this.issues = opts.issues;
  }
  toErrorInfo(): ErrorInfo {
    return makeErrorInfo(C.TOOL_ARGUMENT_ERROR, this.message, { details: { tool_name: this.toolName, issues: this.issues } });
  }
}

export class ToolRateLimitedError extends ToolProcessingError {
  readonly retryAfterMs: number;
  constructor(opts: Base & { toolName: string; retryAfterMs: number }) {
    super({ toolName: opts.toolName, reason: 'rate limited', message: opts.message ?? `Rate limit exceeded for ${opts.toolName}; retry after ${opts.retryAfterMs}ms`, code: C.TOOL_RATE_LIMITED, ...causeOf(opts) });
    this.name = 'ToolRateLimitedError';
    this.retryAfterMs = opts.retryAfterMs;
  }
  toErrorInfo(): ErrorInfo {
    return makeErrorInfo(C.TOOL_RATE_LIMITED, this.message, { retryAfterMs: this.retryAfterMs, details: { tool_name: this.toolName } });
  }
}

export class ToolCircuitOpenError extends ToolProcessingError {
  readonly failureCount: number;
  readonly resetInMs: number;
  constructor(opts: Base & { toolName: string; failureCount: number; resetInMs: number }) {
    super({
      toolName: opts.toolName,
      reason: 'circuit open',
      message: opts.message ?? `Circuit breaker is open for ${opts.toolName} after ${opts.failureCount} failures; half-open in ${opts.resetInMs}ms`, code: C.TOOL_CIRCUIT_OPEN, ...causeOf(opts) });
    this.name = 'ToolCircuitOpenError';
    this.failureCount = opts.failureCount;
    this.resetInMs = opts.resetInMs;
  }
  toErrorInfo(): ErrorInfo {
    return makeErrorInfo(C.TOOL_CIRCUIT_OPEN, this.message, {
      retryAfterMs: this.resetInMs,
      details: { tool_name: this.toolName, failure_count: this.failureCount },
    });
  }
}

export class BulkheadFullError extends ToolProcessingError {
  readonly limit: number;
  constructor(opts: Base & { toolName: string; limit: number }) {
    super({ toolName: opts.toolName, reason: 'bulkhead full', message: opts.message ?? `Bulkhead full for ${opts.toolName} (limit ${opts.limit})`, code: C.BULKHEAD_FULL, ...causeOf(opts) });
    this.name = 'BulkheadFullError';
    this.limit = opts.limit;
  }
  toErrorInfo(): ErrorInfo {
    return makeErrorInfo(C.BULKHEAD_FULL, this.message, { details: { tool_name: this.toolName, limit: this.limit } });
  }
}

export class ToolCallParseError extends ToolProcessingError {
  readonly format: string;
  constructor(opts: Base & { format: string; message: string }) {
    super({ reason: opts.message, message: opts.message, code: C.PARSER_INVALID_FORMAT, ...causeOf(opts) });
    this.name = 'ToolCallParseError';
    this.format = opts.format;
  }
  toErrorInfo(): ErrorInfo {
    return makeErrorInfo(C.PARSER_INVALID_FORMAT, this.message, { details: { format: this.format } });
  }
}

export class GuardBlockedError extends ToolProcessingError {
  readonly guardResult: GuardResult;
  constructor(opts: Base & { toolName: string; guardResult: GuardResult }) {
    super({ toolName: opts.toolName, reason: opts.guardResult.reason, message: opts.message ?? opts.guardResult.reason, code: C.TOOL_VALIDATION_ERROR, ...causeOf(opts) });
    this.name = 'GuardBlockedError';
    this.guardResult = opts.guardResult;
  }
  toErrorInfo(): ErrorInfo {
    return makeErrorInfo(C.TOOL_VALIDATION_ERROR, this.message, {
      retryable: false,
      details: { tool_name: this.toolName, guard: this.guardResult.guard ?? null, verdict: this.guardResult.verdict, ...this.guardResult.details },
    });
  }
}

export class ToolRetryExhaustedError extends ToolProcessingError {
  readonly attempts: number;
  readonly lastErrors: string[];
  constructor(opts: Base & { attempts: number; lastErrors: string[] }) {
    const reason = `no executable tool calls after ${opts.attempts} attempts`;
    super({ reason, message: opts.message ?? `Tool processing error: ${reason}`, code: C.TOOL_EXECUTION_FAILED, ...causeOf(opts) });
    this.name = 'ToolRetryExhaustedError';
    this.attempts = opts.attempts;
    this.lastErrors = opts.lastErrors;
  }
  toErrorInfo(): ErrorInfo {
    return makeErrorInfo(C.TOOL_EXECUTION_FAILED, this.message, { retryable: false, details: { attempts: this.attempts, last_errors: this.lastErrors } });
  }
}

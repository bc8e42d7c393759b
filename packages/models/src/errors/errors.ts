import { ErrorCode } from '../enums/index.js';

/** Options every error accepts: `message` overrides the generated text, `cause` is kept (ES2022). */
export interface ErrorOptions {
  message?: string;
  cause?: unknown;
}

/** Base-class options; `code` lets subclasses in other packages set their own code. */
export interface SessionManagerErrorOptions extends ErrorOptions {
  code?: string;
}

const given = (v: unknown): boolean => v !== undefined && v !== null;

/** Base of every error raised by chuk. */
export class SessionManagerError extends Error {
  /** Stable machine-readable code (`ErrorCode` for this package's classes). */
  readonly code: string;

  constructor(options: SessionManagerErrorOptions = {}) {
    super(options.message ?? 'Session manager error', 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'SessionManagerError';
    this.code = options.code ?? ErrorCode.SessionManagerError;
  }
}

export function isSessionManagerError(e: unknown): e is SessionManagerError {
  return e instanceof SessionManagerError;
}

export interface SessionNotFoundOptions extends ErrorOptions {
  sessionId?: string | null;
}

export class SessionNotFound extends SessionManagerError {
  readonly sessionId: string | null;

  constructor(options: SessionNotFoundOptions = {}) {
    const id = options.sessionId ?? null;
    super({
      ...options,
      code: ErrorCode.SessionNotFound,
      message: options.message ?? (given(id) ? `Session not found: ${String(id)}` : 'Session not found'),
    });
    this.name = 'SessionNotFound';
    this.sessionId = id;
  }
}

export class SessionAlreadyExists extends SessionManagerError {
  readonly sessionId: string | null;

  constructor(options: SessionNotFoundOptions = {}) {
    const id = options.sessionId ?? null;
    super({
      ...options,
      code: ErrorCode.SessionAlreadyExists,
      message: options.message ?? (given(id) ? `Session already exists: ${String(id)}` : 'Session already exists'),
    });
    this.name = 'SessionAlreadyExists';
    this.sessionId = id;
  }
}

export interface InvalidSessionOperationOptions extends ErrorOptions {
  operation?: string | null;
  reason?: string | null;
  sessionId?: string | null;
}

export class InvalidSessionOperation extends SessionManagerError {
  readonly operation: string | null;
  readonly reason: string | null;
  readonly sessionId: string | null;

  constructor(options: InvalidSessionOperationOptions = {}) {
    const op = options.operation ?? null;
    const reason = options.reason ?? null;
    let text = 'Invalid session operation';
    if (op !== null && reason !== null) text = `Invalid operation '${op}': ${reason}`;
    else if (op !== null) text = `Invalid operation: ${op}`;
    super({ ...options, code: ErrorCode.InvalidSessionOperation, message: options.message ?? text });
    this.name = 'InvalidSessionOperation';
    this.operation = op;
    this.reason = reason;
    this.sessionId = options.sessionId ?? null;
  }
}

export interface TokenLimitExceededOptions extends ErrorOptions {
  limit?: number | null;
  actual?: number | null;
}

export class TokenLimitExceeded extends SessionManagerError {
  readonly limit: number | null;
  readonly actual: number | null;

  constructor(options: TokenLimitExceededOptions = {}) {
    const limit = options.limit ?? null;
    const actual = options.actual ?? null;
    const text =
      limit !== null && actual !== null ? `Token limit exceeded: ${actual} > ${limit}` : 'Token limit exceeded';
    super({ ...options, code: ErrorCode.TokenLimitExceeded, message: options.message ?? text });
    this.name = 'TokenLimitExceeded';
    this.limit = limit;
    this.actual = actual;
  }
}

export interface StorageErrorOptions extends SessionManagerErrorOptions {
  /** Store method name (`create|get|append|...`) or a bridge operation. */
  operation?: string | null;
  /** Backend name (`memory`, `redis`, `s3`, ...). */
  backend?: string | null;
}

export class StorageError extends SessionManagerError {
  readonly operation: string | null;
  readonly backend: string | null;

  constructor(options: StorageErrorOptions = {}) {
    const op = options.operation ?? null;
    const backend = options.backend ?? null;
    let text = 'Storage operation failed';
    if (op !== null && backend !== null) text = `Storage error in '${backend}' during ${op}`;
    else if (op !== null) text = `Storage error during ${op}`;
    super({ ...options, code: options.code ?? ErrorCode.StorageError, message: options.message ?? text });
    this.name = 'StorageError';
    this.operation = op;
    this.backend = backend;
  }
}

/** Which compare-and-set failed: the event count of `append` or the header revision of `updateHeader`. */
export type VersionConflictKind = 'eventCount' | 'revision';

export interface SessionVersionConflictOptions extends ErrorOptions {
  sessionId: string;
  kind: VersionConflictKind;
  expected: number;
  /** Observed value; −1 when unknown. */
  actual: number;
  backend?: string | null;
}

/** A compare-and-set lost a race (another writer changed the session first). */
export class SessionVersionConflict extends StorageError {
  readonly sessionId: string;
  readonly kind: VersionConflictKind;
  readonly expected: number;
  readonly actual: number;

  constructor(options: SessionVersionConflictOptions) {
    super({
      ...options,
      code: ErrorCode.SessionVersionConflict,
      operation: options.kind === 'eventCount' ? 'append' : 'updateHeader',
      message:
        options.message ??
        `Session ${options.sessionId} was modified concurrently (expected ${options.kind} ${options.expected}, found ${options.actual})`,
    });
    this.name = 'SessionVersionConflict';
    this.sessionId = options.sessionId;
    this.kind = options.kind;
    this.expected = options.expected;
    this.actual = options.actual;
  }
}

export interface ToolProcessingErrorOptions extends SessionManagerErrorOptions {
  toolName?: string | null;
  reason?: string | null;
}

export class ToolProcessingError extends SessionManagerError {
  readonly toolName: string | null;
  readonly reason: string | null;

  constructor(options: ToolProcessingErrorOptions = {}) {
    const name = options.toolName ?? null;
    const reason = options.reason ?? null;
    let text = 'Tool processing error';
    if (name !== null && reason !== null) text = `Tool '${name}' processing error: ${reason}`;
    else if (name !== null) text = `Tool '${name}' processing error`;
    super({ ...options, code: options.code ?? ErrorCode.ToolProcessingError, message: options.message ?? text });
    this.name = 'ToolProcessingError';
    this.toolName = name;
    this.reason = reason;
  }
}

/** One zod issue, as carried by `InvalidInput` (structurally `z.core.$ZodIssue`). */
export interface InputIssue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export interface InvalidInputOptions extends ErrorOptions {
  /** Dotted path of the offending field (`token_usage.prompt_tokens`, `key`, ...). */
  field: string;
  reason: string;
  issues?: readonly InputIssue[];
}

/** Bad arguments or data (README D3). */
export class InvalidInput extends SessionManagerError {
  readonly field: string;
  readonly reason: string;
  readonly issues: readonly InputIssue[];

  constructor(options: InvalidInputOptions) {
    super({
      ...options,
      code: ErrorCode.InvalidInput,
      message: options.message ?? `Invalid ${options.field}: ${options.reason}`,
    });
    this.name = 'InvalidInput';
    this.field = options.field;
    this.reason = options.reason;
    this.issues = options.issues ?? [];
  }
}

export interface MissingDependencyOptions extends ErrorOptions {
  packageName: string;
  feature: string;
}

/** An optional peer dependency was explicitly requested but is not installed. */
export class MissingDependency extends SessionManagerError {
  readonly packageName: string;
  readonly feature: string;

  constructor(options: MissingDependencyOptions) {
    super({
      ...options,
      code: ErrorCode.MissingDependency,
      message:
        options.message ?? `${options.feature} requires the optional package '${options.packageName}'; install it`,
    });
    this.name = 'MissingDependency';
    this.packageName = options.packageName;
    this.feature = options.feature;
  }
}

import { describe, expect, it } from 'vitest';
import {
  ErrorCode, EventSource, EventSourceSchema, EventType, InvalidInput, InvalidSessionOperation, MessageRole,
  MissingDependency, RunStatus, SessionAlreadyExists, SessionManagerError, SessionNotFound, SessionVersionConflict,
  StorageError, TokenLimitExceeded, ToolErrorCategory, ToolOutcome, ToolProcessingError, isSessionManagerError,
  parseInput,
} from '@chuk/models';
import { z } from 'zod';

describe('enums', () => {
  it('keep the reference wire values', () => {
    expect(Object.values(EventSource)).toEqual(['user', 'llm', 'system']);
    expect(Object.values(EventType)).toEqual([
      'message', 'summary', 'tool_call', 'reference', 'context_bridge', 'tool_trace', 'tool_pattern', 'tool_fix',
    ]);
    expect(Object.values(RunStatus)).toEqual(['pending', 'running', 'completed', 'failed', 'cancelled']);
    expect(Object.values(MessageRole)).toEqual(['user', 'assistant', 'tool', 'system', 'developer']);
    expect(Object.values(ToolOutcome)).toEqual(['success', 'failure', 'partial', 'timeout', 'cancelled']);
    expect(Object.values(ToolErrorCategory)).toHaveLength(10);
    expect(EventSourceSchema.safeParse('ai').success).toBe(false);
  });
});

describe('errors', () => {
  it('build the reference messages', () => {
    expect(new SessionNotFound({ sessionId: 'a' }).message).toBe('Session not found: a');
    expect(new SessionNotFound({ sessionId: null }).message).toBe('Session not found');
    expect(new SessionAlreadyExists({ sessionId: 'a' }).message).toBe('Session already exists: a');
    expect(new SessionAlreadyExists().message).toBe('Session already exists');
    expect(new InvalidSessionOperation({ operation: 'op', reason: 'why' }).message).toBe("Invalid operation 'op': why");
    expect(new InvalidSessionOperation({ operation: 'op' }).message).toBe('Invalid operation: op');
    expect(new InvalidSessionOperation().message).toBe('Invalid session operation');
    expect(new TokenLimitExceeded({ limit: 0, actual: 5 }).message).toBe('Token limit exceeded: 5 > 0');
    expect(new TokenLimitExceeded({ limit: 3 }).message).toBe('Token limit exceeded');
    expect(new StorageError({ operation: 'get', backend: 'redis' }).message).toBe("Storage error in 'redis' during get");
    expect(new StorageError({ operation: 'get' }).message).toBe('Storage error during get');
    expect(new StorageError().message).toBe('Storage operation failed');
    expect(new StorageError({ message: 'disk full' }).message).toBe('disk full');
    expect(new ToolProcessingError({ toolName: 't', reason: 'r' }).message).toBe("Tool 't' processing error: r");
    expect(new ToolProcessingError({ toolName: 't' }).message).toBe("Tool 't' processing error");
    expect(new ToolProcessingError().message).toBe('Tool processing error');
    expect(new MissingDependency({ packageName: 'x', feature: 'F' }).message).toBe("F requires the optional package 'x'; install it");
    expect(new SessionManagerError().message).toBe('Session manager error');
  });

  it('carry code, cause, name and inheritance', () => {
    const cause = new Error('boom');
    const e = new StorageError({ operation: 'get', backend: 'memory', cause });
    expect(e.cause).toBe(cause);
    expect(e.code).toBe(ErrorCode.StorageError);
    expect(e.name).toBe('StorageError');
    expect(e).toBeInstanceOf(SessionManagerError);
    expect(isSessionManagerError(e)).toBe(true);
    expect(isSessionManagerError(cause)).toBe(false);
    expect('cause' in new StorageError()).toBe(false);
    const c = new SessionVersionConflict({ sessionId: 's', kind: 'eventCount', expected: 2, actual: 3 });
    expect(c).toBeInstanceOf(StorageError);
    expect(c.operation).toBe('append');
    expect(c.code).toBe(ErrorCode.SessionVersionConflict);
    expect(c.message).toBe('Session s was modified concurrently (expected eventCount 2, found 3)');
    expect(new SessionVersionConflict({ sessionId: 's', kind: 'revision', expected: 1, actual: -1 }).operation).toBe('updateHeader');
  });

  it('InvalidInput names the field of a zod failure', () => {
    const schema = z.object({ a: z.object({ b: z.number() }) });
    expect(parseInput(schema, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
    try {
      parseInput(schema, { a: { b: 'x' } }, 'config');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidInput);
      const err = e as InvalidInput;
      expect(err.field).toBe('config.a.b');
      expect(err.issues.length).toBe(1);
      expect(err.message).toMatch(/^Invalid config\.a\.b: /);
      expect(err.code).toBe(ErrorCode.InvalidInput);
    }
    expect(() => parseInput(z.number(), 'x')).toThrow(/Invalid input/);
  });
});

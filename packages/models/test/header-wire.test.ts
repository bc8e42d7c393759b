import { describe, expect, it } from 'vitest';
import {
  InvalidInput, STORE_SCHEMA_VERSION, STORE_SESSION_TYPE, Session, headerFromWire, headerToWire, headerToWireJson, headerUserId,
} from '../src/index.js';
import type { SessionHeader } from '../src/index.js';

const headerWith = (properties: Record<string, unknown>): SessionHeader => new Session({ id: 'h1', properties }).toHeader();

describe('headerToWireJson', () => {
  it('is the JSON of headerToWire and reads back as the same header', () => {
    const header = headerWith({ user_id: 'u1', n: 2 });
    header.state.k = [1, { a: 'b' }];
    const json = headerToWireJson(header);
    expect(json).toBe(JSON.stringify(headerToWire(header)));
    const back = headerFromWire(JSON.parse(json));
    expect(headerToWire(back)).toEqual(headerToWire(header));
  });

  it('rejects a malformed or unserialisable header with InvalidInput naming the field', () => {
    expect(() => headerToWireJson({ id: 'bad id' } as never)).toThrow(expect.objectContaining({ field: 'header.id' }) as Error);
    const header = headerWith({});
    header.state.big = 1n;
    const error = (() => {
      try {
        headerToWireJson(header);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(InvalidInput);
    expect((error as InvalidInput).field).toBe('header');
    expect((error as InvalidInput).cause).toBeInstanceOf(TypeError);
  });
});

describe('headerUserId and the envelope constants', () => {
  it('gives properties.user_id only when it is a string', () => {
    expect(headerUserId(headerWith({ user_id: 'u7' }))).toBe('u7');
    expect(headerUserId(headerWith({ user_id: 42 }))).toBeNull();
    expect(headerUserId(headerWith({}))).toBeNull();
  });

  it('keeps the values every stored session carries', () => {
    expect(STORE_SESSION_TYPE).toBe('ai_session_manager');
    expect(STORE_SCHEMA_VERSION).toBe('1');
  });
});

import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COMMAND_TIMEOUT_MS, createRedisClient, parseClusterUrl } from '../src/index.js';
import { reconnectDelay } from '../src/client/create-client.js';
import { escapeGlob, sessionIdOfKey, sessionScanPattern } from '../src/client/keys.js';

describe('parseClusterUrl (spec §12.1)', () => {
  it('strips the scheme and /db, defaults the port, keeps credentials', () => {
    expect(parseClusterUrl('redis://h1:7000,h2,h3:7002/0')).toEqual({
      nodes: [
        { host: 'h1', port: 7000 },
        { host: 'h2', port: 6379 },
        { host: 'h3', port: 7002 },
      ],
      tls: false,
    });
    expect(parseClusterUrl('rediss://user:p%40ss@a:1,b:2')).toEqual({
      nodes: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2 },
      ],
      tls: true,
      username: 'user',
      password: 'p@ss',
    });
    expect(parseClusterUrl('redis://:secret@a:x, ,b:3/')).toEqual({
      nodes: [
        { host: 'a', port: 6379 },
        { host: 'b', port: 3 },
      ],
      tls: false,
      password: 'secret',
    });
    expect(parseClusterUrl('redis://secret@a:1,b:2').password).toBe('secret');
  });
});

describe('createRedisClient (no I/O)', () => {
  it('standalone: lazy, bounded commands, no silent re-send', () => {
    const client = createRedisClient('redis://127.0.0.1:1/2');
    expect(client).toBeInstanceOf(Redis);
    const redis = client as Redis;
    expect(redis.status).toBe('wait');
    expect(redis.options).toMatchObject({
      lazyConnect: true,
      commandTimeout: DEFAULT_COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 2,
      autoResendUnfulfilledCommands: false,
      db: 2,
    });
    expect(redis.options.tls).toBeUndefined();
    redis.disconnect();
  });

  it('TLS: rediss:// verifies certificates unless tlsInsecure', () => {
    const secure = createRedisClient('rediss://127.0.0.1:1') as Redis;
    expect(secure.options.tls).toEqual({});
    const insecure = createRedisClient('rediss://127.0.0.1:1', { tlsInsecure: true, commandTimeoutMs: 10 }) as Redis;
    expect(insecure.options.tls).toEqual({ rejectUnauthorized: false });
    expect(insecure.options.commandTimeout).toBe(10);
    const plain = createRedisClient('redis://127.0.0.1:1', { tlsInsecure: true }) as Redis;
    expect(plain.options.tls).toBeUndefined();
    for (const c of [secure, insecure, plain]) c.disconnect();
  });

  it('a comma selects Cluster', () => {
    const cluster = createRedisClient('rediss://:pw@127.0.0.1:1,127.0.0.1:2', { tlsInsecure: true, maxRetriesPerRequest: 0 });
    expect(cluster).toBeInstanceOf(Cluster);
    const c = cluster as Cluster;
    expect(c.status).toBe('wait');
    expect(c.options.redisOptions).toMatchObject({ password: 'pw', tls: { rejectUnauthorized: false }, maxRetriesPerRequest: 0 });
    const plain = createRedisClient('redis://u:p@127.0.0.1:1,127.0.0.1:2') as Cluster;
    expect(plain.options.redisOptions).toMatchObject({ username: 'u', password: 'p' });
    expect(plain.options.redisOptions?.tls).toBeUndefined();
    c.disconnect();
    plain.disconnect();
  });

  it('reconnects forever with a capped delay', () => {
    expect(reconnectDelay(1)).toBe(50);
    expect(reconnectDelay(1_000)).toBe(1_000);
  });
});

describe('keys', () => {
  it('escapes glob characters and extracts ids of session hashes only', () => {
    expect(escapeGlob('a*b?c[d]e\\f')).toBe('a\\*b\\?c\\[d\\]e\\\\f');
    expect(sessionScanPattern('p*:', 'x?')).toBe('p\\*:session:{x\\?*');
    expect(sessionIdOfKey('p:', 'p:session:{abc}')).toBe('abc');
    expect(sessionIdOfKey('p:', 'p:session:{abc}:events')).toBeNull();
    expect(sessionIdOfKey('p:', 'q:session:{abc}')).toBeNull();
    expect(sessionIdOfKey('p:', 'p:session:{}')).toBeNull();
    expect(sessionIdOfKey('p:', 'p:session:{a}b}')).toBeNull();
  });
});

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineBlobStoreSuite, defineSessionStoreSuite } from '@chuk/models/testing';
import { RedisBlobStore, RedisSessionStore } from '../src/index.js';
import { event, header } from './helpers/fixtures.js';
import { REDIS_SERVER_BINARY, TestRedisServer, eventually, freePort } from './helpers/redis-server.js';

const REDIS_CLI = process.env.REDIS_CLI_BINARY ?? '/usr/bin/redis-cli';
const NODES = 3;
const CLUSTER_READY_TIMEOUT_MS = 30_000;
const available = existsSync(REDIS_SERVER_BINARY) && existsSync(REDIS_CLI);

async function run(binary: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${binary} exited with ${String(code)}: ${out}`))));
  });
}

let directory = '';
const servers: TestRedisServer[] = [];
let url = '';

beforeAll(async () => {
  if (!available) return;
  directory = await mkdtemp(join(tmpdir(), 'chuk-redis-cluster-'));
  for (let i = 0; i < NODES; i++) {
    const busPort = await freePort();
    servers.push(
      await TestRedisServer.start([
        '--cluster-enabled', 'yes',
        '--cluster-port', String(busPort),
        '--cluster-config-file', join(directory, `nodes-${i}.conf`),
        '--dir', directory,
      ]),
    );
  }
  await run(REDIS_CLI, ['--cluster', 'create', ...servers.map((s) => `127.0.0.1:${s.port}`), '--cluster-replicas', '0', '--cluster-yes']);
  await eventually(
    async () => {
      for (const s of servers) {
        if (!(await run(REDIS_CLI, ['-p', String(s.port), 'cluster', 'info'])).includes('cluster_state:ok')) return false;
      }
      return true;
    },
    CLUSTER_READY_TIMEOUT_MS,
    'the cluster to be ready',
  );
  url = `redis://${servers.map((s) => `127.0.0.1:${s.port}`).join(',')}`;
}, 90_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.kill()));
  if (directory !== '') await rm(directory, { recursive: true, force: true });
});

describe.runIf(available)('Redis Cluster', () => {
  it('keeps the three keys of a session in one slot and scans every master', async () => {
    const store = new RedisSessionStore({ url, keyPrefix: 'c:' });
    expect(store.client).toBeInstanceOf(Cluster);
    const ids = Array.from({ length: 30 }, (_, i) => `cl-${i}`);
    for (const id of ids) {
      await store.create(header(id));
      await store.append(id, [event('x')]);
    }
    const cluster = store.client as Cluster;
    const slots = await Promise.all(
      ['c:session:{cl-7}', 'c:session:{cl-7}:events', 'c:session:{cl-7}:ids'].map((k) => cluster.cluster('KEYSLOT', k)),
    );
    expect(new Set(slots).size).toBe(1);
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { ids: string[]; cursor: string | null } = await store.list('cl-', { cursor, limit: 4 });
      page.ids.forEach((id) => seen.add(id));
      cursor = page.cursor;
      pages += 1;
    } while (cursor !== null);
    expect([...seen].sort()).toEqual([...ids].sort());
    expect(pages).toBeGreaterThan(1);
    expect(await store.getStats()).toMatchObject({ details: { cluster: true } });
    await store.close();
  });
});

if (available) {
  defineSessionStoreSuite('redis (cluster)', async () => {
    const open = (): RedisSessionStore => new RedisSessionStore({ url, keyPrefix: 'kit:' });
    const store = open();
    return { store, reopen: async () => open(), cleanup: () => store.close() };
  });
  defineBlobStoreSuite('redis (cluster)', async () => {
    const store = new RedisBlobStore({ url, keyPrefix: 'kitb:' });
    return { store, reopen: async () => new RedisBlobStore({ url, keyPrefix: 'kitb:' }), cleanup: () => store.close() };
  });
}

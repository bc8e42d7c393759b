/**
 * W6 redis (../shared/bench/workloads.md): `@chuk/store-redis` against the local Redis.
 * - W1 on Redis: create+get pairs (2 ops each), sequential (await each) and pipelined (64 pairs in
 *   flight on an auto-pipelining client);
 * - W2-like appends (messages of seed 1002): one event per call sequential, 16 sessions in flight,
 *   batched (100 events per call, awaited one at a time) and batched in flight (4 sessions, each
 *   appending the 2,000 events in calls of 100, on the auto-pipelining client);
 * - append latency on a 10,000-event session vs a 10-event one (must stay within 1.5×);
 * - the same machine's `redis-benchmark -t set,get -n 100000 -q` (and `-P 16`), measured in the same
 *   run, and the ratios to it;
 * - the floors of this process, same run: a raw ioredis client (created like the store's) sending
 *   one GET, or one trivial EVALSHA, per awaited round trip, and GETs 64 in flight; the JSON encoding
 *   of the appended events alone; the raw layout write (a script doing only SADD + RPUSH of
 *   pre-encoded events, 4 sessions in flight); and Redis' own CPU time (INFO cpu) per appended event
 *   and per `-P 16` request, which bounds the batched ratio however fast the client is.
 * Keys live under a unique prefix and are deleted after each run (not timed).
 */
import { spawn } from 'node:child_process';
import { Session, SessionEvent, TokenUsage } from '@chuk/models';
import { RedisSessionStore, createRedisClient } from '@chuk/store-redis';
import type { RunResult, Workload } from '../lib/harness.js';
import { SEED_W2_W4, TextGenerator } from '../lib/text.js';

const REDIS_URL = process.env.CHUK_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PAIRS = 10_000;
const OPS_PER_PAIR = 2;
const PIPELINE_DEPTH = 64;
const MESSAGES = 2_000;
const APPEND_SESSIONS_IN_FLIGHT = 16;
const BATCH = 100;
const BATCH_SESSIONS_IN_FLIGHT = 4;
const LONG_SESSION = 10_000;
const SHORT_SESSION = 10;
const LATENCY_APPENDS = 1_000;
const BENCHMARK_REQUESTS = 100_000;
const BENCHMARK_PIPELINE = 16;
const SINGLE_CLIENT_REQUESTS = 20_000;
const RAW_SEQUENTIAL = 10_000;
const RAW_PIPELINED = 40_000;
const ENCODE_PASSES = 5;
const MS_PER_S = 1000;
const US_PER_S = 1_000_000;
/** The raw layout write: only what every append must do to the id set and the event list. */
const RAW_WRITE_LUA = "redis.call('SADD', KEYS[2], unpack(ARGV, 2, 1 + ARGV[1])) redis.call('RPUSH', KEYS[1], unpack(ARGV, 2 + ARGV[1])) return 1";
const TRIVIAL_LUA = 'return 1';

interface BenchmarkRates {
  set: number;
  get: number;
}

/** Runs redis-benchmark and parses its `-q` lines ("SET: 123456.78 requests per second, ..."). */
async function redisBenchmark(pipeline: number, clients?: number): Promise<BenchmarkRates> {
  const url = new URL(REDIS_URL);
  const requests = clients === undefined ? BENCHMARK_REQUESTS : SINGLE_CLIENT_REQUESTS;
  const args = ['-h', url.hostname, '-p', url.port === '' ? '6379' : url.port, '-t', 'set,get', '-n', String(requests), '-q'];
  if (pipeline > 1) args.push('-P', String(pipeline));
  if (clients !== undefined) args.push('-c', String(clients));
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`redis-benchmark exited with ${String(code)}`))));
  });
  const rates: Partial<BenchmarkRates> = {};
  for (const line of output.split(/[\r\n]+/)) {
    const match = /^\s*(SET|GET): ([\d.]+) requests per second/.exec(line);
    if (match !== null) rates[match[1] === 'SET' ? 'set' : 'get'] = Number(match[2]);
  }
  if (rates.set === undefined || rates.get === undefined) throw new Error(`could not parse redis-benchmark output: ${output.slice(-200)}`);
  return { set: rates.set, get: rates.get };
}

function events(prefix: string, count: number, text: TextGenerator): SessionEvent[] {
  return Array.from(
    { length: count },
    (_, i) =>
      new SessionEvent({
        id: `${prefix}-${i}`,
        message: { role: i % 2 === 0 ? 'user' : 'assistant', content: text.message() },
        tokenUsage: TokenUsage.create({ promptTokens: 60, completionTokens: i % 2, model: 'gpt-4o-mini' }),
      }),
  );
}

type RawClient = ReturnType<typeof createRedisClient>;

/** Seconds of CPU the Redis server process has used (INFO cpu: user + sys). */
async function redisCpuSeconds(client: RawClient): Promise<number> {
  const info = await client.info('cpu');
  const field = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Redis CPU µs per unit of work while `fn` runs (other clients of the server count too). */
async function redisCpuPer(client: RawClient, units: number, fn: () => Promise<unknown>): Promise<number> {
  const before = await redisCpuSeconds(client);
  await fn();
  return ((await redisCpuSeconds(client)) - before) * US_PER_S / units;
}

async function deletePrefix(client: RedisSessionStore['client'], prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await client.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function inFlight<T>(items: readonly T[], depth: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: depth }, worker));
}

let admin: RedisSessionStore | null = null;

const w6: Workload = {
  id: 'W6',
  title: 'redis: @chuk/store-redis vs redis-benchmark on the same machine',
  async setup() {
    admin = new RedisSessionStore({ url: REDIS_URL, keyPrefix: 'chuk-bench-w6-admin:' });
    await admin.exists('ping');
  },
  async teardown() {
    await admin?.close();
    admin = null;
  },
  async run(run: number): Promise<RunResult> {
    const prefix = `chuk-bench-w6:${process.pid}:r${run}:`;
    const store = new RedisSessionStore({ url: REDIS_URL, keyPrefix: prefix });
    const pipedStore = new RedisSessionStore({ url: REDIS_URL, keyPrefix: `${prefix}p:`, autoPipelining: true });
    const raw = createRedisClient(REDIS_URL);
    const rawPiped = createRedisClient(REDIS_URL, { autoPipelining: true });
    try {
      // --- W1 on Redis -------------------------------------------------------------------
      const headers = Array.from({ length: PAIRS }, (_, i) =>
        new Session({ id: `w6-r${run}-${String(i).padStart(5, '0')}`, properties: { user_id: 'bench-user' } }).toHeader(),
      );
      await store.exists('warm-up');
      const seqMs = await timed(async () => {
        for (const h of headers) {
          await store.create(h);
          await store.get(h.id);
        }
      });
      await pipedStore.exists('warm-up');
      const pipeMs = await timed(() =>
        inFlight(headers, PIPELINE_DEPTH, async (h) => {
          await pipedStore.create(h);
          await pipedStore.get(h.id);
        }),
      );

      // --- the floors of this process: one command per awaited round trip, GETs in flight -------------
      const rawKey = `${prefix}raw`;
      await raw.set(rawKey, 'v');
      const trivialSha = (await raw.script('LOAD', TRIVIAL_LUA)) as string;
      const rawGetMs = await timed(async () => {
        for (let i = 0; i < RAW_SEQUENTIAL; i++) await raw.get(rawKey);
      });
      const rawEvalMs = await timed(async () => {
        for (let i = 0; i < RAW_SEQUENTIAL; i++) await raw.evalsha(trivialSha, 1, rawKey);
      });
      await rawPiped.get(rawKey);
      const rawPipeMs = await timed(() => inFlight(Array.from({ length: RAW_PIPELINED }), PIPELINE_DEPTH, async () => {
        await rawPiped.get(rawKey);
      }));

      // --- W2-like appends -------------------------------------------------------------------
      const text = new TextGenerator(SEED_W2_W4);
      const appendEvents = events(`a${run}`, MESSAGES, text);
      await store.create(new Session({ id: 'w6-seq' }).toHeader());
      const appendSeqMs = await timed(async () => {
        for (const e of appendEvents) await store.append('w6-seq', [e]);
      });
      const sessions = Array.from({ length: APPEND_SESSIONS_IN_FLIGHT }, (_, i) => `w6-par-${i}`);
      for (const id of sessions) await pipedStore.create(new Session({ id }).toHeader());
      const appendParMs = await timed(() =>
        Promise.all(
          sessions.map(async (id, s) => {
            for (let i = s; i < appendEvents.length; i += APPEND_SESSIONS_IN_FLIGHT) await pipedStore.append(id, [appendEvents[i] as SessionEvent]);
          }),
        ).then(() => undefined),
      );
      await store.create(new Session({ id: 'w6-batch' }).toHeader());
      const appendBatchMs = await timed(async () => {
        for (let i = 0; i < appendEvents.length; i += BATCH) await store.append('w6-batch', appendEvents.slice(i, i + BATCH));
      });

      const batchSessions = Array.from({ length: BATCH_SESSIONS_IN_FLIGHT }, (_, i) => `w6-batch-par-${i}`);
      for (const id of batchSessions) await pipedStore.create(new Session({ id }).toHeader());
      let appendBatchParMs = 0;
      const cpuPerEvent = await redisCpuPer(admin?.client ?? raw, BATCH_SESSIONS_IN_FLIGHT * MESSAGES, async () => {
        appendBatchParMs = await timed(() =>
          Promise.all(
            batchSessions.map(async (id) => {
              for (let i = 0; i < appendEvents.length; i += BATCH) await pipedStore.append(id, appendEvents.slice(i, i + BATCH));
            }),
          ).then(() => undefined),
        );
      });

      // --- what batched appends cannot beat: encoding the events, and the bare layout write -------------
      let encodedBytes = 0;
      const encodeMs = await timed(async () => {
        for (let pass = 0; pass < ENCODE_PASSES; pass++) for (const e of appendEvents) encodedBytes += JSON.stringify(e.toWire()).length;
      });
      const encoded = appendEvents.map((e) => JSON.stringify(e.toWire()));
      const ids = appendEvents.map((e) => e.id);
      const rawWriteSha = (await raw.script('LOAD', RAW_WRITE_LUA)) as string;
      const rawWriteMs = await timed(() =>
        Promise.all(
          batchSessions.map(async (id) => {
            const keys = [`${prefix}raw:{${id}}:events`, `${prefix}raw:{${id}}:ids`];
            for (let i = 0; i < encoded.length; i += BATCH) {
              await raw.evalsha(rawWriteSha, 2, ...keys, Math.min(BATCH, encoded.length - i), ...ids.slice(i, i + BATCH), ...encoded.slice(i, i + BATCH));
            }
          }),
        ).then(() => undefined),
      );

      // --- append cost vs session length ------------------------------------------------------------
      await store.create(new Session({ id: 'w6-long' }).toHeader());
      await store.create(new Session({ id: 'w6-short' }).toHeader());
      const filler = events(`f${run}`, LONG_SESSION, text);
      for (let i = 0; i < LONG_SESSION; i += 1000) await store.append('w6-long', filler.slice(i, i + 1000));
      await store.append('w6-short', events(`s${run}`, SHORT_SESSION, text));
      const probes = events(`p${run}`, 2 * LATENCY_APPENDS, text);
      let longMs = 0;
      let shortMs = 0;
      for (let i = 0; i < LATENCY_APPENDS; i++) {
        longMs += await timed(async () => {
          await store.append('w6-long', [probes[2 * i] as SessionEvent]);
        });
        shortMs += await timed(async () => {
          await store.append('w6-short', [probes[2 * i + 1] as SessionEvent]);
        });
      }

      // --- redis-benchmark, same machine, same run (skipped in the warm-up) ------------------------------
      const plain = run === 0 ? { set: 1, get: 1 } : await redisBenchmark(1);
      let pipelined = { set: 1, get: 1 };
      let cpuPerRequest = 1;
      if (run !== 0) {
        cpuPerRequest = await redisCpuPer(admin?.client ?? raw, 2 * BENCHMARK_REQUESTS, async () => {
          pipelined = await redisBenchmark(BENCHMARK_PIPELINE);
        });
      }
      const single = run === 0 ? { set: 1, get: 1 } : await redisBenchmark(1, 1);
      const singleRef = (single.set + single.get) / 2;
      const plainRef = (plain.set + plain.get) / 2;
      const pipeRef = (pipelined.set + pipelined.get) / 2;

      const seqOps = (PAIRS * OPS_PER_PAIR * MS_PER_S) / seqMs;
      const pipeOps = (PAIRS * OPS_PER_PAIR * MS_PER_S) / pipeMs;
      const batchEvents = (MESSAGES * MS_PER_S) / appendBatchMs;
      const batchParEvents = (BATCH_SESSIONS_IN_FLIGHT * MESSAGES * MS_PER_S) / appendBatchParMs;
      const parAppends = (MESSAGES * MS_PER_S) / appendParMs;
      const rawGetOps = (RAW_SEQUENTIAL * MS_PER_S) / rawGetMs;
      const rawPipeOps = (RAW_PIPELINED * MS_PER_S) / rawPipeMs;
      return {
        figures: [
          { name: 'W6 W1 sequential', unit: 'ops/s', value: seqOps, description: `RedisSessionStore create+get, ${PAIRS} pairs, each awaited (bar ≥ 20,000)` },
          { name: 'W6 W1 pipelined', unit: 'ops/s', value: pipeOps, description: `same, ${PIPELINE_DEPTH} pairs in flight, auto-pipelining client` },
          { name: 'W6 W2 append sequential', unit: 'appends/s', value: (MESSAGES * MS_PER_S) / appendSeqMs, description: `${MESSAGES} appends of 1 event, each awaited` },
          { name: 'W6 W2 append pipelined', unit: 'appends/s', value: parAppends, description: `${MESSAGES} appends of 1 event over ${APPEND_SESSIONS_IN_FLIGHT} sessions in flight` },
          { name: 'W6 W2 append batched', unit: 'events/s', value: batchEvents, description: `${MESSAGES} events in appends of ${BATCH}` },
          { name: 'W6 W2 append batched in flight', unit: 'events/s', value: batchParEvents, description: `${BATCH_SESSIONS_IN_FLIGHT} sessions in flight, each ${MESSAGES} events in appends of ${BATCH}, auto-pipelining client` },
          { name: 'W6 append 10k/10', unit: 'ratio', value: longMs / shortMs, description: `mean append latency on a ${LONG_SESSION}-event session / on a ${SHORT_SESSION}-event one (bar ≤ 1.5)` },
          { name: 'W6 append latency 10k', unit: 'ms', value: longMs / LATENCY_APPENDS, description: `mean append latency on the ${LONG_SESSION}-event session` },
          { name: 'W6 redis-benchmark SET', unit: 'req/s', value: plain.set, description: `redis-benchmark -t set,get -n ${BENCHMARK_REQUESTS} -q` },
          { name: 'W6 redis-benchmark GET', unit: 'req/s', value: plain.get, description: 'same run' },
          { name: 'W6 redis-benchmark SET -P 16', unit: 'req/s', value: pipelined.set, description: `redis-benchmark ... -P ${BENCHMARK_PIPELINE}` },
          { name: 'W6 redis-benchmark GET -P 16', unit: 'req/s', value: pipelined.get, description: 'same run' },
          { name: 'W6 redis-benchmark -c 1', unit: 'req/s', value: singleRef, description: `mean SET/GET of redis-benchmark -t set,get -n ${SINGLE_CLIENT_REQUESTS} -q -c 1 (one client, like a sequential caller)` },
          { name: 'W6 ratio sequential / redis-benchmark -c 1', unit: 'ratio', value: seqOps / singleRef, description: 'W1 sequential ops/s over one-client redis-benchmark (each store op is one round trip)' },
          { name: 'W6 ratio sequential / redis-benchmark', unit: 'ratio', value: seqOps / plainRef, description: 'W1 sequential ops/s over mean SET/GET req/s (50 clients, no pipelining)' },
          { name: 'W6 ratio pipelined / redis-benchmark -P 16', unit: 'ratio', value: pipeOps / pipeRef, description: 'W1 pipelined ops/s over mean SET/GET -P 16 req/s (bar ≥ 0.5)' },
          { name: 'W6 ratio batched / redis-benchmark -P 16', unit: 'ratio', value: batchEvents / pipeRef, description: 'batched append events/s over mean SET/GET -P 16 req/s (bar ≥ 0.5)' },
          { name: 'W6 ratio batched in flight / redis-benchmark -P 16', unit: 'ratio', value: batchParEvents / pipeRef, description: 'batched appends of 4 sessions in flight, events/s over mean SET/GET -P 16 req/s (pipelined and batched)' },
          { name: 'W6 raw GET sequential', unit: 'ops/s', value: rawGetOps, description: `ioredis GET, ${RAW_SEQUENTIAL} awaited one by one (client made by createRedisClient): the round-trip floor of this process` },
          { name: 'W6 raw EVALSHA sequential', unit: 'ops/s', value: (RAW_SEQUENTIAL * MS_PER_S) / rawEvalMs, description: `same with a script that only returns 1 (${RAW_SEQUENTIAL} EVALSHA)` },
          { name: 'W6 ratio sequential / raw GET sequential', unit: 'ratio', value: seqOps / rawGetOps, description: 'W1 sequential over the raw one-GET round trip (1 = no cost beyond the round trip)' },
          { name: 'W6 raw GET pipelined', unit: 'ops/s', value: rawPipeOps, description: `ioredis GET, ${PIPELINE_DEPTH} in flight, ioredis enableAutoPipelining` },
          { name: 'W6 ratio pipelined / raw GET pipelined', unit: 'ratio', value: pipeOps / rawPipeOps, description: 'W1 pipelined over raw GETs in flight' },
          { name: 'W6 event encoding', unit: 'events/s', value: (ENCODE_PASSES * MESSAGES * MS_PER_S) / encodeMs, description: `JSON.stringify(event.toWire()) of the appended events alone (${Math.round(encodedBytes / (ENCODE_PASSES * MESSAGES))} bytes each): the client-side cap of any append` },
          { name: 'W6 raw layout write in flight', unit: 'events/s', value: (BATCH_SESSIONS_IN_FLIGHT * MESSAGES * MS_PER_S) / rawWriteMs, description: `a script doing only SADD + RPUSH of pre-encoded events, ${BATCH} per call, ${BATCH_SESSIONS_IN_FLIGHT} sessions in flight` },
          { name: 'W6 redis CPU per appended event', unit: 'µs', value: cpuPerEvent, description: 'Redis server CPU (INFO cpu user+sys) during the batched in flight run, per event' },
          { name: 'W6 redis CPU per -P 16 request', unit: 'µs', value: cpuPerRequest, description: 'Redis server CPU during redis-benchmark -P 16, per SET/GET' },
          { name: 'W6 bound batched / redis-benchmark -P 16', unit: 'ratio', value: cpuPerRequest / cpuPerEvent, description: 'the batched ratio if the client cost nothing: Redis CPU per -P 16 request over Redis CPU per appended event' },
        ],
      };
    } finally {
      await store.close();
      await pipedStore.close();
      raw.disconnect();
      rawPiped.disconnect();
      if (admin !== null) await deletePrefix(admin.client, prefix);
    }
  },
};

export default w6;

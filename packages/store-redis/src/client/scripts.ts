import { createHash } from 'node:crypto';
import { STORE_SCHEMA_VERSION, STORE_SESSION_TYPE } from '@chuk/models';

/**
 * Lua scripts of the session key layout (spec models-and-stores.md §13.3, README D2).
 * Every script takes `KEYS = [hash, events, ids]` of one session: the three keys share the
 * `{sessionId}` hash tag, so a script touches one slot and runs on Redis Cluster too.
 * Plain Redis 6+ commands only (no modules, no SMISMEMBER).
 */

/** ISO-8601 UTC with milliseconds from epoch milliseconds (days-from-civil inverse, Hinnant). */
const LUA_ISO = `
local function iso(ms)
  local secs = math.floor(ms / 1000)
  local msr = ms - secs * 1000
  local days = math.floor(secs / 86400)
  local sod = secs - days * 86400
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', y, m, d,
    math.floor(sod / 3600), math.floor((sod % 3600) / 60), sod % 60, msr)
end
`;

/**
 * TTL step of a write: PEXPIRE the three keys (the caller's HSET already carries `expires_at`,
 * computed by the client from the same clock as `updated_at`); no-op without a TTL.
 */
const LUA_TTL = `
local function ttl_step(ttl)
  if ttl ~= '' then
    redis.call('PEXPIRE', KEYS[1], ttl)
    redis.call('PEXPIRE', KEYS[2], ttl)
    redis.call('PEXPIRE', KEYS[3], ttl)
  end
end
`;

/** A Lua string literal of `text` (used for the constant hash fields). */
function luaString(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/**
 * create. ARGV = [ttlMs or "", headerJson, sandboxId, createdAt, updatedAt, expiresAt, userId?].
 * Returns 0 when the session exists, 1 when created. The event list and id set are deleted
 * (leftovers can never reappear), so only the hash needs an expiry. The constant fields are part of
 * the script text, not arguments.
 */
export const CREATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2], KEYS[3])
local function write(...)
  redis.call('HSET', KEYS[1], 'header', ARGV[2], 'revision', '1', 'event_count', '0',
    'schema_version', ${luaString(STORE_SCHEMA_VERSION)}, 'session_type', ${luaString(STORE_SESSION_TYPE)},
    'sandbox_id', ARGV[3], 'created_at', ARGV[4], 'updated_at', ARGV[5], 'expires_at', ARGV[6], ...)
end
if ARGV[7] then write('user_id', ARGV[7]) else write() end
if ARGV[1] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1
`;

/**
 * append. ARGV = [expectedCount or "", ttlMs or "", nowIso, expiresAtIso or "", n, id₁ … idₙ, json₁ … jsonₙ].
 * The ids are distinct (the client drops ids repeated in the batch, keeping the first).
 * Returns {-1} missing, {0, count} count mismatch, {1, eventCount, appended} written.
 * Known ids are found with one SMISMEMBER (Redis 6.2+), else one SISMEMBER per id (Redis 6.0).
 */
export const APPEND_SCRIPT = `${LUA_TTL}
local stored = redis.call('HGET', KEYS[1], 'event_count')
if not stored and redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local count = tonumber(stored) or 0
local n = tonumber(ARGV[5])
if n == 0 then return {1, count, 0} end
local first_id, first_json = 6, 6 + n
local known = {}
for i = 0, n - 1, 1000 do
  local j = math.min(i + 999, n - 1)
  local found = redis.pcall('SMISMEMBER', KEYS[3], unpack(ARGV, first_id + i, first_id + j))
  if found.err then
    for k = 1, n do known[k] = redis.call('SISMEMBER', KEYS[3], ARGV[first_id + k - 1]) end
    break
  end
  if n <= 1000 then known = found else for k = 1, #found do known[i + k] = found[k] end end
end
local ids, jsons, kept = nil, nil, n
for i = 1, n do
  if known[i] == 1 then kept = kept - 1 end
end
if kept == 0 then return {1, count, 0} end
if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= count then return {0, count} end
if kept < n then
  ids, jsons = {}, {}
  for i = 1, n do
    if known[i] == 0 then
      ids[#ids + 1] = ARGV[first_id + i - 1]
      jsons[#jsons + 1] = ARGV[first_json + i - 1]
    end
  end
  first_id, first_json = 1, 1
else
  ids, jsons = ARGV, ARGV
end
for i = 0, kept - 1, 1000 do
  local j = math.min(i + 999, kept - 1)
  redis.call('SADD', KEYS[3], unpack(ids, first_id + i, first_id + j))
  redis.call('RPUSH', KEYS[2], unpack(jsons, first_json + i, first_json + j))
end
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'event_count', count + kept, 'updated_at', ARGV[3], 'expires_at', ARGV[4])
else
  redis.call('HSET', KEYS[1], 'event_count', count + kept, 'updated_at', ARGV[3])
end
ttl_step(ARGV[2])
return {1, count + kept, kept}
`;

/**
 * updateHeader. ARGV = [expectedRevision, ttlMs or "", nowIso, expiresAtIso or "", headerJson, sandboxId,
 * createdAt, hasUserId ("1"/"0"), userId].
 * Returns {-1} missing, {0, revision} mismatch, {1, newRevision} written.
 */
export const UPDATE_HEADER_SCRIPT = `${LUA_TTL}
local stored = redis.call('HGET', KEYS[1], 'revision')
if not stored and redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local rev = tonumber(stored) or -1
if rev ~= tonumber(ARGV[1]) then return {0, rev} end
redis.call('HSET', KEYS[1], 'header', ARGV[5], 'revision', tostring(rev + 1), 'updated_at', ARGV[3],
  'sandbox_id', ARGV[6], 'created_at', ARGV[7])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'expires_at', ARGV[4]) end
if ARGV[8] == '1' then
  redis.call('HSET', KEYS[1], 'user_id', ARGV[9])
else
  redis.call('HDEL', KEYS[1], 'user_id')
end
ttl_step(ARGV[2])
return {1, rev + 1}
`;

/**
 * extendTtl. ARGV = [additionalMs, nowMs]. Returns 0 when missing or without expiry, else 1.
 */
export const EXTEND_TTL_SCRIPT = `${LUA_ISO}
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then return 0 end
local ttl = pttl + tonumber(ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[3], ttl)
redis.call('HSET', KEYS[1], 'expires_at', iso(tonumber(ARGV[2]) + ttl))
return 1
`;

/** Header hash fields the read script returns, in this order (what decoding a session needs). */
export const READ_FIELDS = ['header', 'revision', 'event_count', 'session_type'] as const;

/**
 * Read a session in one round trip. ARGV = [from, stop] of the event list.
 * Returns {} when there is no header hash, else {{header, revision, event_count, session_type}, events}
 * (a missing field is false). A script rather than MULTI: one command instead of four, same atomic
 * snapshot. A hash always has fields, so EXISTS is asked only when none of the four is there.
 */
export const READ_SESSION_SCRIPT = `
local fields = redis.call('HMGET', KEYS[1], ${READ_FIELDS.map((f) => `'${f}'`).join(', ')})
if not (fields[1] or fields[2] or fields[3] or fields[4]) and redis.call('EXISTS', KEYS[1]) == 0 then return {} end
return {fields, redis.call('LRANGE', KEYS[2], ARGV[1], ARGV[2])}
`;

/** A script as sent: its text, SHA-1 (for EVALSHA) and number of keys. */
export interface ScriptDefinition {
  readonly lua: string;
  readonly sha: string;
  readonly keys: number;
}

function script(lua: string, keys: number): ScriptDefinition {
  return Object.freeze({ lua, keys, sha: createHash('sha1').update(lua).digest('hex') });
}

/** The scripts by operation (the read script needs only the hash and the event list). */
export const SCRIPTS = Object.freeze({
  create: script(CREATE_SCRIPT, 3),
  append: script(APPEND_SCRIPT, 3),
  updateHeader: script(UPDATE_HEADER_SCRIPT, 3),
  extendTtl: script(EXTEND_TTL_SCRIPT, 3),
  read: script(READ_SESSION_SCRIPT, 2),
});

export type ScriptName = keyof typeof SCRIPTS;

/**
 * The Lua scripts of the store, sent with EVALSHA (ioredis `defineCommand` falls back to EVAL on
 * NOSCRIPT). Every script declares the key it routes by in KEYS[1]; the other keys it touches share
 * its hash tag, hence its cluster slot — except the snapshot refresh of `withSnapshots`, which
 * writes next to the pointers and is therefore only used on a standalone server.
 *
 * Records are HASHes whose fields are written by the client as strings: the scripts never decode
 * or re-encode JSON (cjson would round numbers in metadata).
 */

import type { ScriptDefinition } from './script-wrappers.js';

/**
 * Inserts a record and its index entry, unless the record exists.
 * KEYS[1] record · KEYS[2] group index · ARGV[1] index member · ARGV[2] id pointer value ·
 * ARGV[3] hash pointer value · ARGV[4..] field/value pairs → 1 inserted, 0 exists.
 */
export const INSERT: ScriptDefinition = {
  writesRecords: true,
  changesExpiry: true,
  name: 'keywardInsertV1',
  keys: 2,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], '_order', ARGV[1], '_ip', ARGV[2], '_hp', ARGV[3], unpack(ARGV, 4))
redis.call('ZADD', KEYS[2], 0, ARGV[1])
return 1
`,
};

/**
 * Applies a patch. KEYS[1] record · ARGV[1] new hash pointer value ('' when the hash does not
 * change) · ARGV[2] n · ARGV[3..2+2n] field/value pairs to set · ARGV[3+2n..] fields to delete
 * → false when there is no record, else { previous hash, previous hash pointer value, HGETALL }.
 */
export const UPDATE: ScriptDefinition = {
  writesRecords: true,
  changesExpiry: true,
  name: 'keywardUpdateV1',
  keys: 1,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local old = redis.call('HMGET', KEYS[1], 'hash', '_hp')
local n = tonumber(ARGV[2])
local set = {}
for i = 3, 2 + 2 * n do set[#set + 1] = ARGV[i] end
if ARGV[1] ~= '' then
  set[#set + 1] = '_hp'
  set[#set + 1] = ARGV[1]
end
if #set > 0 then redis.call('HSET', KEYS[1], unpack(set)) end
local del = {}
for i = 3 + 2 * n, #ARGV do del[#del + 1] = ARGV[i] end
if #del > 0 then redis.call('HDEL', KEYS[1], unpack(del)) end
return { old[1] or '', old[2] or '', redis.call('HGETALL', KEYS[1]) }
`,
};

/**
 * Deletes a record and its index entry. KEYS[1] record · KEYS[2] group index
 * → false when there is none, else the HGETALL of the deleted record (internal fields included).
 */
export const DELETE: ScriptDefinition = {
  writesRecords: true,
  changesExpiry: true,
  name: 'keywardDeleteV1',
  keys: 2,
  lua: `
local rec = redis.call('HGETALL', KEYS[1])
if #rec == 0 then return false end
local order = redis.call('HGET', KEYS[1], '_order')
redis.call('DEL', KEYS[1])
if order then redis.call('ZREM', KEYS[2], order) end
return rec
`,
};

/**
 * Inserts the successor and retires the old key, only when the old key exists, is not revoked and
 * was never rotated. KEYS[1] old record · KEYS[2] successor record · KEYS[3] group index ·
 * ARGV[1] now (ms) · ARGV[2] '1' to revoke the old key · ARGV[3] new expiresAt of the old key:
 * 'keep', 'null' or ms · ARGV[4] successor id · ARGV[5] successor index member · ARGV[6] its id
 * pointer value · ARGV[7] its hash pointer value · ARGV[8..] its field/value pairs
 * → {0} no old key · {1} old key revoked or rotated · {2} successor id exists · {3, HGETALL old}.
 */
export const ROTATE: ScriptDefinition = {
  writesRecords: true,
  changesExpiry: true,
  name: 'keywardRotateV1',
  keys: 3,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return { 0 } end
if redis.call('HEXISTS', KEYS[1], 'revokedAt') == 1 or redis.call('HEXISTS', KEYS[1], 'rotatedToId') == 1 then return { 1 } end
if redis.call('EXISTS', KEYS[2]) == 1 then return { 2 } end
redis.call('HSET', KEYS[2], '_order', ARGV[5], '_ip', ARGV[6], '_hp', ARGV[7], unpack(ARGV, 8))
redis.call('ZADD', KEYS[3], 0, ARGV[5])
redis.call('HSET', KEYS[1], 'rotatedToId', ARGV[4], 'updatedAt', ARGV[1])
if ARGV[2] == '1' then redis.call('HSET', KEYS[1], 'revokedAt', ARGV[1]) end
if ARGV[3] == 'null' then
  redis.call('HDEL', KEYS[1], 'expiresAt')
elseif ARGV[3] ~= 'keep' then
  redis.call('HSET', KEYS[1], 'expiresAt', ARGV[3])
end
return { 3, redis.call('HGETALL', KEYS[1]) }
`,
};

/** KEYS[1] · ARGV[1] expected · ARGV[2] new value → 1 when replaced. */
export const CAS_SET: ScriptDefinition = {
  name: 'keywardCasSetV1',
  keys: 1,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0
`,
};

/** KEYS[1] · ARGV[1] expected → 1 when deleted. */
export const CAS_DEL: ScriptDefinition = {
  name: 'keywardCasDelV1',
  keys: 1,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`,
};

/**
 * One page of an index, in (createdAt, id) order, reading the records of the index's own group.
 * KEYS[1] index · ARGV[1] record key prefix (prefix + tag + 'k:') · ARGV[2] ZRANGEBYLEX start ·
 * ARGV[3] entries wanted · ARGV[4] '0' to leave revoked keys out · ARGV[5] '1' to keep only keys of
 * owner ARGV[6] · ARGV[7] '1' to report entries whose record is not in this group (the owner index
 * also lists keys of workspaces) · ARGV[8] most members to read in this call
 * → { exhausted 0/1, last member read, { member, HGETALL } or { member } ... }.
 */
export const LIST: ScriptDefinition = {
  name: 'keywardListV1',
  keys: 1,
  lua: `
local function esc(s)
  return (string.gsub(s, "[^A-Za-z0-9%-_%.!~%*'%(%)]", function(c) return string.format('%%%02X', string.byte(c)) end))
end
local function field(rec, name)
  for j = 1, #rec, 2 do
    if rec[j] == name then return rec[j + 1] end
  end
  return nil
end
local want = tonumber(ARGV[3])
local budget = tonumber(ARGV[8])
local start = ARGV[2]
local out = {}
local found = 0
local last = ''
local exhausted = 0
while found < want and budget > 0 do
  local batch = math.min(want - found + 8, budget)
  local members = redis.call('ZRANGEBYLEX', KEYS[1], start, '+', 'LIMIT', 0, batch)
  local read = 0
  for i = 1, #members do
    local m = members[i]
    read = i
    last = m
    local rec = redis.call('HGETALL', ARGV[1] .. esc(string.sub(m, 19)))
    if #rec > 0 then
      if (ARGV[4] ~= '0' or field(rec, 'revokedAt') == nil) and (ARGV[5] ~= '1' or field(rec, 'ownerId') == ARGV[6]) then
        out[#out + 1] = { m, rec }
        found = found + 1
      end
    elseif ARGV[7] == '1' then
      out[#out + 1] = { m }
      found = found + 1
    end
    if found >= want then break end
  end
  budget = budget - read
  if #members < batch and read == #members then
    exhausted = 1
    break
  end
  start = '(' .. last
end
local reply = { exhausted, last }
for i = 1, #out do reply[#reply + 1] = out[i] end
return reply
`,
};

/**
 * Writes nothing itself: run on a record written before the expiry index existed, its wrappers
 * put the record in the index (and refresh its snapshots). KEYS[1] record → 0 no record, 1 a
 * record without an expiry, 2 one with.
 */
export const REINDEX: ScriptDefinition = {
  writesRecords: true,
  changesExpiry: true,
  name: 'keywardReindexV1',
  keys: 1,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[1], 'expiresAt') == 1 then return 2 end
return 1
`,
};

export const SCRIPTS: readonly ScriptDefinition[] = [INSERT, UPDATE, DELETE, ROTATE, CAS_SET, CAS_DEL, LIST, REINDEX];

import type { Cluster, Redis } from 'ioredis';
import { defineScripts } from './connection.js';
import type { ScriptDefinition } from './script-wrappers.js';

/**
 * Scripts of usage and audit. Each touches only keys of one hash tag (one slot), so they run on a
 * Cluster as they do on one server.
 */

/** KEYS[1] a day's HASH of a workspace · ARGV[1] TTL (s) · ARGV[2..] keyId, increment pairs. */
export const USAGE_HINCR: ScriptDefinition = {
  name: 'keywardUsageHincrV1',
  keys: 1,
  lua: `
for i = 2, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
`,
};

/**
 * KEYS[1] a key's HASH of one day (\`n\` requests, \`ws\` workspace) · ARGV[1] increment · ARGV[2]
 * TTL (s) · ARGV[3] workspace id, or '' for none.
 */
export const USAGE_INCR: ScriptDefinition = {
  name: 'keywardUsageIncrV1',
  keys: 1,
  lua: `
redis.call('HINCRBY', KEYS[1], 'n', ARGV[1])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'ws', ARGV[3]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
`,
};

/**
 * Moves `lastUsedAt` of a record forward, if the record is the one asked for.
 * KEYS[1] record · ARGV[1] id · ARGV[2] time (ms) → 1 written, 0 not.
 */
export const TOUCH: ScriptDefinition = {
  writesRecords: true,
  name: 'keywardTouchV1',
  keys: 1,
  lua: `
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
local current = redis.call('HGET', KEYS[1], 'lastUsedAt')
if current and tonumber(current) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'lastUsedAt', ARGV[2])
return 1
`,
};

/**
 * Appends events to a workspace's stream. Entry ids carry the event time (\`<ms>-*\`, Redis ≥ 7),
 * raised to the stream's last time when an event arrives late (ids must grow); then trims by age
 * and length and renews the stream's TTL.
 * KEYS[1] stream · ARGV[1] max length · ARGV[2] oldest time kept (ms) · ARGV[3] TTL (ms) ·
 * ARGV[4..] per event: time (ms), number of fields, field/value pairs.
 */
export const AUDIT_APPEND: ScriptDefinition = {
  name: 'keywardAuditAppendV1',
  keys: 1,
  lua: `
local lastms = 0
if redis.call('EXISTS', KEYS[1]) == 1 then
  -- The last id ever generated, not the last entry left: trimmed entries still bound new ids.
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for k = 1, #info, 2 do
    if info[k] == 'last-generated-id' then lastms = tonumber(string.match(info[k + 1], '^(%d+)')) end
  end
end
local i = 4
while i <= #ARGV do
  local ms = tonumber(ARGV[i])
  local n = tonumber(ARGV[i + 1])
  if ms < lastms then ms = lastms end
  local args = { 'XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], string.format('%d', ms) .. '-*' }
  for j = i + 2, i + 1 + n * 2 do args[#args + 1] = ARGV[j] end
  redis.call(unpack(args))
  lastms = ms
  i = i + 2 + n * 2
end
redis.call('XTRIM', KEYS[1], 'MINID', '~', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`,
};

export const USAGE_SCRIPTS: readonly ScriptDefinition[] = [USAGE_HINCR, USAGE_INCR, TOUCH, AUDIT_APPEND];

/** Defines the scripts on the client (EVALSHA, EVAL on NOSCRIPT) and returns their caller. */
export function defineUsageScripts(client: Redis | Cluster) {
  return defineScripts(client, USAGE_SCRIPTS);
}

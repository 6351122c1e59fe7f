import { counterRequest, gcraState, type CounterPlan, type CounterRequest, type CounterResult, type CounterStore, type FusedCounterStore, type StoredKey } from '@keyward/core';
import type { Cluster, Redis } from 'ioredis';
import { decodeKey, esc, unpackFields } from './internal/codec.js';
import { defineScripts } from './internal/connection.js';
import type { ScriptDefinition } from './internal/scripts.js';

/**
 * The counting step, shared by both scripts: checks every counter and consumes all or none.
 * `keys`: the rate counters, then the quota counter · `rates`: { limit, window } per rate ·
 * `quota`: { limit, reset } or nil → { refused: 0 none, i rate i (1-based), -1 quota ; then per rate
 * its arrival time before and after (as strings), then the quota's used units before }.
 * Every key written carries a TTL: a rate counter until its arrival time, a quota until its reset.
 */
const COUNT = `
local function kw_count(keys, now, cost, dry, rates, quota)
  local n = #rates
  local refused = 0
  local before, after = {}, {}
  for i = 1, n do
    local limit, window = rates[i][1], rates[i][2]
    local tat = tonumber(redis.call('GET', keys[i]) or '') or now
    before[i] = tat
    if tat < now then tat = now end
    local nxt = tat + window / limit
    after[i] = nxt
    if nxt - now > window and refused == 0 then refused = i end
  end
  local used = 0
  if quota then
    used = tonumber(redis.call('GET', keys[n + 1]) or '0') or 0
    if refused == 0 and used + cost > quota[1] then refused = -1 end
  end
  if refused == 0 and not dry then
    for i = 1, n do redis.call('SET', keys[i], string.format('%.17g', after[i]), 'PX', math.max(1, math.ceil(after[i] - now))) end
    if quota then redis.call('SET', keys[n + 1], used + cost, 'PX', math.max(1, quota[2] - now)) end
  end
  local reply = { refused }
  for i = 1, n do
    reply[#reply + 1] = string.format('%.17g', before[i])
    reply[#reply + 1] = string.format('%.17g', after[i])
  end
  reply[#reply + 1] = tostring(used)
  return reply
end
`;

/**
 * Checks and consumes every counter of a request in one step, or none.
 * KEYS: the rate counters, then the quota counter (all under one hash tag: one slot on a Cluster).
 * ARGV[1] now (ms) · ARGV[2] cost (quota units; a rate limit counts one request) · ARGV[3] '1' for a dry run · ARGV[4] number of rates ·
 * per rate: limit, window (ms) · then, with a quota: limit, reset time (ms) → the reply of kw_count.
 */
const CONSUME: ScriptDefinition = {
  name: 'keywardCountersV3',
  keys: -1,
  lua: `${COUNT}
local n = tonumber(ARGV[4])
local rates = {}
for i = 1, n do rates[i] = { tonumber(ARGV[3 + 2 * i]), tonumber(ARGV[4 + 2 * i]) } end
local quota = nil
if #KEYS > n then quota = { tonumber(ARGV[5 + 2 * n]), tonumber(ARGV[6 + 2 * n]) } end
return kw_count(KEYS, tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == '1', rates, quota)
`,
};

/**
 * The lookup by hash and the counters in one step (standalone servers: the snapshot and the
 * counters live on different slots). Follows `guardAdmits` and `counterRequest` of @keyward/core.
 * KEYS[1] the hash snapshot · ARGV: hash, now, cost, dry ('1'), format, hash version, workspace
 * ('1' + id, or '0' + ''), environment (the same), counter key prefix, number of scopes, the scopes,
 * number of rates, per rate: per ('key'/'workspace'), escaped name, limit, window; then '1', per,
 * escaped name, limit, reset for a quota, or '0' → false (no snapshot), or { snapshot, kw_count reply or false
 * when the guard refused (nothing consumed) }.
 */
const FUSED: ScriptDefinition = {
  name: 'keywardLookupCountV1',
  keys: 1,
  lua: `${COUNT}
-- encodeURIComponent, as esc() in codec.ts; ids are usually safe already (one find, no gsub).
local function kw_esc(s)
  if not string.find(s, "[^A-Za-z0-9%-_%.!~%*'%(%)]") then return s end
  return (string.gsub(s, "[^A-Za-z0-9%-_%.!~%*'%(%)]", function(c) return string.format('%%%02X', string.byte(c)) end))
end
local snap = redis.call('GET', KEYS[1])
if not snap then return false end
-- The guard reads the record's HASH (next to the snapshot, written in the same atomic steps):
-- HMGET is much cheaper than unpacking the snapshot in Lua. Pointer value: <ms>:<nonce>:<record>.
local pointer = redis.call('GET', string.sub(KEYS[1], 1, -2))
local record = pointer and string.match(pointer, '^[^:]*:[^:]*:(.+)$')
if not record then return { snap, false } end
local v = redis.call('HMGET', ARGV[11] .. record, 'id', 'hash', 'format', 'hashVersion', 'legacy', 'revokedAt', 'expiresAt', 'workspaceId', 'environment', 'scopes')
local f = { id = v[1], hash = v[2], format = v[3], hashVersion = v[4], legacy = v[5], revokedAt = v[6], expiresAt = v[7], workspaceId = v[8], environment = v[9], scopes = v[10] }
local now = tonumber(ARGV[2])
local ok = f.id and f.hash == ARGV[1] and f.format == ARGV[5] and f.hashVersion == ARGV[6] and f.legacy ~= '1'
if ok and f.revokedAt and not (tonumber(f.revokedAt) and tonumber(f.revokedAt) > now) then ok = false end
if ok and f.expiresAt and not (tonumber(f.expiresAt) and tonumber(f.expiresAt) > now) then ok = false end
if ok and ARGV[7] == '1' and f.workspaceId ~= ARGV[8] then ok = false end
if ok and ARGV[9] == '1' and f.environment ~= ARGV[10] then ok = false end
local arg = 13
local nscopes = tonumber(ARGV[12])
if ok and nscopes > 0 then
  local parsed, granted = pcall(cjson.decode, f.scopes or '')
  local held = {}
  if parsed and type(granted) == 'table' then for _, s in ipairs(granted) do held[s] = true end else ok = false end
  if ok and not held['*'] then
    for i = 0, nscopes - 1 do if not held[ARGV[arg + i]] then ok = false end end
  end
end
if not ok then return { snap, false } end
arg = arg + nscopes
-- Names escaped as esc() would escape them: ':' is %3A; the names after the scope come escaped.
local ws = f.workspaceId and ('w%3A' .. kw_esc(f.workspaceId))
local own = 'k%3A' .. kw_esc(f.id)
local tag = ARGV[11] .. '{c:' .. (ws or own) .. '}'
local keys, rates = {}, {}
local nrates = tonumber(ARGV[arg])
arg = arg + 1
for i = 1, nrates do
  keys[i] = tag .. 'r%3A' .. (ARGV[arg] == 'workspace' and ws or own) .. '%3A' .. ARGV[arg + 1]
  rates[i] = { tonumber(ARGV[arg + 2]), tonumber(ARGV[arg + 3]) }
  arg = arg + 4
end
local quota = nil
if ARGV[arg] == '1' then
  keys[nrates + 1] = tag .. 'q%3A' .. (ARGV[arg + 1] == 'workspace' and ws or own) .. '%3A' .. ARGV[arg + 2]
  quota = { tonumber(ARGV[arg + 3]), tonumber(ARGV[arg + 4]) }
end
return { snap, kw_count(keys, now, tonumber(ARGV[3]), ARGV[4] == '1', rates, quota) }
`,
};

/** A kw_count reply, read for `request`. */
function counterResult(request: CounterRequest, reply: (number | string)[]): CounterResult {
  const refused = Number(reply[0]);
  const admitted = refused === 0;
  const now = request.now;
  const q = request.quota;
  const used = Number(reply[1 + 2 * request.rates.length]);
  const rates = request.rates.map((r, i) => {
    const tat = Number(reply[1 + 2 * i]);
    const next = Number(reply[2 + 2 * i]);
    // Admitted: the state after it; refused: as it is (nothing was written).
    return gcraState(admitted ? next : tat, now, r.limit, r.windowMs);
  });
  const refusedRate = refused > 0 ? refused - 1 : -1;
  return {
    refused: admitted ? null : refusedRate >= 0 ? { rate: refusedRate } : { quota: true },
    retryAfterMs:
      refusedRate >= 0
        ? Math.max(0, Math.ceil(Number(reply[2 + 2 * refusedRate]) - request.rates[refusedRate]!.windowMs - now))
        : refused === -1
          ? Math.max(0, q!.resetAt - now)
          : 0,
    rates,
    quota: q === null ? null : { remaining: Math.max(0, q.limit - used - (admitted ? request.cost : 0)) },
  };
}

/**
 * Rate-limit and quota counters on Redis: one Lua script per request (atomic on the server), the
 * counters of a request under one hash tag (the workspace, else the key), each with a TTL. With
 * `fused`, also the lookup by hash and the counters in one script (see {@link FusedCounterStore}).
 */
export function redisCounters(client: Redis | Cluster, prefix: string, fused: false): CounterStore;
export function redisCounters(client: Redis | Cluster, prefix: string, fused: true): FusedCounterStore;
export function redisCounters(client: Redis | Cluster, prefix: string, fused: boolean): CounterStore {
  const call = defineScripts(client, fused ? [CONSUME, FUSED] : [CONSUME]);
  async function consumeCounters(request: CounterRequest): Promise<CounterResult> {
    const tag = `{c:${esc(request.group)}}`;
    const keys = [...request.rates.map((r) => `${prefix}${tag}${esc(r.key)}`), ...(request.quota ? [`${prefix}${tag}${esc(request.quota.key)}`] : [])];
    const args: (string | number)[] = [request.now, request.cost, request.dryRun ? '1' : '0', request.rates.length];
    for (const r of request.rates) args.push(r.limit, r.windowMs);
    if (request.quota) args.push(request.quota.limit, request.quota.resetAt);
    return counterResult(request, (await call(CONSUME, keys, args)) as (number | string)[]);
  }
  if (!fused) return { consumeCounters };

  async function findByHashAndConsume(hash: string, plan: CounterPlan): Promise<{ record: StoredKey | null; counters: CounterResult | null }> {
    if (typeof hash !== 'string' || hash.length === 0) return { record: null, counters: null };
    const { guard } = plan;
    const args: (string | number)[] = [hash, plan.now, plan.cost, plan.dryRun ? '1' : '0', guard.format, guard.hashVersion];
    args.push(guard.workspaceId === null ? '0' : '1', guard.workspaceId ?? '', guard.environment === null ? '0' : '1', guard.environment ?? '', prefix);
    args.push(guard.scopes.length, ...guard.scopes, plan.rates.length);
    for (const r of plan.rates) args.push(r.per, esc(r.name), r.limit, r.windowMs);
    if (plan.quota === null) args.push('0');
    else args.push('1', plan.quota.per, esc(plan.quota.name), plan.quota.limit, plan.quota.resetAt);
    const reply = (await call(FUSED, [`${prefix}{hash:${esc(hash)}}s`], args)) as [string, (number | string)[] | null] | null;
    if (reply === null) return { record: null, counters: null };
    const record = decodeKey(unpackFields(Buffer.from(reply[0], 'utf8')));
    // The same check as findByHash: a record under another hash is no record.
    if (record === null || record.hash !== hash) return { record: null, counters: null };
    return { record, counters: reply[1] === null ? null : counterResult(counterRequest(plan, record), reply[1]) };
  }
  const store: FusedCounterStore = { consumeCounters, findByHashAndConsume };
  return store;
}

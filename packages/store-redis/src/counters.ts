import { gcraState, type CounterRequest, type CounterResult, type CounterStore } from '@keyward/core';
import type { Cluster, Redis } from 'ioredis';
import { esc } from './internal/codec.js';
import { defineScripts } from './internal/connection.js';
import type { ScriptDefinition } from './internal/scripts.js';

/**
 * Checks and consumes every counter of a request in one step, or none.
 * KEYS: the rate counters, then the quota counter (all under one hash tag: one slot on a Cluster).
 * ARGV[1] now (ms) · ARGV[2] cost (quota units; a rate limit counts one request) · ARGV[3] '1' for a dry run · ARGV[4] number of rates ·
 * per rate: limit, window (ms) · then, with a quota: limit, reset time (ms)
 * → { refused: 0 none, i rate i (1-based), -1 quota ; then per rate its arrival time before and
 * after (as strings), then the quota's used units before }.
 * Every key written carries a TTL: a rate counter until its arrival time, a quota until its reset.
 */
const CONSUME: ScriptDefinition = {
  name: 'keywardCountersV2',
  keys: -1,
  lua: `
local now = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local dry = ARGV[3] == '1'
local n = tonumber(ARGV[4])
local refused = 0
local before, after = {}, {}
for i = 1, n do
  local limit = tonumber(ARGV[3 + 2 * i])
  local window = tonumber(ARGV[4 + 2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '') or now
  before[i] = tat
  if tat < now then tat = now end
  local nxt = tat + window / limit
  after[i] = nxt
  if nxt - now > window and refused == 0 then refused = i end
end
local used = 0
if #KEYS > n then
  used = tonumber(redis.call('GET', KEYS[n + 1]) or '0') or 0
  if refused == 0 and used + cost > tonumber(ARGV[5 + 2 * n]) then refused = -1 end
end
if refused == 0 and not dry then
  for i = 1, n do redis.call('SET', KEYS[i], string.format('%.17g', after[i]), 'PX', math.max(1, math.ceil(after[i] - now))) end
  if #KEYS > n then redis.call('SET', KEYS[n + 1], used + cost, 'PX', math.max(1, tonumber(ARGV[6 + 2 * n]) - now)) end
end
local reply = { refused }
for i = 1, n do
  reply[#reply + 1] = string.format('%.17g', before[i])
  reply[#reply + 1] = string.format('%.17g', after[i])
end
reply[#reply + 1] = tostring(used)
return reply
`,
};

/**
 * Rate-limit and quota counters on Redis: one Lua script per request (atomic on the server), the
 * counters of a request under one hash tag (the workspace, else the key), each with a TTL.
 */
export function redisCounters(client: Redis | Cluster, prefix: string): CounterStore {
  const call = defineScripts(client, [CONSUME]);
  return {
    async consumeCounters(request: CounterRequest): Promise<CounterResult> {
      const tag = `{c:${esc(request.group)}}`;
      const keys = [...request.rates.map((r) => `${prefix}${tag}${esc(r.key)}`), ...(request.quota ? [`${prefix}${tag}${esc(request.quota.key)}`] : [])];
      const args: (string | number)[] = [request.now, request.cost, request.dryRun ? '1' : '0', request.rates.length];
      for (const r of request.rates) args.push(r.limit, r.windowMs);
      if (request.quota) args.push(request.quota.limit, request.quota.resetAt);
      const reply = (await call(CONSUME, keys, args)) as (number | string)[];
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
    },
  };
}

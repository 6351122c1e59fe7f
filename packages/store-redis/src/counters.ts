import type { CounterPlan, CounterRequest, CounterResult, CounterStore, FusedCounterStore, RateState, StoredKey } from '@keyward/core/store';
import type { Cluster, Redis } from 'ioredis';
import { decodeKey, esc, unpackFields } from './internal/codec.js';
import { defineScripts } from './internal/connection.js';
import type { ScriptDefinition } from './internal/script-wrappers.js';

/**
 * The counting step, shared by both scripts: checks every counter and consumes all or none.
 * `keys`: the rate counters, then the quota counter · `rates`: { limit, window } per rate ·
 * `quota`: { limit, reset } or nil → `reply` with these integers appended: refused (0 none, i rate
 * i (1-based), -1 quota), the refusing rate's wait (ms, else 0), per rate its remaining requests and
 * ms until reset (after this request when admitted, as things are when refused — `gcraState` of
 * @keyward/core, the same double arithmetic), the quota's used units before. One flat reply: each
 * nested table costs the server a conversion. A time of arrival is stored as a number
 * (Redis writes it with 17 significant digits: exact). Every key written carries a TTL: a rate
 * counter until its arrival time, a quota until its reset.
 */
const COUNT = `
local function kw_count(reply, keys, now, cost, dry, rates, quota)
  local n = #rates
  local refused = 0
  local before, after = {}, {}
  local stored = #keys > 0 and redis.call('MGET', unpack(keys)) or {}
  for i = 1, n do
    local limit, window = rates[i][1], rates[i][2]
    local tat = tonumber(stored[i] or '') or now
    before[i] = tat
    if tat < now then tat = now end
    local nxt = tat + window / limit
    after[i] = nxt
    if nxt - now > window and refused == 0 then refused = i end
  end
  local used = 0
  if quota then
    used = tonumber(stored[n + 1] or '0') or 0
    if refused == 0 and used + cost > quota[1] then refused = -1 end
  end
  if refused == 0 and not dry then
    for i = 1, n do redis.call('SET', keys[i], after[i], 'PX', math.max(1, math.ceil(after[i] - now))) end
    if quota then redis.call('SET', keys[n + 1], used + cost, 'PX', math.max(1, quota[2] - now)) end
  end
  local wait = 0
  if refused > 0 then wait = math.max(0, math.ceil(after[refused] - rates[refused][2] - now)) end
  local o = #reply
  reply[o + 1] = refused
  reply[o + 2] = wait
  for i = 1, n do
    local limit, window = rates[i][1], rates[i][2]
    local current = refused == 0 and after[i] or before[i]
    if current < now then current = now end
    reply[o + 2 * i + 1] = math.max(0, math.floor((window - (current - now)) / (window / limit) + 1e-9))
    reply[o + 2 * i + 2] = math.max(0, math.ceil(current - now))
  end
  reply[o + 2 * n + 3] = used
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
  name: 'keywardCountersV4',
  keys: -1,
  lua: `${COUNT}
local n = tonumber(ARGV[4])
local rates = {}
for i = 1, n do rates[i] = { tonumber(ARGV[3 + 2 * i]), tonumber(ARGV[4 + 2 * i]) } end
local quota = nil
if #KEYS > n then quota = { tonumber(ARGV[5 + 2 * n]), tonumber(ARGV[6 + 2 * n]) } end
return kw_count({}, KEYS, tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == '1', rates, quota)
`,
};

/**
 * The lookup by hash and the counters in one step (standalone servers: the snapshot and the
 * counters live on different slots). Follows `guardAdmits` and `counterRequest` of @keyward/core,
 * on the guard header of the snapshot (`_g`, see scripts.ts): one GET reads all it needs.
 * KEYS[1] the hash snapshot · ARGV[1] now · ARGV[2] cost · ARGV[3] '1' for a dry run · ARGV[4] the
 * store prefix · ARGV[5] `<format>|<hashVersion>` · ARGV[6] the workspace asked ('=' + id, or '' for
 * any) · ARGV[7] the environment (the same) · ARGV[8] the rates, each `<k|w><name>|<limit>|<window>;`
 * · ARGV[9] the quota, `<k|w><name>|<limit>|<reset>` or '' · ARGV[10..] the scopes required; every
 * name and id escaped as esc() escapes them → false (no snapshot), { snapshot } when the guard
 * refused (nothing consumed), else { snapshot, then the kw_count reply }.
 */
const FUSED: ScriptDefinition = {
  name: 'keywardLookupCountV4',
  keys: 1,
  lua: `${COUNT}
local snap = redis.call('GET', KEYS[1])
if not snap then return false end
-- The header's parts, up to the scopes (the rest of the header): one match.
local glen, from, head, legacy, revoked, expires, ws, env, cid, scopesAt = string.match(snap,
  '^2:_g(%d+):()([^|]*|[^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|()')
if not glen or scopesAt > from + tonumber(glen) then return { snap } end
local now = tonumber(ARGV[1])
if not (head == ARGV[5] and legacy == '0' and (ARGV[6] == '' or ws == ARGV[6]) and (ARGV[7] == '' or env == ARGV[7])) then return { snap } end
if revoked ~= '' then return { snap } end
if expires ~= '' and not ((tonumber(expires) or now) > now) then return { snap } end
if #ARGV > 9 then
  local parsed, granted = pcall(cjson.decode, string.sub(snap, scopesAt, from + tonumber(glen) - 1))
  if not parsed or type(granted) ~= 'table' then return { snap } end
  local held = {}
  for _, s in ipairs(granted) do held[s] = true end
  if not held['*'] then
    for i = 10, #ARGV do if not held[ARGV[i]] then return { snap } end end
  end
end
-- Names as esc() writes them (':' is %3A): '{c:<group>}' then '<r|q>:<k:counter id | w:workspace>:<name>';
-- the counter id is the record's counterId (inherited through rotations), else its id.
local own = 'k%3A' .. cid
local group = own
if ws ~= '' then group = 'w%3A' .. string.sub(ws, 2) end
local tag = ARGV[4] .. '{c:' .. group .. '}'
local keys, rates = {}, {}
for per, name, limit, window in string.gmatch(ARGV[8], '([kw])([^|]*)|([^|]*)|([^;]*);') do
  keys[#keys + 1] = tag .. 'r%3A' .. (per == 'w' and group or own) .. '%3A' .. name
  rates[#rates + 1] = { tonumber(limit), tonumber(window) }
end
local quota = nil
if ARGV[9] ~= '' then
  local per, name, limit, reset = string.match(ARGV[9], '^([kw])([^|]*)|([^|]*)|(.*)$')
  keys[#keys + 1] = tag .. 'q%3A' .. (per == 'w' and group or own) .. '%3A' .. name
  quota = { tonumber(limit), tonumber(reset) }
end
return kw_count({ snap }, keys, now, tonumber(ARGV[2]), ARGV[3] == '1', rates, quota)
`,
};

/** What reading a kw_count reply needs: a {@link CounterRequest} or a {@link CounterPlan}. */
interface Counted {
  readonly now: number;
  readonly cost: number;
  readonly rates: readonly unknown[];
  readonly quota: { readonly limit: number; readonly resetAt: number } | null;
}

/** A kw_count reply (integers, from `reply[at]` on), read for `request`. */
function counterResult(request: Counted, reply: readonly unknown[], at = 0): CounterResult {
  const int = (i: number) => reply[at + i] as number;
  const refused = int(0);
  const admitted = refused === 0;
  const n = request.rates.length;
  const q = request.quota;
  const rates: RateState[] = [];
  for (let i = 0; i < n; i++) rates.push({ remaining: int(2 + 2 * i), resetMs: int(3 + 2 * i) });
  return {
    refused: admitted ? null : refused > 0 ? { rate: refused - 1 } : { quota: true },
    retryAfterMs: refused > 0 ? int(1) : refused === -1 ? Math.max(0, q!.resetAt - request.now) : 0,
    rates,
    quota: q === null ? null : { remaining: Math.max(0, q.limit - int(2 + 2 * n) - (admitted ? request.cost : 0)) },
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
    const keys = [
      ...request.rates.map((r) => `${prefix}${tag}${esc(r.key)}`),
      ...(request.quota ? [`${prefix}${tag}${esc(request.quota.key)}`] : []),
    ];
    const args: (string | number)[] = [request.now, request.cost, request.dryRun ? '1' : '0', request.rates.length];
    for (const r of request.rates) args.push(r.limit, r.windowMs);
    if (request.quota) args.push(request.quota.limit, request.quota.resetAt);
    return counterResult(request, (await call(CONSUME, keys, args)) as number[]);
  }
  if (!fused) return { consumeCounters };

  /** The rates part of a plan's arguments: the same array on every request of an engine. */
  const ratesSpecs = new WeakMap<CounterPlan['rates'], string>();
  const ratesSpec = (rates: CounterPlan['rates']): string => {
    let spec = ratesSpecs.get(rates);
    if (spec === undefined) {
      spec = rates.map((r) => `${r.per === 'workspace' ? 'w' : 'k'}${esc(r.name)}|${r.limit}|${r.windowMs};`).join('');
      ratesSpecs.set(rates, spec);
    }
    return spec;
  };

  async function findByHashAndConsume(hash: string, plan: CounterPlan): Promise<{ record: StoredKey | null; counters: CounterResult | null }> {
    if (typeof hash !== 'string' || hash.length === 0) return { record: null, counters: null };
    const { guard, quota } = plan;
    const args: (string | number)[] = [
      plan.now,
      plan.cost,
      plan.dryRun ? '1' : '0',
      prefix,
      `${esc(guard.format)}|${esc(guard.hashVersion)}`,
      guard.workspaceId === null ? '' : `=${esc(guard.workspaceId)}`,
      guard.environment === null ? '' : `=${esc(guard.environment)}`,
      ratesSpec(plan.rates),
      quota === null ? '' : `${quota.per === 'workspace' ? 'w' : 'k'}${esc(quota.name)}|${quota.limit}|${quota.resetAt}`,
      ...guard.scopes,
    ];
    // Buffers: the snapshot as it is stored (no decoding to a string and back); counters are integers.
    const reply = (await call(FUSED, [`${prefix}{hash:${esc(hash)}}s`], args, true)) as [Buffer, ...number[]] | null;
    if (reply === null) return { record: null, counters: null };
    const record = decodeKey(unpackFields(reply[0]));
    // The same check as findByHash: a record under another hash is no record.
    if (record === null || record.hash !== hash) return { record: null, counters: null };
    return { record, counters: reply.length === 1 ? null : counterResult(plan, reply, 1) };
  }
  const store: FusedCounterStore = { consumeCounters, findByHashAndConsume };
  return store;
}

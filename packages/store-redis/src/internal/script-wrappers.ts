/**
 * The definition of a script, and the two wrappers that make a record-writing script keep what
 * lives next to its records in the same atomic step: the snapshots (standalone servers) and the
 * expiry index (standalone and Cluster).
 */

/** A script: its ioredis command name, the number of keys it takes, and its body. */
export interface ScriptDefinition {
  readonly name: string;
  readonly keys: number;
  readonly lua: string;
  /**
   * The script writes records named in its KEYS: on a standalone server it runs wrapped by
   * {@link withSnapshots}, which refreshes their snapshots in the same atomic step.
   */
  readonly writesRecords?: boolean;
  /**
   * The script may change a record's expiry, revocation or rotation, or delete it: it runs wrapped
   * by {@link withExpiryIndex} (standalone and Cluster), which keeps the group's expiry index in
   * the same atomic step.
   */
  readonly changesExpiry?: boolean;
}

/**
 * Snapshots (standalone servers only): next to each pointer `{id:…}` / `{hash:…}`, a key `{id:…}s` /
 * `{hash:…}s` holds the record's public fields packed into one string — `<bytes>:<name><bytes>:<value>`
 * per field — so that a lookup is one plain GET. A well-formed record's snapshot starts with a field
 * `_g` (the guard header, which the decoder ignores): `<format>|<hashVersion>|<legacy>|<revokedAt>|
 * <expiresAt>|<'=' workspaceId, or ''>|<'=' environment, or ''>|<counter id: counterId, else id>|<scopes JSON>`, every part but
 * the last escaped as esc() does, so that `|` only separates. Every script that writes a record is wrapped so
 * that, in the same atomic step, the snapshots of each record named in its KEYS are rewritten (or
 * deleted with the record, or moved with a new hash). A snapshot is therefore never staler than its
 * record. On a Cluster the two live on different slots: no snapshots, lookups read the record.
 */
const SNAPSHOT_PROLOGUE = `
local function kw_esc(s)
  return (string.gsub(s, "[^A-Za-z0-9%-_%.!~%*'%(%)]", function(c) return string.format('%%%02X', string.byte(c)) end))
end
local kw_records = {}
for i = 1, #KEYS do
  local p = string.match(KEYS[i], '^([^{]*){[^}]*}k:.')
  if p then
    local old = redis.call('HMGET', KEYS[i], 'id', 'hash')
    kw_records[#kw_records + 1] = { key = KEYS[i], prefix = p, id = old[1], hash = old[2] }
  end
end
`;

const SNAPSHOT_EPILOGUE = `
for _, r in ipairs(kw_records) do
  local rec = redis.call('HGETALL', r.key)
  if #rec == 0 then
    if r.id then redis.call('DEL', r.prefix .. '{id:' .. kw_esc(r.id) .. '}s') end
    if r.hash then redis.call('DEL', r.prefix .. '{hash:' .. kw_esc(r.hash) .. '}s') end
  else
    local out = {}
    local m = {}
    for i = 1, #rec, 2 do
      local name, value = rec[i], rec[i + 1]
      m[name] = value
      if string.byte(name, 1) ~= 95 then out[#out + 1] = #name .. ':' .. name .. #value .. ':' .. value end
    end
    local id, hash = m.id, m.hash
    if r.id and id and r.id ~= id then redis.call('DEL', r.prefix .. '{id:' .. kw_esc(r.id) .. '}s') end
    if r.hash and hash and r.hash ~= hash then redis.call('DEL', r.prefix .. '{hash:' .. kw_esc(r.hash) .. '}s') end
    -- A record without its id or hash (changed by hand) keeps a snapshot under the old name, so
    -- that a lookup finds the bad record (a 503), as it would without snapshots.
    local packed = table.concat(out)
    -- The guard header: what a lookup that also counts (counters.ts) checks, in one field.
    if id and hash and m.format and m.hashVersion then
      local function opt(v) return v and ('=' .. kw_esc(v)) or '' end
      local g = table.concat({ kw_esc(m.format), kw_esc(m.hashVersion), kw_esc(m.legacy or ''), kw_esc(m.revokedAt or ''),
        kw_esc(m.expiresAt or ''), opt(m.workspaceId), opt(m.environment), kw_esc(m.counterId or id), m.scopes or '' }, '|')
      packed = '2:_g' .. #g .. ':' .. g .. packed
    end
    local sid, shash = id or r.id, hash or r.hash
    if sid then redis.call('SET', r.prefix .. '{id:' .. kw_esc(sid) .. '}s', packed) end
    if shash then redis.call('SET', r.prefix .. '{hash:' .. kw_esc(shash) .. '}s', packed) end
  end
end
`;

/**
 * The expiry index of a group: next to the records, `<prefix>{<tag>}x`, a ZSET of the ids of the
 * group's keys that will expire while still working (an `expiresAt`, no `revokedAt`, no
 * `rotatedToId`), scored by `expiresAt` (ms). Same hash tag as the records, hence the same slot:
 * kept by the script that writes the record, on a Cluster too. `listExpiring` reads it.
 */
const EXPIRY_PROLOGUE = `
local kw_expiry = {}
for i = 1, #KEYS do
  local p, tag = string.match(KEYS[i], '^([^{]*)({[^}]*})k:.')
  if p then kw_expiry[#kw_expiry + 1] = { key = KEYS[i], index = p .. tag .. 'x', id = redis.call('HGET', KEYS[i], 'id') } end
end
`;

const EXPIRY_EPILOGUE = `
for _, r in ipairs(kw_expiry) do
  local f = redis.call('HMGET', r.key, 'id', 'expiresAt', 'revokedAt', 'rotatedToId')
  local id = f[1] or r.id
  if r.id and f[1] and r.id ~= f[1] then redis.call('ZREM', r.index, r.id) end
  if id then
    if f[1] and f[2] and not f[3] and not f[4] and tonumber(f[2]) then
      redis.call('ZADD', r.index, tonumber(f[2]), id)
    else
      redis.call('ZREM', r.index, id)
    end
  end
end
`;

/** A script that may change expiries, with the expiry index kept in the same step (see {@link EXPIRY_PROLOGUE}). */
export function withExpiryIndex(script: ScriptDefinition): ScriptDefinition {
  if (!script.changesExpiry) return script;
  return {
    ...script,
    name: `${script.name}X`,
    lua: `${EXPIRY_PROLOGUE}\nlocal function kw_xbody()\n${script.lua}\nend\nlocal kw_xresult = kw_xbody()\n${EXPIRY_EPILOGUE}\nreturn kw_xresult\n`,
  };
}

/** The standalone variant of a record-writing script: the same body, then the snapshots refreshed. */
export function withSnapshots(script: ScriptDefinition): ScriptDefinition {
  if (!script.writesRecords) return script;
  return {
    name: `${script.name}S`,
    keys: script.keys,
    lua: `${SNAPSHOT_PROLOGUE}\nlocal function kw_body()\n${script.lua}\nend\nlocal kw_result = kw_body()\n${SNAPSHOT_EPILOGUE}\nreturn kw_result\n`,
  };
}

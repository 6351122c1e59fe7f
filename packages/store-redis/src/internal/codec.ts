import type { KeyPatch, StoredKey } from '@keyward/core/store';

/**
 * Key names and record encoding. Everything here is pure; the layout is described in the README.
 *
 * Every Redis key of a store starts with the prefix, then a hash tag `{…}` that decides the cluster
 * slot:
 *
 * - `{ws:<workspace>}` (or `{own:<owner>}` for keys without a workspace, `{none}` for neither):
 *   the *group* of a key. The record (`…k:<id>`, a HASH) and the group's index (`…idx`, a ZSET)
 *   share the slot, so insert, update, delete and rotate are one Lua script each.
 * - `{id:<id>}` and `{hash:<hash>}`: pointers to the record, each on its own slot. They only say
 *   where to look: every read checks that the record found is the one asked for.
 */

/** Offset that makes every `Date` millisecond value (±8.64e15) non-negative. */
const ORDER_OFFSET = 8_640_000_000_000_000;
const ORDER_WIDTH = 17;

const SAFE_RE = /^[A-Za-z0-9_.!~*'()-]*$/;

/**
 * Escapes a component of a key name so that `{`, `}`, `:` and `%` never reach the name as such:
 * the same bytes as `encodeURIComponent`, which the Lua side reproduces (`esc` in scripts.ts).
 * @throws {TypeError} for a string that is not well-formed Unicode (a lone surrogate).
 */
export function esc(value: string): string {
  if (SAFE_RE.test(value)) return value;
  try {
    return encodeURIComponent(value);
  } catch {
    throw new TypeError('ids, workspace ids and owner ids must be well-formed Unicode strings');
  }
}

/** The hash tag of the group a key belongs to (its workspace, else its owner). */
export function groupTag(key: Pick<StoredKey, 'workspaceId' | 'ownerId'>): string {
  if (key.workspaceId !== null) return `{ws:${esc(key.workspaceId)}}`;
  if (key.ownerId !== null) return `{own:${esc(key.ownerId)}}`;
  return '{none}';
}

export const workspaceTag = (workspaceId: string): string => `{ws:${esc(workspaceId)}}`;
export const ownerTag = (ownerId: string): string => `{own:${esc(ownerId)}}`;

/** Record key without the store prefix: what pointers hold. */
export const recordSuffix = (tag: string, id: string): string => `${tag}k:${esc(id)}`;
export const indexSuffix = (tag: string): string => `${tag}idx`;
export const idPointerSuffix = (id: string): string => `{id:${esc(id)}}`;
export const hashPointerSuffix = (hash: string): string => `{hash:${esc(hash)}}`;

/** The hash tag at the start of a record suffix (`{ws:x}k:id` → `{ws:x}`). */
export function tagOf(suffix: string): string {
  const end = suffix.indexOf('}');
  return end < 0 ? '' : suffix.slice(0, end + 1);
}

/**
 * Pointer values: `<claimed at, ms>:<nonce>:<record suffix>`. The claim time lets a later insert
 * take over a pointer left behind by a crash; the nonce makes every claim unique, so that a
 * compare-and-delete can never remove someone else's claim.
 */
export interface PointerValue {
  readonly claimedAt: number;
  readonly record: string;
}

export function pointerValue(claimedAt: number, nonce: string, record: string): string {
  return `${claimedAt}:${nonce}:${record}`;
}

export function parsePointer(value: string): PointerValue | null {
  const a = value.indexOf(':');
  const b = a < 0 ? -1 : value.indexOf(':', a + 1);
  if (b < 0) return null;
  const claimedAt = Number(value.slice(0, a));
  if (!Number.isSafeInteger(claimedAt)) return null;
  return { claimedAt, record: value.slice(b + 1) };
}

/** Index member: fixed-width creation time, then the id, so that lexical order is (createdAt, id). */
export function orderMember(createdAtMs: number, id: string): string {
  return `${String(createdAtMs + ORDER_OFFSET).padStart(ORDER_WIDTH, '0')}:${id}`;
}

/** The public cursor of a listing: `<createdAt ms>:<id>`, the same as the memory store's. */
export function cursorOf(key: StoredKey): string {
  return `${key.createdAt.getTime()}:${key.id}`;
}

/** Cursor → index member, or `null` when the cursor is not one of ours. */
export function memberOfCursor(cursor: string): string | null {
  const sep = cursor.indexOf(':');
  if (sep < 1) return null;
  const text = cursor.slice(0, sep);
  const ms = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(ms) || Math.abs(ms) > ORDER_OFFSET || sep === cursor.length - 1) return null;
  return orderMember(ms, cursor.slice(sep + 1));
}

function ms(date: Date, field: string): string {
  const t = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new TypeError(`${field} must be a valid Date`);
  return String(t);
}

type Fields = Array<[string, string]>;

const NULLABLE_DATES = ['expiresAt', 'revokedAt', 'sunsetAt', 'lastUsedAt'] as const;

/** The HASH fields of a record (a `null` is an absent field), without the internal ones. */
export function encodeKey(key: StoredKey): Fields {
  if (!key || typeof key !== 'object') throw new TypeError('a stored key must be an object');
  for (const field of ['id', 'name', 'format', 'prefix', 'hint', 'hash', 'hashVersion'] as const) {
    if (typeof key[field] !== 'string') throw new TypeError(`${field} must be a string`);
  }
  if (key.id.length === 0) throw new TypeError('id must be a non-empty string');
  const fields: Fields = [
    ['id', key.id],
    ['name', key.name],
    ['format', key.format],
    ['scopes', JSON.stringify(key.scopes ?? [])],
    ['prefix', key.prefix],
    ['hint', key.hint],
    ['hash', key.hash],
    ['hashVersion', key.hashVersion],
    ['legacy', key.legacy ? '1' : '0'],
    ['createdAt', ms(key.createdAt, 'createdAt')],
    ['updatedAt', ms(key.updatedAt, 'updatedAt')],
    ['metadata', JSON.stringify(key.metadata ?? {})],
  ];
  if (key.workspaceId !== null) fields.push(['workspaceId', key.workspaceId]);
  if (key.ownerId !== null) fields.push(['ownerId', key.ownerId]);
  if (key.environment !== null) fields.push(['environment', key.environment]);
  if (key.rotatedToId !== null) fields.push(['rotatedToId', key.rotatedToId]);
  if (typeof key.createdBy === 'string') fields.push(['createdBy', key.createdBy]);
  if (typeof key.counterId === 'string') fields.push(['counterId', key.counterId]);
  for (const field of NULLABLE_DATES) {
    const value = key[field];
    if (value !== null) fields.push([field, ms(value, field)]);
  }
  return fields;
}

/** A patch as fields to set and fields to delete (its `null`s). */
export function encodePatch(patch: KeyPatch): { set: Fields; del: string[] } {
  const set: Fields = [['updatedAt', ms(patch.updatedAt, 'updatedAt')]];
  const del: string[] = [];
  if (patch.name !== undefined) set.push(['name', patch.name]);
  if (patch.scopes !== undefined) set.push(['scopes', JSON.stringify(patch.scopes)]);
  if (patch.metadata !== undefined) set.push(['metadata', JSON.stringify(patch.metadata)]);
  if (patch.hash !== undefined) set.push(['hash', patch.hash]);
  if (patch.hashVersion !== undefined) set.push(['hashVersion', patch.hashVersion]);
  for (const field of ['expiresAt', 'revokedAt', 'lastUsedAt'] as const) {
    const value = patch[field];
    if (value === undefined) continue;
    if (value === null) del.push(field);
    else set.push([field, ms(value, field)]);
  }
  return { set, del };
}

export function flatten(fields: Fields): string[] {
  const out: string[] = [];
  for (const [k, v] of fields) out.push(k, v);
  return out;
}

function malformed(field: string): Error {
  // A bad record is a store failure (the engine answers 503), never a pass.
  return new Error(`the Redis key store holds a malformed record (field ${field})`);
}

function date(value: string | undefined, field: string): Date | null {
  if (value === undefined) return null;
  const t = Number(value);
  if (!Number.isSafeInteger(t)) throw malformed(field);
  return new Date(t);
}

/** A record from the flat `HGETALL` reply; `null` for an empty reply (no such record). */
/**
 * Unpacks a snapshot, `<bytes>:<name><bytes>:<value>…`, into name/value pairs. Lengths count UTF-8
 * bytes, hence a Buffer. @throws on anything that does not parse exactly (the engine answers 503).
 */
export function unpackFields(packed: Buffer): string[] {
  // Pure ASCII (the usual case: ids, hashes, dates, JSON without accents): byte offsets are string
  // offsets, and slicing one decoded string is much cheaper than decoding each field.
  const text = packed.toString('latin1');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is every ASCII character, controls included
  const ascii = !/[^\x00-\x7f]/.test(text);
  const out: string[] = [];
  let at = 0;
  while (at < packed.length) {
    let length = 0;
    let digits = 0;
    for (;;) {
      const c = packed[at++];
      if (c === 58 && digits > 0) break; // ':'
      if (c === undefined || c < 48 || c > 57 || digits > 9) throw malformed('snapshot');
      length = length * 10 + (c - 48);
      digits++;
    }
    if (at + length > packed.length) throw malformed('snapshot');
    out.push(ascii ? text.slice(at, at + length) : packed.toString('utf8', at, at + length));
    at += length;
  }
  if (out.length % 2 !== 0) throw malformed('snapshot');
  return out;
}

export function decodeKey(flat: readonly string[] | null | undefined): StoredKey | null {
  if (!flat || flat.length === 0) return null;
  const f: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
  for (const field of ['id', 'name', 'format', 'scopes', 'prefix', 'hint', 'hash', 'hashVersion', 'createdAt', 'updatedAt', 'metadata']) {
    if (f[field] === undefined) throw malformed(field);
  }
  let scopes: unknown;
  let metadata: unknown;
  try {
    scopes = JSON.parse(f.scopes!);
    metadata = JSON.parse(f.metadata!);
  } catch {
    throw malformed('scopes/metadata');
  }
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) throw malformed('scopes');
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw malformed('metadata');
  return {
    id: f.id!,
    workspaceId: f.workspaceId ?? null,
    ownerId: f.ownerId ?? null,
    name: f.name!,
    format: f.format!,
    environment: f.environment ?? null,
    scopes: scopes as string[],
    prefix: f.prefix!,
    hint: f.hint!,
    hash: f.hash!,
    hashVersion: f.hashVersion!,
    legacy: f.legacy === '1',
    createdAt: date(f.createdAt, 'createdAt')!,
    updatedAt: date(f.updatedAt, 'updatedAt')!,
    expiresAt: date(f.expiresAt, 'expiresAt'),
    revokedAt: date(f.revokedAt, 'revokedAt'),
    sunsetAt: date(f.sunsetAt, 'sunsetAt'),
    rotatedToId: f.rotatedToId ?? null,
    lastUsedAt: date(f.lastUsedAt, 'lastUsedAt'),
    metadata: metadata as Record<string, unknown>,
    createdBy: f.createdBy ?? null,
    counterId: f.counterId ?? null,
  };
}

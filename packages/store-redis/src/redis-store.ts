import {
  KeywardError,
  type AuditStore,
  type KeyPatch,
  type KeyStore,
  type ListPage,
  type ListQuery,
  type RotateInput,
  type StoredKey,
  type UsageStore,
  type CounterStore,
  type FusedCounterStore,
} from '@keyward/core/store';
import type { Cluster, Redis } from 'ioredis';
import {
  cursorOf,
  decodeKey,
  unpackFields,
  encodeKey,
  encodePatch,
  flatten,
  groupTag,
  hashPointerSuffix,
  idPointerSuffix,
  indexSuffix,
  memberOfCursor,
  orderMember,
  ownerTag,
  parsePointer,
  pointerValue,
  recordSuffix,
  tagOf,
  workspaceTag,
  type PointerValue,
} from './internal/codec.js';
import { connect, quit, defineScripts, type RedisConnection } from './internal/connection.js';
import { CAS_DEL, CAS_SET, DELETE, INSERT, LIST, ROTATE, UPDATE } from './internal/scripts.js';
import { redisAudit } from './audit.js';
import { redisUsage } from './usage.js';
import { redisCounters } from './counters.js';

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /**
   * An ioredis `Redis` or `Cluster` client (you keep it, and close it), or `{ url, options? }` for a
   * client the store opens with fail-fast options and closes in `close()`.
   *
   * @example
   * ```ts
   * redisStore({ redis: new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 }) })
   * redisStore({ redis: new Cluster(nodes, { enableOfflineQueue: false }) })
   * redisStore({ redis: { url: 'redis://127.0.0.1:6379' } })
   * ```
   */
  redis: RedisConnection;
  /**
   * Prepended to every Redis key the store writes. Must not contain `{` or `}` (the store puts its
   * own hash tags after it).
   * @default 'keyward:'
   */
  prefix?: string;
  /**
   * Look keys up with one plain `GET` of the snapshot that every record write keeps next to the
   * id and hash pointers (standalone servers write them whatever this option says). `false` reads
   * the pointer, then the record. Ignored (always `false`) on a Cluster, where records and pointers
   * live on different slots: a lookup is two round trips (GET, then HGETALL).
   * @default true on a standalone server
   */
  singleRoundTrip?: boolean;
  /** Days a usage counter (one key or one workspace, one day) is kept after its last increment. @default 400 */
  usageTtlDays?: number;
  /** Days an audit event is kept; a workspace's stream expires this long after its last event. @default 90 */
  auditRetentionDays?: number;
  /** Audit events kept per workspace (approximately, `MAXLEN ~`). @default 10000 */
  auditMaxLength?: number;
}

/** The Redis key store. */
export interface RedisStore extends KeyStore, UsageStore, AuditStore, CounterStore, Partial<Pick<FusedCounterStore, 'findByHashAndConsume'>> {
  /** The ioredis client the store uses. */
  readonly redis: Redis | Cluster;
  /** The prefix of every Redis key of this store. */
  readonly prefix: string;
  /** Quits the client when the store opened it (`{ url }`); does nothing to a client you passed. */
  close(): Promise<void>;
}

/**
 * A pointer left without a record (a crash between the two writes of an insert) blocks its id or
 * hash for this long; after it, an insert may take the pointer over. Far longer than any insert.
 */
const CLAIM_LEASE_MS = 60_000;
/** Most index members one list call reads on the server (bounds the script's run time). */
const LIST_SCAN_BUDGET = 2000;
const PREFIX_RE = /^[^{}]*$/;

type Flat = string[];

interface Claim {
  readonly key: string;
  readonly value: string;
  /** Whether this claim wrote the pointer (and must remove it if the write that follows fails). */
  readonly created: boolean;
}

function conflict(message: string, keyId?: string): KeywardError {
  return new KeywardError('conflict', { message, ...(keyId === undefined ? {} : { keyId }) });
}

function nonce(): string {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

function internal(flat: Flat, field: string): string | undefined {
  for (let i = 0; i + 1 < flat.length; i += 2) if (flat[i] === field) return flat[i + 1];
  return undefined;
}

/**
 * A key store on Redis or Valkey, standalone or Cluster (ioredis 5).
 *
 * Keys of one workspace (or, without a workspace, of one owner) share a hash tag, so every write
 * of records and listings is one atomic Lua script on one slot; `{id:…}` and `{hash:…}` pointers on
 * their own slots lead lookups to the record, which is always checked against what was asked.
 * Lookups are one GET (of a snapshot) on a standalone server and two reads on a Cluster. See the README for
 * the layout, the order of writes and the persistence settings a primary store needs.
 *
 * @throws {TypeError} for a missing client. @throws {RangeError} for a prefix with `{` or `}`.
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const keyward = createKeyward({ store: redisStore({ redis: new Redis(url, { maxRetriesPerRequest: 1 }) }) });
 * ```
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  if (!options || typeof options !== 'object') throw new TypeError('redisStore needs { redis }');
  const prefix = options.prefix ?? 'keyward:';
  if (typeof prefix !== 'string' || !PREFIX_RE.test(prefix)) {
    throw new RangeError('redisStore: prefix must be a string without "{" or "}" (the store adds its own hash tags)');
  }
  const { client, owned } = connect(options.redis, 'redisStore');
  const call = defineScripts(client);
  const singleRoundTrip = !client.isCluster && options.singleRoundTrip !== false;

  const k = (suffix: string) => prefix + suffix;
  const positive = (value: number | undefined, fallback: number, name: string) => {
    const n = value ?? fallback;
    if (typeof n !== 'number' || !(n > 0) || !Number.isFinite(n)) throw new RangeError(`redisStore: ${name} must be a positive number`);
    return n;
  };
  const usage = redisUsage(client, prefix, positive(options.usageTtlDays, 400, 'usageTtlDays'));
  const audit = redisAudit(client, prefix, {
    days: positive(options.auditRetentionDays, 90, 'auditRetentionDays'),
    maxLength: Math.ceil(positive(options.auditMaxLength, 10_000, 'auditMaxLength')),
  });

  /** HGETALL of the record a pointer leads to (checked by the caller), in one or two round trips. */
  async function follow(pointerKey: string): Promise<Flat> {
    if (singleRoundTrip) {
      // One GET: the snapshot that every record write refreshes atomically. None: no such record.
      const snapshot = await client.getBuffer(`${pointerKey}s`);
      return snapshot === null ? [] : unpackFields(snapshot);
    }
    const value = await client.get(pointerKey);
    const pointer = value === null ? null : parsePointer(value);
    if (pointer === null) return [];
    return flatOf(await client.hgetall(k(pointer.record)));
  }

  /** ioredis turns HGETALL into an object: back to pairs, for one decoder. */
  function flatOf(object: Record<string, string>): Flat {
    const flat: Flat = [];
    for (const name of Object.keys(object)) flat.push(name, object[name]!);
    return flat;
  }

  async function findById(id: string): Promise<StoredKey | null> {
    if (typeof id !== 'string' || id.length === 0) return null;
    const record = decodeKey(await follow(k(idPointerSuffix(id))));
    return record !== null && record.id === id ? record : null;
  }

  async function findByHash(hash: string): Promise<StoredKey | null> {
    if (typeof hash !== 'string' || hash.length === 0) return null;
    const record = decodeKey(await follow(k(hashPointerSuffix(hash))));
    return record !== null && record.hash === hash ? record : null;
  }

  /** Where the record of an id is: its key suffix and the pointer's value, or `null`. */
  async function locate(id: string): Promise<{ record: string; pointer: string } | null> {
    const value = await client.get(k(idPointerSuffix(id)));
    const pointer = value === null ? null : parsePointer(value);
    return pointer === null ? null : { record: pointer.record, pointer: value! };
  }

  /**
   * Points `pointerKey` at `record`. An existing pointer wins when its record is live (`live`),
   * or was claimed less than a lease ago (an insert in flight); otherwise it is a leftover of a
   * crash and is taken over atomically. With `sameRecordOk`, a live pointer to this very record is
   * kept as it is (a hash set again to its current value).
   * @returns the claim, or `null` on a conflict.
   */
  async function claim(
    pointerKey: string,
    record: string,
    live: (pointer: PointerValue) => Promise<boolean>,
    sameRecordOk = false,
  ): Promise<Claim | null> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const value = pointerValue(Date.now(), nonce(), record);
      if ((await client.set(pointerKey, value, 'NX')) === 'OK') return { key: pointerKey, value, created: true };
      const existing = await client.get(pointerKey);
      if (existing === null) continue; // removed in between: claim again
      const pointer = parsePointer(existing);
      if (pointer !== null) {
        const ours = sameRecordOk && pointer.record === record;
        if (await live(pointer)) return ours ? { key: pointerKey, value: existing, created: false } : null;
        // Not live: an insert in flight (wait for the lease), or a leftover. A pointer to this very
        // record is replaced by a fresh claim, so that no late clean-up of the old value can remove it.
        if (!ours && Date.now() - pointer.claimedAt < CLAIM_LEASE_MS) return null;
      }
      if ((await call(CAS_SET, [pointerKey], [existing, value])) === 1) return { key: pointerKey, value, created: true };
    }
    return null;
  }

  const idLive = (pointer: PointerValue) => client.exists(k(pointer.record)).then((n) => n === 1);
  const hashLive = (hash: string) => (pointer: PointerValue) => client.hget(k(pointer.record), 'hash').then((h) => h === hash);

  async function release(...claims: (Claim | null | undefined)[]): Promise<void> {
    await Promise.all(claims.map((c) => (c?.created ? call(CAS_DEL, [c.key], [c.value]) : undefined)));
  }

  /**
   * The cross-slot part of a new record: its id and hash pointers, and its entry in its owner's
   * index when the record lives in a workspace group. Written before the record, so that a crash
   * leaves only pointers and entries that lead nowhere (skipped by reads), never a record that
   * cannot be found.
   */
  async function prepare(key: StoredKey, record: string, member: string) {
    const [idClaim, hashClaim] = await Promise.all([
      claim(k(idPointerSuffix(key.id)), record, idLive),
      claim(k(hashPointerSuffix(key.hash)), record, hashLive(key.hash)),
    ]);
    if (idClaim === null || hashClaim === null) {
      await release(idClaim, hashClaim);
      throw idClaim === null ? conflict('a key with this id exists', key.id) : conflict('a key with this hash exists');
    }
    const ownerIndex = key.workspaceId !== null && key.ownerId !== null ? k(indexSuffix(ownerTag(key.ownerId))) : null;
    const addedOwnerEntry = ownerIndex !== null && (await client.zadd(ownerIndex, 'NX', 0, member)) === 1;
    const undo = async () => {
      await Promise.all([release(idClaim, hashClaim), addedOwnerEntry ? client.zrem(ownerIndex!, member) : undefined]);
    };
    return { idClaim, hashClaim, undo };
  }

  async function insert(key: StoredKey): Promise<void> {
    const fields = flatten(encodeKey(key));
    const tag = groupTag(key);
    const record = recordSuffix(tag, key.id);
    const member = orderMember(key.createdAt.getTime(), key.id);
    const { idClaim, hashClaim, undo } = await prepare(key, record, member);
    // On an error the outcome is unknown (the script may have run): the pointers stay, and reads
    // check them anyway.
    const inserted = await call(INSERT, [k(record), k(indexSuffix(tag))], [member, idClaim.value, hashClaim.value, ...fields]);
    if (inserted !== 1) {
      await undo();
      throw conflict('a key with this id exists', key.id);
    }
  }

  async function update(id: string, patch: KeyPatch): Promise<StoredKey | null> {
    if (typeof id !== 'string' || id.length === 0) return null;
    const { set, del } = encodePatch(patch);
    const location = await locate(id);
    if (location === null) return null;
    let hashClaim: Claim | null = null;
    if (patch.hash !== undefined) {
      // The new pointer first: from the moment the record holds the new hash it can be found by it.
      hashClaim = await claim(k(hashPointerSuffix(patch.hash)), location.record, hashLive(patch.hash), true);
      if (hashClaim === null) throw conflict('a key with this hash exists', id);
    }
    const reply = (await call(UPDATE, [k(location.record)], [hashClaim?.value ?? '', set.length, ...flatten(set), ...del])) as
      | [string, string, Flat]
      | null;
    if (reply === null) {
      await release(hashClaim);
      return null;
    }
    const [previousHash, previousPointer, flat] = reply;
    const updated = decodeKey(flat);
    if (patch.hash !== undefined && previousHash !== '' && previousHash !== patch.hash && previousPointer !== '') {
      // The old pointer goes last, and only if it is still the one this record wrote.
      await call(CAS_DEL, [k(hashPointerSuffix(previousHash))], [previousPointer]);
    }
    return updated;
  }

  async function remove(id: string): Promise<StoredKey | null> {
    if (typeof id !== 'string' || id.length === 0) return null;
    const location = await locate(id);
    if (location === null) return null;
    const flat = (await call(DELETE, [k(location.record), k(indexSuffix(tagOf(location.record)))], [])) as Flat | null;
    const deleted = decodeKey(flat);
    if (deleted === null || flat === null) return null;
    // The record is gone, so the pointers and the owner entry now lead nowhere: remove them, each
    // only if it is still the one this record wrote.
    const order = internal(flat, '_order');
    await Promise.all([
      call(CAS_DEL, [k(idPointerSuffix(id))], [internal(flat, '_ip') ?? location.pointer]),
      internal(flat, '_hp') !== undefined ? call(CAS_DEL, [k(hashPointerSuffix(deleted.hash))], [internal(flat, '_hp')!]) : undefined,
      deleted.workspaceId !== null && deleted.ownerId !== null && order !== undefined
        ? client.zrem(k(indexSuffix(ownerTag(deleted.ownerId))), order)
        : undefined,
    ]);
    return deleted;
  }

  async function rotate(input: RotateInput): Promise<StoredKey> {
    const { oldId, successor, now } = input;
    const fields = flatten(encodeKey(successor));
    const location = await locate(oldId);
    if (location === null) throw new KeywardError('not_found', { keyId: oldId });
    const tag = groupTag(successor);
    if (tagOf(location.record) !== tag) {
      throw new KeywardError('invalid_argument', { message: 'the successor of a rotated key must keep its workspace and owner', keyId: oldId });
    }
    const record = recordSuffix(tag, successor.id);
    const member = orderMember(successor.createdAt.getTime(), successor.id);
    const { idClaim, hashClaim, undo } = await prepare(successor, record, member);
    const expires = input.oldExpiresAt === undefined ? 'keep' : input.oldExpiresAt === null ? 'null' : String(input.oldExpiresAt.getTime());
    const reply = (await call(
      ROTATE,
      [k(location.record), k(record), k(indexSuffix(tag))],
      [now.getTime(), input.revokeOld ? '1' : '0', expires, successor.id, member, idClaim.value, hashClaim.value, ...fields],
    )) as [number, Flat?];
    if (reply[0] !== 3) {
      await undo();
      if (reply[0] === 0) throw new KeywardError('not_found', { keyId: oldId });
      if (reply[0] === 1) throw conflict('this key was revoked or rotated already', oldId);
      throw conflict('a key with the id of the successor exists', successor.id);
    }
    return decodeKey(reply[1])!;
  }

  /** Reads a record that an owner index lists but that lives in a workspace group. */
  async function foreign(id: string, ownerId: string, includeRevoked: boolean): Promise<StoredKey | null> {
    const record = await findById(id);
    if (record === null || record.ownerId !== ownerId || (!includeRevoked && record.revokedAt !== null)) return null;
    return record;
  }

  async function list(query: ListQuery): Promise<ListPage<StoredKey>> {
    if (!query || (typeof query.workspaceId !== 'string' && typeof query.ownerId !== 'string')) {
      throw new KeywardError('invalid_argument', { message: 'list needs a workspaceId or an ownerId' });
    }
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new KeywardError('invalid_argument', { message: 'limit must be an integer from 1 to 1000' });
    }
    let start = '-';
    if (query.cursor !== undefined) {
      const member = typeof query.cursor === 'string' ? memberOfCursor(query.cursor) : null;
      if (member === null) throw new KeywardError('invalid_argument', { message: 'invalid cursor: pass the nextCursor of the previous page' });
      start = `(${member}`;
    }
    const includeRevoked = query.includeRevoked !== false;
    const byWorkspace = typeof query.workspaceId === 'string';
    const tag = byWorkspace ? workspaceTag(query.workspaceId!) : ownerTag(query.ownerId!);
    const ownerFilter = byWorkspace && typeof query.ownerId === 'string';
    const items: StoredKey[] = [];
    for (;;) {
      const want = limit + 1 - items.length;
      const reply = (await call(
        LIST,
        [k(indexSuffix(tag))],
        [
          k(`${tag}k:`),
          start,
          want,
          includeRevoked ? '1' : '0',
          ownerFilter ? '1' : '0',
          ownerFilter ? query.ownerId! : '',
          byWorkspace ? '0' : '1',
          LIST_SCAN_BUDGET,
        ],
      )) as [number, string, ...Array<[string, Flat?]>];
      const [exhausted, last, ...entries] = reply;
      const resolved = await Promise.all(
        entries.map(([member, flat]) => (flat !== undefined ? decodeKey(flat) : foreign(member.slice(18), query.ownerId!, includeRevoked))),
      );
      for (const record of resolved) if (record !== null) items.push(record);
      if (items.length > limit || exhausted === 1 || last === '') break;
      start = `(${last}`;
    }
    const page = items.slice(0, limit);
    return { items: page, nextCursor: items.length > limit ? cursorOf(page[page.length - 1]!) : null };
  }

  return {
    ...usage,
    ...audit,
    // On a standalone server the snapshot makes a lookup one GET: the counters can ride along.
    ...(singleRoundTrip ? redisCounters(client, prefix, true) : redisCounters(client, prefix, false)),
    redis: client,
    prefix,
    findById,
    findByHash,
    insert,
    update,
    delete: remove,
    rotate,
    list,
    async close() {
      if (owned) await quit(client);
    },
  };
}

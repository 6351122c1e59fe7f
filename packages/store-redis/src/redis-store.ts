import {
  type AuditStore,
  type CounterStore,
  type ExpiringQuery,
  type FusedCounterStore,
  type KeyPatch,
  KeywardError,
  type KeyStore,
  type ListPage,
  type RotateInput,
  type StoredKey,
  type UsageStore,
} from '@keyward/core/store';
import type { Cluster, Redis } from 'ioredis';
import { redisAudit } from './audit.js';
import { redisCounters } from './counters.js';
import {
  decodeKey,
  encodeKey,
  encodePatch,
  flatten,
  groupTag,
  hashPointerSuffix,
  idPointerSuffix,
  indexSuffix,
  orderMember,
  ownerTag,
  recordSuffix,
  tagOf,
} from './internal/codec.js';
import { connect, defineScripts, quit, type RedisConnection } from './internal/connection.js';
import { lister } from './internal/list.js';
import { type Claim, conflict, type Flat, pointers } from './internal/pointers.js';
import { CAS_DEL, DELETE, INSERT, ROTATE, UPDATE } from './internal/scripts.js';
import { redisUsage } from './usage.js';
import { redisExpiring } from './expiring.js';

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
  /** Keys that expire soon, soonest first, from each group's expiry index (see `KeyStore.listExpiring`). */
  listExpiring(query: ExpiringQuery): Promise<ListPage<StoredKey>>;
  /**
   * Puts the records written before the expiry index existed (Keyward < 0.x) into it: run once
   * after upgrading a store that holds keys with an expiry. SCANs every record; returns how many.
   */
  rebuildExpiryIndex(): Promise<number>;
  /** Quits the client when the store opened it (`{ url }`); does nothing to a client you passed. */
  close(): Promise<void>;
}

const PREFIX_RE = /^[^{}]*$/;

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
  const ctx = { client, call, k, singleRoundTrip };
  const { follow, locate, claim, release, prepare, hashLive } = pointers(ctx);
  const positive = (value: number | undefined, fallback: number, name: string) => {
    const n = value ?? fallback;
    if (typeof n !== 'number' || !(n > 0) || !Number.isFinite(n)) throw new RangeError(`redisStore: ${name} must be a positive number`);
    return n;
  };
  const usage = redisUsage(client, prefix, positive(options.usageTtlDays, 400, 'usageTtlDays'));
  const expiring = redisExpiring(client, prefix, call);
  const audit = redisAudit(client, prefix, {
    days: positive(options.auditRetentionDays, 90, 'auditRetentionDays'),
    maxLength: Math.ceil(positive(options.auditMaxLength, 10_000, 'auditMaxLength')),
  });

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

  async function insert(key: StoredKey): Promise<void> {
    const fields = flatten(encodeKey(key));
    const tag = groupTag(key);
    const record = recordSuffix(tag, key.id);
    const member = orderMember(key.createdAt.getTime(), key.id);
    if (key.expiresAt !== null) await expiring.noteGroup(tag);
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
    if (patch.expiresAt) await expiring.noteGroup(tagOf(location.record));
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
    if (successor.expiresAt !== null) await expiring.noteGroup(tag);
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

  const list = lister(ctx, findById);

  return {
    ...usage,
    ...audit,
    // On a standalone server the snapshot makes a lookup one GET: the counters can ride along.
    ...(singleRoundTrip ? redisCounters(client, prefix, true) : redisCounters(client, prefix, false)),
    system: 'redis',
    redis: client,
    prefix,
    listExpiring: expiring.listExpiring,
    rebuildExpiryIndex: expiring.rebuildExpiryIndex,
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

import { KeywardError, type StoredKey } from '@keyward/core/store';
import type { Cluster, Redis } from 'ioredis';
import { hashPointerSuffix, idPointerSuffix, indexSuffix, ownerTag, parsePointer, pointerValue, type PointerValue, unpackFields } from './codec.js';
import type { ScriptCaller } from './connection.js';
import { CAS_DEL, CAS_SET } from './scripts.js';

/**
 * The pointers of the Redis store: `{id:…}` and `{hash:…}` keys, each on its own slot, that lead a
 * lookup to a record (which the caller always checks against what was asked). A new record's
 * pointers are claimed before the record is written, so that a crash leaves only pointers that lead
 * nowhere (skipped by reads), never a record that cannot be found; a pointer left without a record
 * is taken over after a lease.
 */

/**
 * A pointer left without a record (a crash between the two writes of an insert) blocks its id or
 * hash for this long; after it, an insert may take the pointer over. Far longer than any insert.
 */
const CLAIM_LEASE_MS = 60_000;

export type Flat = string[];

export interface Claim {
  readonly key: string;
  readonly value: string;
  /** Whether this claim wrote the pointer (and must remove it if the write that follows fails). */
  readonly created: boolean;
}

/** What the store's modules share: the client, its scripts, and the prefixed key of a suffix. */
export interface StoreContext {
  readonly client: Redis | Cluster;
  readonly call: ScriptCaller;
  /** `prefix + suffix`. */
  readonly k: (suffix: string) => string;
  /** Lookups read the snapshot next to each pointer (one GET) instead of the pointer, then the record. */
  readonly singleRoundTrip: boolean;
}

export function conflict(message: string, keyId?: string): KeywardError {
  return new KeywardError('conflict', { message, ...(keyId === undefined ? {} : { keyId }) });
}

function nonce(): string {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** ioredis turns HGETALL into an object: back to pairs, for one decoder. */
function flatOf(object: Record<string, string>): Flat {
  const flat: Flat = [];
  for (const name of Object.keys(object)) flat.push(name, object[name]!);
  return flat;
}

export function pointers(ctx: StoreContext) {
  const { client, call, k, singleRoundTrip } = ctx;

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

  return { follow, locate, claim, release, prepare, hashLive };
}

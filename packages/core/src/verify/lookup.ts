import type { Engine } from '../engine/context.js';
import type { KeyFormat, ParsedKey } from '../format/types.js';
import type { Hasher } from '../hash/hasher.js';
import { isPromiseLike } from '../internal/awaitable.js';
import { timingSafeEqualString } from '../internal/timing-safe.js';
import type { Awaitable, StoredKey } from '../store/types.js';

/**
 * The lookup step: one indexed read, through the cache — by id then a constant-time comparison of
 * the hash, or by hash over each active hasher, newest first. Synchronous when the store (or the
 * cache) answers synchronously. A store that throws, rejects, hangs past `storeTimeout` or returns
 * a malformed row makes the lookup throw or reject: the pipeline answers 503, never a pass.
 */

/** A bad row from a store: treated as a store failure, never as a pass. */
export function checkRow(row: StoredKey | null): StoredKey | null {
  if (row === null) return null;
  if (
    typeof row !== 'object' ||
    typeof row.id !== 'string' ||
    typeof row.hash !== 'string' ||
    typeof row.hashVersion !== 'string' ||
    !Array.isArray(row.scopes) ||
    !(row.createdAt instanceof Date)
  ) {
    throw new TypeError('the key store returned a malformed row');
  }
  return row;
}

/** A store answer, or a rejection after `storeTimeout`. */
export function timed<T>(engine: Engine, value: PromiseLike<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the key store did not answer within ${engine.storeTimeout} ms`)), engine.storeTimeout);
  });
  return Promise.race([value, timeout]).then(
    (answer) => {
      clearTimeout(timer);
      return answer;
    },
    (error: unknown) => {
      clearTimeout(timer);
      throw error;
    },
  );
}

/** A store's answer within `storeTimeout`, its row checked. */
export function read(engine: Engine, value: Awaitable<StoredKey | null>): Awaitable<StoredKey | null> {
  if (!isPromiseLike(value)) return checkRow(value);
  return timed(engine, value).then(checkRow);
}

/** The key's record, or `null` when no stored key matches it. `digest`: its newest digest, when known. */
export function lookup(engine: Engine, format: KeyFormat, parsed: ParsedKey, digest: string | undefined): Awaitable<StoredKey | null> {
  if (format.lookup === 'hash') return lookupDigest(engine, parsed.secret, digest ?? engine.hashers[0]!.hash(parsed.secret));
  const id = parsed.id;
  if (id === undefined) throw new TypeError(`format ${format.name} looks up by id but parsed no id`);
  const secret = parsed.secret;
  const found = engine.cache.through(`i:${id}`, () => read(engine, engine.store.findById(id)));
  return isPromiseLike(found) ? found.then((record) => matchById(engine, record, secret)) : matchById(engine, found, secret);
}

/**
 * The lookup when it costs nothing — a store that answers from process memory, or a record in the
 * cache — else `undefined` (it would be a round trip). The pipeline uses it to check the checksum
 * after the lookup instead of before (see `verifyToken`).
 */
export function freeLookup(engine: Engine, secret: string, digest: string): Awaitable<StoredKey | null> | undefined {
  if (engine.store.local === true) return lookupDigest(engine, secret, digest);
  const hit = engine.cache.peek(digest);
  return hit === undefined ? undefined : matchCached(engine, hit, secret, digest);
}

function lookupDigest(engine: Engine, secret: string, digest: string): Awaitable<StoredKey | null> {
  // No cache (a memory store): straight to the store, without a closure per request (28aaff8).
  const found =
    engine.cache.entries === null
      ? lookupByHash(engine, secret, digest, 0)
      : engine.cache.through(digest, () => lookupByHash(engine, secret, digest, 0));
  return isPromiseLike(found) ? found.then((record) => matchCached(engine, record, secret, digest)) : matchCached(engine, found, secret, digest);
}

function matchById(engine: Engine, record: StoredKey | null, secret: string): StoredKey | null {
  if (record === null) return null;
  const hasher = engine.hasherByVersion.get(record.hashVersion);
  if (hasher === undefined) return null;
  return timingSafeEqualString(hasher.hash(secret), record.hash) ? record : null;
}

/**
 * A record found under the newest digest (in the cache or the store) may have been stored by an
 * older hasher: check it against the digest of its own version.
 */
export function matchCached(engine: Engine, record: StoredKey | null, secret: string, digest: string): StoredKey | null {
  if (record === null) return null;
  if (record.hashVersion === engine.currentVersion) return record.hash === digest ? record : null;
  const hasher = engine.hasherByVersion.get(record.hashVersion);
  return hasher !== undefined && record.hash === hasher.hash(secret) ? record : null;
}

/**
 * One indexed read per active hasher from `index` on, newest first, until one finds the key. The
 * lookup is an equality test on the digest, so comparing digests again in constant time would add
 * nothing: a timing difference could only tell the caller about the SHA-256 of its own input.
 */
export function lookupByHash(engine: Engine, secret: string, firstDigest: string, index: number): Awaitable<StoredKey | null> {
  const hashers = engine.hashers;
  for (let i = index; i < hashers.length; i++) {
    const hasher = hashers[i]!;
    const digest = i === 0 ? firstDigest : hasher.hash(secret);
    const found = read(engine, engine.store.findByHash(digest));
    if (isPromiseLike(found)) {
      return found.then((record) =>
        record !== null ? matchByHash(record, hasher, digest) : i + 1 < hashers.length ? lookupByHash(engine, secret, firstDigest, i + 1) : null,
      );
    }
    if (found !== null) return matchByHash(found, hasher, digest);
  }
  return null;
}

function matchByHash(record: StoredKey, hasher: Hasher, digest: string): StoredKey | null {
  return record.hashVersion === hasher.version && record.hash === digest ? record : null;
}

import type { StoredKey } from '../store/types.js';

/** Options of the in-process verify cache. */
export interface CacheOptions {
  /**
   * How long a found key is served from memory before the store is read again. Revocations reach
   * other instances through the invalidation bus at once; without a bus, this is the longest a
   * revoked key can still pass on another instance.
   * @default 5000 (ms)
   */
  ttl?: number;
  /** Most keys held. The oldest entry goes first when full. @default 10000 */
  maxEntries?: number;
  /** How long an unknown key is remembered as unknown. @default 2000 (ms) */
  negativeTtl?: number;
  /**
   * Most unknown keys remembered. Kept apart from the found keys, so that a flood of random keys
   * can never push a valid key out. @default 10000
   */
  maxNegativeEntries?: number;
}

interface Entry<V> {
  value: V;
  expires: number;
}

/**
 * A map with a time to live and a size bound; the oldest insertion is evicted first (a `Map`
 * iterates in insertion order). No reordering on read keeps a hit to one `Map.get`.
 */
class BoundedTtlMap<V> {
  private readonly map = new Map<string, Entry<V>>();

  constructor(
    private readonly ttl: number,
    private readonly max: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {}

  get(key: string, now: number): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= now) {
      this.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, now: number): void {
    const previous = this.map.get(key);
    if (previous !== undefined) {
      this.map.delete(key);
      this.onEvict?.(key, previous.value);
    } else if (this.map.size >= this.max) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    this.map.set(key, { value, expires: now + this.ttl });
  }

  delete(key: string): void {
    const entry = this.map.get(key);
    if (entry === undefined) return;
    this.map.delete(key);
    this.onEvict?.(key, entry.value);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * The in-process cache of looked-up keys, keyed by what the lookup used: the key id (`i:<id>`) or
 * the digest (`h:<hex>`). It holds stored records (with their hash, never the plaintext) and
 * "unknown" markers in two separate bounded maps. Expiry and revocation dates are checked by the
 * engine on every request, so a cached record never outlives its own `expiresAt`.
 */
export class VerifyCache {
  private readonly found: BoundedTtlMap<StoredKey>;
  private readonly unknown: BoundedTtlMap<true>;
  /** Key id → cache keys that hold it, to drop them on invalidation. */
  private readonly keysById = new Map<string, Set<string>>();

  constructor(options: CacheOptions = {}) {
    const ttl = options.ttl ?? 5000;
    const negativeTtl = options.negativeTtl ?? 2000;
    const maxEntries = options.maxEntries ?? 10_000;
    const maxNegative = options.maxNegativeEntries ?? 10_000;
    for (const [name, value] of Object.entries({ ttl, negativeTtl, maxEntries, maxNegativeEntries: maxNegative })) {
      if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`cache.${name} must be a finite number ≥ 0`);
    }
    this.found = new BoundedTtlMap(ttl, Math.max(1, maxEntries), (cacheKey, record) => {
      const keys = this.keysById.get(record.id);
      if (keys) {
        keys.delete(cacheKey);
        if (keys.size === 0) this.keysById.delete(record.id);
      }
    });
    this.unknown = new BoundedTtlMap(negativeTtl, Math.max(1, maxNegative));
  }

  /** A record, `null` for a key known to be unknown, `undefined` when the store must be read. */
  get(cacheKey: string, now: number): StoredKey | null | undefined {
    const record = this.found.get(cacheKey, now);
    if (record !== undefined) return record;
    return this.unknown.get(cacheKey, now) ? null : undefined;
  }

  set(cacheKey: string, record: StoredKey | null, now: number): void {
    if (record === null) {
      this.unknown.set(cacheKey, true, now);
      return;
    }
    this.unknown.delete(cacheKey);
    this.found.set(cacheKey, record, now);
    let keys = this.keysById.get(record.id);
    if (!keys) {
      keys = new Set();
      this.keysById.set(record.id, keys);
    }
    keys.add(cacheKey);
  }

  /** Drops every entry of a key id. */
  invalidate(keyId: string): void {
    const keys = this.keysById.get(keyId);
    if (keys) for (const cacheKey of [...keys]) this.found.delete(cacheKey);
    this.keysById.delete(keyId);
    // An id lookup that found nothing is cached under the id itself.
    this.unknown.delete(`i:${keyId}`);
  }

  clear(): void {
    this.found.clear();
    this.unknown.clear();
    this.keysById.clear();
  }

  /** Numbers of found and unknown entries (for tests and metrics). */
  get size(): { found: number; unknown: number } {
    return { found: this.found.size, unknown: this.unknown.size };
  }
}

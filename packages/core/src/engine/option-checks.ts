import type { InvalidationBus } from '../cache/invalidation.js';
import { prefixedFormat } from '../format/prefixed.js';
import type { KeyFormat } from '../format/types.js';
import { type Hasher, sha256Hasher } from '../hash/hasher.js';
import type { KeyStore } from '../store/types.js';
import type { KeywardOptions } from './options.js';

// The checks of createKeyward's options, each with the message that says what to pass.

const KEY_STORE_METHODS = ['insert', 'findById', 'findByHash', 'list', 'update', 'delete', 'rotate'] as const;

export function checkStore(store: KeyStore): KeyStore {
  for (const method of KEY_STORE_METHODS) {
    if (!store || typeof store[method] !== 'function') {
      throw new TypeError(`options.store must implement KeyStore (missing ${method}); try memoryStore() from @keyward/store-memory`);
    }
  }
  return store;
}

/** Named things (formats by name, hashers by version), each name once. */
export function byName<T>(items: readonly T[], nameOf: (item: T) => string, what: string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    const name = nameOf(item);
    if (map.has(name)) throw new RangeError(`two ${what} ${JSON.stringify(name)}`);
    map.set(name, item);
  }
  return map;
}

export function checkFormats(option: KeywardOptions['format']): KeyFormat[] {
  const formats = option === undefined ? [prefixedFormat({ prefix: 'kw' })] : ([] as KeyFormat[]).concat(option);
  if (formats.length === 0) throw new RangeError('options.format must name at least one key format');
  for (const f of formats) {
    if (!f || typeof f.parse !== 'function' || typeof f.generate !== 'function') throw new TypeError('options.format must be KeyFormat objects');
  }
  return formats;
}

export function checkHashers(option: KeywardOptions['hash']): Hasher[] {
  const hashers = option === undefined ? [sha256Hasher()] : ([] as Hasher[]).concat(option);
  if (hashers.length === 0) throw new RangeError('options.hash must name at least one hasher');
  for (const h of hashers) {
    if (!h || typeof h.hash !== 'function' || typeof h.version !== 'string') throw new TypeError('options.hash must be Hasher objects');
  }
  return hashers;
}

export function checkBus(bus: InvalidationBus | undefined): InvalidationBus | null {
  if (bus === undefined) return null;
  if (typeof bus.subscribe !== 'function' || typeof bus.publish !== 'function') {
    throw new TypeError('options.invalidation must implement InvalidationBus (publish, subscribe)');
  }
  return bus;
}

/** The store that implements `methods`: the configured one, else the key store if it does. */
export function storeWith<T>(configured: unknown, store: KeyStore, methods: readonly string[]): T | null {
  const candidate = (configured ?? store) as Record<string, unknown>;
  return methods.every((m) => typeof candidate[m] === 'function') ? (candidate as T) : null;
}

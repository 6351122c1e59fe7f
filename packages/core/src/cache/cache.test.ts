import { describe, expect, it } from 'vitest';
import { memoryStore } from '@keyward/store-memory';
import { createKeyward, type Keyward } from '../engine/keyward.js';
import type { VerifyResult } from '../engine/types.js';
import { prefixedFormat } from '../format/prefixed.js';
import { idSecretFormat } from '../format/id-secret.js';
import type { KeyStore, StoredKey } from '../store/types.js';
import type { InvalidationBus } from './invalidation.js';
import { localInvalidation } from './local-bus.js';
import { VerifyCache } from './verify-cache.js';

const format = prefixedFormat({ prefix: 'kw' });
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const code = (r: VerifyResult) => (r.ok ? 'ok' : r.error.code);
/** The engine's cache entries (an internal, read here to check what it holds). */
const entriesOf = (keyward: Keyward) => (keyward as unknown as { engine: { cache: { entries: VerifyCache | null } } }).engine.cache.entries;

/** A memory store behind promises, like a network store, counting lookups. */
function remoteStore(shared = memoryStore(), delayMs = 0) {
  const reads = { count: 0 };
  const later = <T>(value: T) => (delayMs > 0 ? new Promise<T>((resolve) => setTimeout(() => resolve(value), delayMs)) : Promise.resolve(value));
  const store: KeyStore = {
    insert: (k) => shared.insert(k),
    findById: (id) => {
      reads.count++;
      return later(shared.findById(id));
    },
    findByHash: (h) => {
      reads.count++;
      return later(shared.findByHash(h));
    },
    list: (q) => shared.list(q),
    update: (id, p) => shared.update(id, p),
    delete: (id) => shared.delete(id),
    rotate: (i) => shared.rotate(i),
  };
  return { store, reads, shared };
}

describe('VerifyCache', () => {
  it('expires entries by TTL and evicts the oldest when full', () => {
    const cache = new VerifyCache({ ttl: 100, maxEntries: 2, negativeTtl: 50, maxNegativeEntries: 2 });
    const rec = (id: string) => ({ id }) as StoredKey;
    cache.set('a', rec('1'), 0);
    cache.set('b', rec('2'), 0);
    cache.set('c', rec('3'), 0);
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.get('b', 1)?.id).toBe('2');
    expect(cache.get('b', 100)).toBeUndefined();
    cache.set('x', null, 0);
    expect(cache.get('x', 49)).toBeNull();
    expect(cache.get('x', 50)).toBeUndefined();
    expect(() => new VerifyCache({ ttl: -1 })).toThrow(RangeError);
  });

  it('keeps unknown keys apart: a flood of them never evicts a found key', () => {
    const cache = new VerifyCache({ maxEntries: 10, maxNegativeEntries: 100 });
    cache.set('valid', { id: 'k' } as StoredKey, 0);
    for (let i = 0; i < 10_000; i++) cache.set(`random${i}`, null, 0);
    expect(cache.get('valid', 1)?.id).toBe('k');
    expect(cache.size).toEqual({ found: 1, unknown: 100 });
  });

  it('drops every entry of a key id on invalidation', () => {
    const cache = new VerifyCache();
    cache.set('h1', { id: 'k' } as StoredKey, 0);
    cache.set('i:k', { id: 'k' } as StoredKey, 0);
    cache.invalidate('k');
    expect(cache.get('h1', 1)).toBeUndefined();
    expect(cache.get('i:k', 1)).toBeUndefined();
  });
});

describe('the engine cache', () => {
  it('serves repeated verifies from memory and shares concurrent misses', async () => {
    const { store, reads } = remoteStore(memoryStore(), 5);
    const keyward = createKeyward({ store, format });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    const results = await Promise.all(Array.from({ length: 20 }, () => keyward.verify(bearer(key))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(reads.count).toBe(1);
    expect(code(await keyward.verify(bearer(key)))).toBe('ok');
    expect(reads.count).toBe(1);
  });

  it('remembers unknown keys for a short time, and never a plaintext key', async () => {
    let clock = 0;
    const { store, reads } = remoteStore();
    const keyward = createKeyward({ store, format, now: () => clock, cache: { negativeTtl: 1000 } });
    const unknown = format.generate().key;
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    for (let i = 0; i < 5; i++) expect(code(await keyward.verify(bearer(unknown)))).toBe('invalid_key');
    expect(reads.count).toBe(1);
    clock += 1000;
    await keyward.verify(bearer(unknown));
    expect(reads.count).toBe(2);
    await keyward.verify(bearer(key));
    const internals = JSON.stringify(entriesOf(keyward), (_k, v) => (v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v] : v));
    expect(internals.length).toBeGreaterThan(100);
    expect(internals).not.toContain(key);
    expect(internals).not.toContain(unknown);
  });

  it('survives a flood of unknown keys: each reaches the store once at most, and no valid entry is evicted', async () => {
    const { store, reads } = remoteStore();
    const keyward = createKeyward({ store, format, cache: { ttl: 60_000, maxEntries: 100, maxNegativeEntries: 1000 } });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    expect(code(await keyward.verify(bearer(key)))).toBe('ok');
    expect(reads.count).toBe(1);
    // Well-formed keys (valid checksums) that no store holds, each sent twice.
    const flood = Array.from({ length: 1000 }, () => format.generate().key);
    for (let round = 0; round < 2; round++) for (const k of flood) expect(code(await keyward.verify(bearer(k)))).toBe('invalid_key');
    expect(reads.count).toBe(1 + flood.length);
    // Keys with a broken checksum never reach the store at all.
    for (const k of flood.slice(0, 200)) await keyward.verify(bearer(`${k.slice(0, -1)}${k.endsWith('A') ? 'B' : 'A'}`));
    expect(reads.count).toBe(1 + flood.length);
    // Twenty times more unknown keys than the negative cache holds: the valid key stays cached.
    for (let i = 0; i < 20_000; i++) await keyward.verify(bearer(format.generate().key));
    const before = reads.count;
    expect(code(await keyward.verify(bearer(key)))).toBe('ok');
    expect(reads.count).toBe(before);
    const cache = entriesOf(keyward);
    expect(cache?.size).toEqual({ found: 1, unknown: 1000 });
  });

  it('never holds the plaintext of an id.secret key either', async () => {
    const { store } = remoteStore();
    const tiro = idSecretFormat();
    const keyward = createKeyward({ store, format: tiro, cache: { ttl: 60_000 } });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    const unknown = tiro.generate().key;
    expect(code(await keyward.verify(bearer(key)))).toBe('ok');
    expect(code(await keyward.verify(bearer(unknown)))).toBe('invalid_key');
    const internals = JSON.stringify(entriesOf(keyward), (_k, v) => (v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v] : v));
    expect(internals.length).toBeGreaterThan(100);
    const secretOf = (k: string) => k.slice(k.indexOf('.') + 1);
    for (const text of [key, secretOf(key), unknown, secretOf(unknown)]) expect(internals).not.toContain(text);
  });

  it('checks expiry on every request, even from the cache', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const { store } = remoteStore();
    const keyward = createKeyward({ store, format, now: () => clock, cache: { ttl: 60_000 } });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k', expiresIn: '1s' });
    expect(code(await keyward.verify(bearer(key)))).toBe('ok');
    clock += 1000;
    expect(code(await keyward.verify(bearer(key)))).toBe('expired_key');
  });

  it('drops the entry at once when this engine revokes, rotates, renames or deletes', async () => {
    const { store } = remoteStore();
    const keyward = createKeyward({ store, format: idSecretFormat(), cache: { ttl: 60_000 } });
    const a = await keyward.create({ workspaceId: 'ws', name: 'a' });
    expect(code(await keyward.verify(bearer(a.key)))).toBe('ok');
    await keyward.revoke(a.record.id);
    expect(code(await keyward.verify(bearer(a.key)))).toBe('invalid_key');
    const b = await keyward.create({ workspaceId: 'ws', name: 'b' });
    expect(code(await keyward.verify(bearer(b.key)))).toBe('ok');
    await keyward.rename(b.record.id, 'b2');
    const renamed = await keyward.verify(bearer(b.key));
    expect(renamed.ok && renamed.key.name).toBe('b2');
    await keyward.rotate(b.record.id);
    expect(code(await keyward.verify(bearer(b.key)))).toBe('invalid_key');
  });

  it('drops entries on other engines through the invalidation bus', async () => {
    const shared = memoryStore();
    const bus = localInvalidation();
    const a = createKeyward({ store: remoteStore(shared).store, format, invalidation: bus, cache: { ttl: 60_000 } });
    const b = createKeyward({ store: remoteStore(shared).store, format, invalidation: bus, cache: { ttl: 60_000 } });
    await Promise.all([a.ready(), b.ready()]);
    const { key, record } = await a.create({ workspaceId: 'ws', name: 'k' });
    expect(code(await b.verify(bearer(key)))).toBe('ok');
    await a.revoke(record.id);
    expect(code(await b.verify(bearer(key)))).toBe('invalid_key');
    await Promise.all([a.close(), b.close()]);
    expect(bus.subscribers).toBe(0);
  });

  it('without a bus, another engine serves a revoked key until its cache entry expires', async () => {
    let clock = 0;
    const shared = memoryStore();
    const a = createKeyward({ store: remoteStore(shared).store, format, now: () => clock, cache: { ttl: 5000 } });
    const b = createKeyward({ store: remoteStore(shared).store, format, now: () => clock, cache: { ttl: 5000 } });
    const { key, record } = await a.create({ workspaceId: 'ws', name: 'k' });
    expect(code(await b.verify(bearer(key)))).toBe('ok');
    await a.revoke(record.id);
    expect(code(await b.verify(bearer(key)))).toBe('ok');
    clock += 5000;
    expect(code(await b.verify(bearer(key)))).toBe('invalid_key');
  });

  it('does not cache a read that raced with an invalidation', async () => {
    const shared = memoryStore();
    const { store, reads } = remoteStore(shared, 30);
    const keyward = createKeyward({ store, format, cache: { ttl: 60_000 } });
    const { key, record } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    const pending = keyward.verify(bearer(key));
    await new Promise((r) => setTimeout(r, 5));
    await keyward.revoke(record.id);
    expect(code(await pending)).toBe('ok'); // read before the revocation
    const before = reads.count;
    expect(code(await keyward.verify(bearer(key)))).toBe('invalid_key');
    expect(reads.count).toBe(before + 1); // the racing read was not kept
    expect(code(await keyward.verify(bearer(key)))).toBe('invalid_key');
    expect(reads.count).toBe(before + 1); // the fresh one was
  });

  it('stops trusting the cache when the bus reports an error, and waits for the bus before caching', async () => {
    let fail: () => void = () => {};
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const bus: InvalidationBus = {
      publish: async () => {},
      subscribe: async (_listener, onError) => {
        await gate;
        fail = () => onError?.(new Error('connection lost'));
        return async () => {};
      },
    };
    let clock = 0;
    const { store, reads } = remoteStore();
    const keyward = createKeyward({ store, format, invalidation: bus, now: () => clock, cache: { ttl: 1000 } });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    await keyward.verify(bearer(key));
    await keyward.verify(bearer(key));
    expect(reads.count).toBe(2); // not subscribed yet: no cache
    release();
    await keyward.ready();
    await keyward.verify(bearer(key));
    await keyward.verify(bearer(key));
    expect(reads.count).toBe(3);
    fail();
    await keyward.verify(bearer(key));
    expect(reads.count).toBe(4);
    clock += 1000;
    await keyward.verify(bearer(key));
    await keyward.verify(bearer(key));
    expect(reads.count).toBe(5);
  });

  it('is off in front of the memory store unless asked for', async () => {
    const keyward = createKeyward({ store: memoryStore(), format });
    expect(entriesOf(keyward)).toBeNull();
    expect(entriesOf(createKeyward({ store: memoryStore(), format, cache: {} }))).not.toBeNull();
    expect(entriesOf(createKeyward({ store: remoteStore().store, format, cache: false }))).toBeNull();
  });
});

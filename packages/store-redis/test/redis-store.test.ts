import { createKeyward, isKeywardError } from '@keyward/core';
import { describeKeyStore, sampleStoredKey } from '@keyward/core/testing';
import { redisStore, type RedisStore } from '@keyward/store-redis';
import { afterAll, describe, expect, it } from 'vitest';
import { dumpRaw, newRedis, redisUrl, setField, uniquePrefix } from './helpers.js';

const redis = newRedis();
afterAll(() => redis.quit());

describeKeyStore<RedisStore>({
  name: 'redis (standalone)',
  createStore: () => redisStore({ redis, prefix: uniquePrefix('std') }),
  dumpRaw,
});

describeKeyStore<RedisStore>({
  name: 'redis (standalone, two round trips as on a Cluster)',
  createStore: () => redisStore({ redis, prefix: uniquePrefix('std2'), singleRoundTrip: false }),
  dumpRaw,
});

describe('redisStore specifics', () => {
  it('refuses a prefix with a hash tag and a missing client', () => {
    expect(() => redisStore({ redis, prefix: '{app}:' })).toThrow(RangeError);
    expect(() => redisStore({ redis: {} as never })).toThrow(TypeError);
  });

  it('keeps the keys of a workspace on one hash tag, and the pointers on their own', async () => {
    const store = redisStore({ redis, prefix: uniquePrefix('layout') });
    const key = sampleStoredKey({ workspaceId: 'ws:odd{name}' });
    await store.insert(key);
    const keys = (await redis.keys(`${store.prefix}*`)).map((k) => k.slice(store.prefix.length)).sort();
    // On a standalone server, each pointer has its snapshot (`…s`) next to it: a lookup is one GET.
    // The key expires: it is in its group's expiry index (`…x`), and the group in the list of groups.
    expect(keys).toEqual(
      [
        '{expiring}groups',
        `{ws:ws%3Aodd%7Bname%7D}x`,
        `{hash:${key.hash}}`,
        `{hash:${key.hash}}s`,
        `{id:${key.id}}`,
        `{id:${key.id}}s`,
        `{own:user_1}idx`,
        `{ws:ws%3Aodd%7Bname%7D}idx`,
        `{ws:ws%3Aodd%7Bname%7D}k:${key.id}`,
      ].sort(),
    );
    expect(await redis.ttl(`${store.prefix}{ws:ws%3Aodd%7Bname%7D}k:${key.id}`)).toBe(-1);
    expect(await store.findById(key.id)).toEqual(key);
    expect((await store.list({ workspaceId: 'ws:odd{name}' })).items.map((k) => k.id)).toEqual([key.id]);
  });

  it('lists by owner across workspaces, and lists nothing for an unknown workspace', async () => {
    const store = redisStore({ redis, prefix: uniquePrefix('owner') });
    const owner = 'owner_x';
    const a = sampleStoredKey({ ownerId: owner, workspaceId: 'ws_a', createdAt: new Date(1000) });
    const b = sampleStoredKey({ ownerId: owner, workspaceId: null, legacy: true, createdAt: new Date(2000) });
    const c = sampleStoredKey({ ownerId: owner, workspaceId: 'ws_c', createdAt: new Date(3000), revokedAt: new Date(4000) });
    for (const key of [c, b, a]) await store.insert(key);
    expect((await store.list({ ownerId: owner })).items.map((k) => k.id)).toEqual([a.id, b.id, c.id]);
    expect((await store.list({ ownerId: owner, includeRevoked: false })).items.map((k) => k.id)).toEqual([a.id, b.id]);
    const first = await store.list({ ownerId: owner, limit: 1 });
    expect(first.items.map((k) => k.id)).toEqual([a.id]);
    expect((await store.list({ ownerId: owner, limit: 2, cursor: first.nextCursor! })).items.map((k) => k.id)).toEqual([b.id, c.id]);
    expect((await store.list({ workspaceId: 'ws_a', ownerId: 'someone_else' })).items).toEqual([]);
    expect((await store.list({ workspaceId: 'ws_unknown' })).items).toEqual([]);
    await store.delete(a.id);
    expect((await store.list({ ownerId: owner })).items.map((k) => k.id)).toEqual([b.id, c.id]);
  });

  it('refuses a malformed cursor', async () => {
    const store = redisStore({ redis, prefix: uniquePrefix('cursor') });
    await expect(store.list({ workspaceId: 'w', cursor: 'nope' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('never lets a pointer left by a crash make a key verify, and takes it over after its lease', async () => {
    const store = redisStore({ redis, prefix: uniquePrefix('crash') });
    const key = sampleStoredKey();
    // A crash after the pointers were written, before the record: the pointers lead nowhere.
    const value = `${Date.now() - 120_000}:dead:{ws:ws_conformance}k:${key.id}`;
    await redis.set(`${store.prefix}{hash:${key.hash}}`, value);
    await redis.set(`${store.prefix}{id:${key.id}}`, value);
    expect(await store.findByHash(key.hash)).toBeNull();
    expect(await store.findById(key.id)).toBeNull();
    await store.insert(key);
    expect(await store.findByHash(key.hash)).toEqual(key);
    // A fresh pointer (an insert in flight) blocks its hash.
    const other = sampleStoredKey();
    await redis.set(`${store.prefix}{hash:${other.hash}}`, `${Date.now()}:live:{ws:elsewhere}k:key_other`);
    await expect(store.insert(other)).rejects.toMatchObject({ code: 'conflict' });
    expect(await store.findById(other.id)).toBeNull();
  });

  it('does not return a record whose hash moved away from a stale pointer', async () => {
    const store = redisStore({ redis, prefix: uniquePrefix('stale') });
    const key = sampleStoredKey();
    await store.insert(key);
    const pointer = await redis.get(`${store.prefix}{hash:${key.hash}}`);
    await store.update(key.id, { hash: 'e'.repeat(64), updatedAt: new Date() });
    await redis.set(`${store.prefix}{hash:${key.hash}}`, pointer!); // as if the clean-up had crashed
    expect(await store.findByHash(key.hash)).toBeNull();
    expect((await store.findByHash('e'.repeat(64)))?.id).toBe(key.id);
  });

  it('refuses to move a hash onto another key', async () => {
    const store = redisStore({ redis, prefix: uniquePrefix('hashmove') });
    const a = sampleStoredKey();
    const b = sampleStoredKey();
    await store.insert(a);
    await store.insert(b);
    await expect(store.update(b.id, { hash: a.hash, updatedAt: new Date() })).rejects.toMatchObject({ code: 'conflict' });
    expect((await store.findByHash(a.hash))?.id).toBe(a.id);
    expect((await store.findByHash(b.hash))?.id).toBe(b.id);
  });

  it('survives concurrent hash upgrades of one key', async () => {
    const store = redisStore({ redis, prefix: uniquePrefix('upgrade') });
    const key = sampleStoredKey();
    await store.insert(key);
    const next = 'd'.repeat(64);
    await Promise.allSettled(Array.from({ length: 6 }, () => store.update(key.id, { hash: next, hashVersion: 'v2', updatedAt: new Date() })));
    expect((await store.findByHash(next))?.id).toBe(key.id);
    expect(await store.findByHash(key.hash)).toBeNull();
    await store.delete(key.id);
    expect(await store.findByHash(next)).toBeNull();
  });

  it('rotate: not_found, then conflict once rotated', async () => {
    const store = redisStore({ redis, prefix: uniquePrefix('rotate') });
    const now = new Date();
    const successor = sampleStoredKey();
    await expect(store.rotate({ oldId: 'key_missing', successor, revokeOld: true, now })).rejects.toMatchObject({ code: 'not_found' });
    const old = sampleStoredKey();
    await store.insert(old);
    const retired = await store.rotate({ oldId: old.id, successor, revokeOld: false, oldExpiresAt: null, now });
    expect(retired).toMatchObject({ rotatedToId: successor.id, expiresAt: null, revokedAt: null });
    const again = sampleStoredKey();
    await expect(store.rotate({ oldId: old.id, successor: again, revokeOld: true, now })).rejects.toMatchObject({ code: 'conflict' });
    // The refused successor left nothing behind.
    expect(await store.findById(again.id)).toBeNull();
    expect(await redis.exists(`${store.prefix}{id:${again.id}}`, `${store.prefix}{hash:${again.hash}}`)).toBe(0);
    await expect(
      store.rotate({ oldId: successor.id, successor: sampleStoredKey({ workspaceId: 'other' }), revokeOld: true, now }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('answers 503, not 401, for a malformed record', async () => {
    const store = redisStore({ redis, prefix: uniquePrefix('bad') });
    const keyward = createKeyward({ store, cache: false, format: undefined });
    const { key, record } = await keyward.create({ workspaceId: 'ws_bad', name: 'bad' });
    await setField(redis, `${store.prefix}{ws:ws_bad}k:${record.id}`, 'scopes', 'not json');
    const result = await keyward.verify({ authorization: `Bearer ${key}` });
    expect(result.ok ? 'ok' : result.error.code).toBe('store_unavailable');
    expect(isKeywardError(result.ok ? null : result.error)).toBe(true);
  });

  it('answers 503 for a snapshot that does not unpack, and never a pass', async () => {
    const store = redisStore({ redis, prefix: uniquePrefix('snap') });
    const keyward = createKeyward({ store, cache: false });
    const { key, record } = await keyward.create({ workspaceId: 'ws_snap', name: 'snap' });
    const hash = (await store.findById(record.id))!.hash;
    const snapshot = `${store.prefix}{hash:${hash}}s`;
    const good = await redis.getBuffer(snapshot);
    expect(good).not.toBeNull();
    for (const bad of [good!.subarray(0, good!.length - 3), Buffer.concat([good!, Buffer.from('9')]), Buffer.from('x'), Buffer.from('4:name')]) {
      await redis.set(snapshot, bad);
      const result = await keyward.verify({ authorization: `Bearer ${key}` });
      expect(result.ok ? 'ok' : `${result.error.code} ${result.error.status}`).toBe('store_unavailable 503');
    }
    await redis.set(snapshot, good!);
    expect((await keyward.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
  });

  it('keeps snapshots exactly in step with records: every write, by id and by hash, non-ASCII included', async () => {
    const store = redisStore({ redis, prefix: uniquePrefix('step') });
    const key = sampleStoredKey({ workspaceId: 'ws_ü', name: 'Zoë’s key 🔑', metadata: { note: 'naïve — ok', n: 1234567890123456 } });
    await store.insert(key);
    const both = async (id: string, hash: string) => [await store.findById(id), await store.findByHash(hash)];
    expect(await both(key.id, key.hash)).toEqual([key, key]);
    const renamed = await store.update(key.id, { name: 'ключ', updatedAt: new Date(5000) });
    expect(await both(key.id, key.hash)).toEqual([renamed, renamed]);
    // A new hash (an upgrade on use): the old one finds nothing at once, the new one finds the key.
    const newHash = 'f'.repeat(64);
    const rehashed = await store.update(key.id, { hash: newHash, hashVersion: 'hmac-sha256:v1', updatedAt: new Date(6000) });
    expect([await store.findByHash(key.hash), await store.findByHash(newHash), await store.findById(key.id)]).toEqual([null, rehashed, rehashed]);
    const revoked = await store.update(key.id, { revokedAt: new Date(7000), updatedAt: new Date(7000) });
    expect((await store.findByHash(newHash))?.revokedAt).toEqual(new Date(7000));
    expect(await store.findById(key.id)).toEqual(revoked);
    await store.delete(key.id);
    expect(await both(key.id, newHash)).toEqual([null, null]);
    expect(await redis.keys(`${store.prefix}*}s`)).toEqual([]);
  });

  it('close() leaves a client it did not open alone, and quits one it opened', async () => {
    const borrowed = redisStore({ redis, prefix: uniquePrefix('close') });
    await borrowed.close();
    expect(await redis.ping()).toBe('PONG');
    const own = redisStore({ redis: { url: redisUrl() }, prefix: uniquePrefix('own') });
    expect(await own.findById('nothing')).toBeNull();
    await own.close();
    expect(own.redis.status).toBe('end');
  });
});

// The promises of issue 3 for Redis, each checked on real servers: the shared guarantees
// (concurrent rotations from two clients retire a key once, a rotation with a grace period never
// leaves a moment without a valid key, a bad record is a 503), standalone and Cluster, and every
// key that is not permanent data has a TTL.
import { createKeyward, idSecretFormat, prefixedFormat, type Keyward } from '@keyward/core';
import { describeStoreGuarantees, sampleStoredKey, type StoreCorruption } from '@keyward/core/testing';
import { redisStore, type RedisStore } from '@keyward/store-redis';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { newCluster, newRedis, setField, uniquePrefix } from './helpers.js';

const formats = [prefixedFormat({ prefix: 'kw' }), idSecretFormat()];
const clients: (Redis | Cluster)[] = [];
function client(kind: 'standalone' | 'cluster'): Redis | Cluster {
  const c = kind === 'cluster' ? newCluster() : newRedis();
  clients.push(c);
  return c;
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
});

/** Two instances of one app: two clients (two connections), one prefix, no engine cache. */
function twoInstances(kind: 'standalone' | 'cluster'): { a: Keyward; b: Keyward; prefix: string; redis: Redis | Cluster } {
  const prefix = uniquePrefix(`guar-${kind}`);
  const redis = client(kind);
  const a = createKeyward({ store: redisStore({ redis, prefix }), format: formats, cache: false });
  const b = createKeyward({ store: redisStore({ redis: client(kind), prefix }), format: formats, cache: false });
  return { a, b, prefix, redis };
}

/** Every Redis key under `prefix`, read with SCAN on every master. */
async function keysOf(redis: Redis | Cluster, prefix: string): Promise<{ node: Redis; key: string }[]> {
  const nodes = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
  const out: { node: Redis; key: string }[] = [];
  for (const node of nodes) {
    let cursor = '0';
    let rounds = 0;
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) out.push({ node, key });
    } while (cursor !== '0' && ++rounds < 10_000);
  }
  return out;
}

/** The record of a key, as the store lays it out. */
const recordKey = (store: RedisStore, key: { id: string; workspaceId: string | null }) => `${store.prefix}{ws:${key.workspaceId}}k:${key.id}`;

/** Sets one field of the record by hand; repairs it to what it was. */
function fieldSetTo(field: string, value: string | null): StoreCorruption<RedisStore> {
  return {
    name: value === null ? `no ${field} field` : `${field} = ${JSON.stringify(value)}`,
    corrupt: async (store, key) => {
      const saved = await store.redis.hget(recordKey(store, key), field);
      await setField(store.redis, recordKey(store, key), field, value);
      return () => setField(store.redis, recordKey(store, key), field, saved);
    },
  };
}

for (const kind of ['standalone', 'cluster'] as const) {
  describeStoreGuarantees<RedisStore>({
    name: `Redis (${kind}), two clients`,
    createStores: async () => {
      const prefix = uniquePrefix(`guar-${kind}`);
      return { a: redisStore({ redis: client(kind), prefix }), b: redisStore({ redis: client(kind), prefix }) };
    },
    corruptions: [fieldSetTo('scopes', 'not json'), fieldSetTo('metadata', '[1]'), fieldSetTo('createdAt', 'yesterday'), fieldSetTo('hash', null)],
  });

  describe(`Redis keys (${kind})`, () => {
    it('writes only permanent records, indexes and pointers; anything else carries a TTL', async () => {
      const { a, b, prefix, redis } = twoInstances(kind);
      // A whole lifecycle, through both instances.
      const opaque = await a.create({ workspaceId: 'ws_ttl', name: 'opaque', expiresIn: '1h' });
      const tiro = await a.create({ workspaceId: 'ws_ttl', name: 'tiro', format: 'id-secret' });
      const legacy = { record: sampleStoredKey({ workspaceId: null, ownerId: 'owner_ttl', legacy: true }) };
      await a.store.insert(legacy.record);
      for (const created of [opaque, tiro]) expect((await b.verify({ authorization: `Bearer ${created.key}` })).ok).toBe(true);
      await b.verify({ authorization: `Bearer ${prefixedFormat({ prefix: 'kw' }).generate().key}` });
      await a.rename(opaque.record.id, 'renamed');
      const rotated = await a.rotate(opaque.record.id, { gracePeriod: '1h' });
      await b.rotate(tiro.record.id);
      await a.revoke(rotated.record.id);
      await b.delete(legacy.record.id);
      await a.list({ workspaceId: 'ws_ttl' });
      await a.list({ ownerId: 'owner_ttl' });

      const keys = await keysOf(redis, prefix);
      expect(keys.length).toBeGreaterThan(5);
      const permanent =
        /^(?:\{(?:ws|own):[^{}]+\}(?:k:[^{}]+|idx|x)|\{none\}(?:k:[^{}]+|idx|x)|\{id:[^{}]+\}s?|\{hash:[^{}]+\}s?|\{expiring\}groups)$/;
      const temporary: string[] = [];
      for (const { node, key } of keys) {
        const name = key.slice(prefix.length);
        const ttl = await node.pttl(key);
        if (permanent.test(name)) {
          // Data of a primary store: never expires.
          expect({ name, ttl }).toEqual({ name, ttl: -1 });
        } else {
          temporary.push(name);
          expect({ name, ttl: ttl > 0 }).toEqual({ name, ttl: true });
        }
      }
      // The key store itself writes no temporary key at all.
      expect(temporary).toEqual([]);
    });
  });
}

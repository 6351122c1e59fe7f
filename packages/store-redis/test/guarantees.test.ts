// The promises of issue 3 for Redis, each checked on real servers: concurrent rotations from two
// clients retire a key once (standalone and Cluster), a rotation with a grace period never leaves a
// moment without a valid key, a bad record is a 503, and every key that is not permanent data has a
// TTL.
import { createKeyward, idSecretFormat, prefixedFormat, type Keyward } from '@keyward/core';
import { sampleStoredKey } from '@keyward/core/testing';
import { redisStore } from '@keyward/store-redis';
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

for (const kind of ['standalone', 'cluster'] as const) {
  describe(`Redis rotation (${kind})`, () => {
    it('retires a key once when two instances rotate it at the same time', async () => {
      const { a, b } = twoInstances(kind);
      for (let round = 0; round < 3; round++) {
        const workspaceId = `ws_race_${round}`;
        const old = await a.create({ workspaceId, name: 'raced' });
        const results = await Promise.allSettled(
          Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).rotate(old.record.id, { gracePeriod: '1h' })),
        );
        const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        expect(won).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toBe('conflict');
        const listed = await b.list({ workspaceId });
        expect(listed.items.map((k) => k.id).sort()).toEqual([old.record.id, won[0]!.record.id].sort());
        expect((await b.get(old.record.id))?.rotatedToId).toBe(won[0]!.record.id);
      }
    });

    it('with a grace period, never leaves a moment without a valid key', async () => {
      const { a, b } = twoInstances(kind);
      for (let round = 0; round < 5; round++) {
        const old = await a.create({ workspaceId: 'ws_grace', name: `graceful ${round}`, ...(round % 2 ? { format: 'id-secret' } : {}) });
        let running = true;
        let checks = 0;
        const failures: string[] = [];
        const watcher = (async () => {
          while (running && checks < 100_000) {
            const result = await b.verify({ authorization: `Bearer ${old.key}` });
            checks++;
            if (!result.ok) failures.push(result.error.code);
          }
        })();
        await new Promise((resolve) => setTimeout(resolve, 20));
        const rotated = await a.rotate(old.record.id, { gracePeriod: '1h' });
        const successor = await b.verify({ authorization: `Bearer ${rotated.key}` });
        await new Promise((resolve) => setTimeout(resolve, 20));
        running = false;
        await watcher;
        expect(successor.ok).toBe(true);
        expect(failures).toEqual([]);
        expect(checks).toBeGreaterThan(5);
      }
    });
  });

  describe(`Redis keys and failures (${kind})`, () => {
    it('answers 503 (never a pass, never 401) for a malformed record, by hash and by id, and does not cache it', async () => {
      const { a, prefix, redis } = twoInstances(kind);
      for (const format of ['kw', 'id-secret']) {
        const { key, record } = await a.create({ workspaceId: 'ws_bad', name: 'bad', format });
        const recordKey = `${prefix}{ws:ws_bad}k:${record.id}`;
        const corruptions: [field: string, value: string][] = [
          ['scopes', 'not json'],
          ['metadata', '[1]'],
          ['createdAt', 'yesterday'],
        ];
        for (const [field, value] of corruptions) {
          // A fresh engine with a cache: the bad record must not be cached (as anything).
          const cached = createKeyward({ store: redisStore({ redis, prefix }), format: formats, cache: { ttl: 60_000 } });
          const saved = await redis.hget(recordKey, field);
          await setField(redis, recordKey, field, value);
          for (const engine of [a, cached]) {
            const result = await engine.verify({ authorization: `Bearer ${key}` });
            expect({
              format,
              field,
              engine: engine === a ? 'no cache' : 'cache',
              result: result.ok ? 'ok' : `${result.error.code} ${result.error.status}`,
            }).toEqual({ format, field, engine: engine === a ? 'no cache' : 'cache', result: 'store_unavailable 503' });
          }
          await setField(redis, recordKey, field, saved!);
          expect((await cached.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
        }
        await setField(redis, recordKey, 'hash', null);
        const missing = await a.verify({ authorization: `Bearer ${key}` });
        expect(missing.ok ? 'ok' : `${missing.error.code} ${missing.error.status}`).toBe('store_unavailable 503');
      }
    });

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

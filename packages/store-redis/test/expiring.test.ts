import { sampleStoredKey } from '@keyward/core/testing';
import { redisStore } from '@keyward/store-redis';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { newCluster, newRedis, uniquePrefix } from './helpers.js';

const DAY = 86_400_000;
const base = Date.UTC(2028, 5, 1);
const window = { after: new Date(base), before: new Date(base + 30 * DAY), limit: 100 };

const clients: { kind: string; client: Redis | Cluster }[] = [
  { kind: 'standalone', client: newRedis() },
  { kind: 'cluster', client: newCluster() },
];
afterAll(async () => {
  for (const { client } of clients) await client.quit();
});

/** Every key of the prefix, on every master. */
async function keysOf(client: Redis | Cluster, prefix: string): Promise<string[]> {
  const nodes = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  return (await Promise.all(nodes.map((n) => n.keys(`${prefix}*`)))).flat();
}

for (const { kind, client } of clients) {
  describe(`the expiry index on Redis (${kind})`, () => {
    it('is written with the record, on the record’s slot, and is nothing but ids and expiry times', async () => {
      const store = redisStore({ redis: client, prefix: uniquePrefix('expidx') });
      const a = sampleStoredKey({ workspaceId: 'ws_a', expiresAt: new Date(base + 2 * DAY) });
      const b = sampleStoredKey({ workspaceId: 'ws_a', expiresAt: null });
      for (const k of [a, b]) await store.insert(k);
      const index = `${store.prefix}{ws:ws_a}x`;
      expect(await client.zrange(index, 0, -1, 'WITHSCORES')).toEqual([a.id, String(a.expiresAt!.getTime())]);
      expect(await client.smembers(`${store.prefix}{expiring}groups`)).toEqual(['{ws:ws_a}']);
      await store.update(b.id, { expiresAt: new Date(base + DAY), updatedAt: new Date() });
      expect(await client.zrange(index, 0, -1)).toEqual([b.id, a.id]);
      await store.update(a.id, { revokedAt: new Date(), updatedAt: new Date() });
      await store.delete(b.id);
      expect(await client.exists(index)).toBe(0);
    });

    it('rebuildExpiryIndex puts records written before the index existed into it', async () => {
      const store = redisStore({ redis: client, prefix: uniquePrefix('rebuild') });
      const keys = [
        sampleStoredKey({ workspaceId: 'ws_r1', expiresAt: new Date(base + 3 * DAY) }),
        sampleStoredKey({ workspaceId: 'ws_r2', expiresAt: new Date(base + DAY) }),
        sampleStoredKey({ workspaceId: null, ownerId: 'owner_r', legacy: true, expiresAt: new Date(base + 2 * DAY) }),
        sampleStoredKey({ workspaceId: 'ws_r1', expiresAt: null }),
      ];
      for (const k of keys) await store.insert(k);
      // What a store written by an older version holds: no expiry indexes, no list of groups.
      for (const key of await keysOf(client, store.prefix)) if (key.endsWith('}x') || key.endsWith('{expiring}groups')) await client.del(key);
      expect((await store.listExpiring(window)).items).toEqual([]);
      expect(await store.rebuildExpiryIndex()).toBe(4);
      expect((await store.listExpiring(window)).items.map((k) => k.id)).toEqual([keys[1]!.id, keys[2]!.id, keys[0]!.id]);
      expect((await store.listExpiring({ ...window, workspaceId: 'ws_r1' })).items.map((k) => k.id)).toEqual([keys[0]!.id]);
      // Idempotent.
      expect(await store.rebuildExpiryIndex()).toBe(4);
      expect((await store.listExpiring(window)).items).toHaveLength(3);
    });

    it('pages across groups in one order, keys of equal expiry by id', async () => {
      const store = redisStore({ redis: client, prefix: uniquePrefix('exppage') });
      const same = new Date(base + 5 * DAY);
      const keys = Array.from({ length: 12 }, (_, i) =>
        sampleStoredKey({
          id: `key_pg_${String(i).padStart(2, '0')}`,
          workspaceId: `ws_pg_${i % 4}`,
          expiresAt: i % 3 === 0 ? same : new Date(base + (i + 1) * DAY),
        }),
      );
      for (const k of [...keys].reverse()) await store.insert(k);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await store.listExpiring({ ...window, limit: 5, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((k) => k.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      const expected = [...keys].sort((x, y) => x.expiresAt!.getTime() - y.expiresAt!.getTime() || (x.id < y.id ? -1 : 1)).map((k) => k.id);
      expect(seen).toEqual(expected);
    });
  });
}

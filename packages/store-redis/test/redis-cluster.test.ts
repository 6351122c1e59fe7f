import { describeKeyStore, sampleStoredKey } from '@keyward/core/testing';
import { redisStore, type RedisStore } from '@keyward/store-redis';
import { afterAll, describe, expect, it } from 'vitest';
import { dumpRaw, newCluster, uniquePrefix } from './helpers.js';

const cluster = newCluster();
afterAll(() => cluster.quit());

describeKeyStore<RedisStore>({
  name: 'redis (3-master cluster)',
  createStore: () => redisStore({ redis: cluster, prefix: uniquePrefix('cluster') }),
  dumpRaw,
});

describe('redisStore on a Cluster', () => {
  it('spreads workspaces and pointers over several slots and still lists by owner', async () => {
    const store = redisStore({ redis: cluster, prefix: uniquePrefix('spread') });
    const owner = 'owner_spread';
    const keys = Array.from({ length: 12 }, (_, i) =>
      sampleStoredKey({ workspaceId: i % 3 === 0 ? null : `ws_${i}`, ownerId: owner, legacy: i % 3 === 0, createdAt: new Date(1_000 + i) }),
    );
    for (const key of keys) await store.insert(key);
    const slots = new Set<number>();
    for (const node of cluster.nodes('master')) {
      const found = await node.keys(`${store.prefix}*`);
      for (const key of found) slots.add((await node.cluster('KEYSLOT', key)) as number);
    }
    expect(slots.size).toBeGreaterThan(10);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ ownerId: owner, limit: 5, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((k) => k.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(keys.map((k) => k.id));
    for (const key of keys) expect(await store.findByHash(key.hash)).toEqual(key);
  });
});

import { createKeyward } from '@keyward/core';
import type { InvalidationMessage } from '@keyward/core/store';
import { redisInvalidation, redisStore } from '@keyward/store-redis';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedis } from '@keyward/test-services';
import { newCluster, newRedis, uniquePrefix, waitUntil } from './helpers.js';

const a = newRedis();
const b = newRedis();
afterAll(async () => {
  await Promise.all([a.quit(), b.quit()]);
});

describe('redisInvalidation', () => {
  it('delivers { keyId } to another connection within a second, and nothing after unsubscribing', async () => {
    const channel = uniquePrefix('chan');
    const sender = redisInvalidation({ redis: a, channel });
    const receiver = redisInvalidation({ redis: b, channel });
    const got: InvalidationMessage[] = [];
    const stop = await receiver.subscribe((m) => got.push(m));
    const started = Date.now();
    await sender.publish({ keyId: 'key_1' });
    await waitUntil('the message', 1000, () => got.length === 1);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(got).toEqual([{ keyId: 'key_1' }]);
    // Other payloads on the channel are ignored.
    await a.publish(channel, 'not json');
    await a.publish(channel, JSON.stringify({ other: 1 }));
    await stop();
    await sender.publish({ keyId: 'key_2' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(got).toEqual([{ keyId: 'key_1' }]);
    await Promise.all([sender.close(), receiver.close()]);
  });

  it('drops a revoked key from the cache of another instance within a second', async () => {
    const channel = uniquePrefix('engine');
    const prefix = uniquePrefix('engine');
    const one = createKeyward({
      store: redisStore({ redis: a, prefix }),
      invalidation: redisInvalidation({ redis: a, channel }),
      cache: { ttl: 60_000 },
    });
    const two = createKeyward({
      store: redisStore({ redis: b, prefix }),
      invalidation: redisInvalidation({ redis: b, channel }),
      cache: { ttl: 60_000 },
    });
    await Promise.all([one.ready(), two.ready()]);
    const { key, record } = await one.create({ workspaceId: 'ws_inv', name: 'cached' });
    const headers = { authorization: `Bearer ${key}` };
    expect((await two.verify(headers)).ok).toBe(true); // now cached in `two` for a minute
    const revokedAt = Date.now();
    await one.revoke(record.id);
    await waitUntil('the other instance to refuse the key', 1000, async () => !(await two.verify(headers)).ok);
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    await Promise.all([one.close(), two.close()]);
  });

  it('works on a Cluster (PUBLISH reaches every node)', async () => {
    const cluster = newCluster();
    const other = newCluster();
    const channel = uniquePrefix('cluster');
    const sender = redisInvalidation({ redis: cluster, channel });
    const receiver = redisInvalidation({ redis: other, channel });
    const got: string[] = [];
    await receiver.subscribe((m) => got.push(m.keyId));
    for (let i = 0; i < 5; i++) await sender.publish({ keyId: `key_${i}` });
    await waitUntil('the messages', 1000, () => got.length === 5);
    // Each PUBLISH may go to another node: the order between nodes is not kept (nor needed).
    expect(got.sort()).toEqual(['key_0', 'key_1', 'key_2', 'key_3', 'key_4']);
    await receiver.close();
    await Promise.all([cluster.quit(), other.quit()]);
  });

  it('reports the loss and the return of the connection, and resubscribes by itself', async () => {
    const server = await startRedis();
    const publisher = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    publisher.on('error', () => undefined);
    try {
      const bus = redisInvalidation({ redis: publisher });
      const got: string[] = [];
      const errors: unknown[] = [];
      await bus.subscribe(
        (m) => got.push(m.keyId),
        (e) => errors.push(e),
      );
      await server.stopServer();
      await waitUntil('onError on the loss', 2000, () => errors.length >= 1);
      await server.startServer();
      await waitUntil('onError on the return', 5000, () => errors.length >= 2);
      await waitUntil('a message after the restart', 5000, async () => {
        await bus.publish({ keyId: 'key_after' }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 50));
        return got.includes('key_after');
      });
      await bus.close();
    } finally {
      publisher.disconnect();
      await server.stop();
    }
  });

  it('rejects subscribe within subscribeTimeout when Redis is unreachable', async () => {
    // Port 1: nothing listens there, every connection is refused.
    const redis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    const bus = redisInvalidation({ redis, subscribeTimeout: 300 });
    const started = Date.now();
    await expect(bus.subscribe(() => undefined)).rejects.toThrow(/subscribe/);
    expect(Date.now() - started).toBeLessThan(1500);
    await bus.close();
    redis.disconnect();
  });
});

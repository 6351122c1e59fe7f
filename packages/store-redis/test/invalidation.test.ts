import type { InvalidationMessage } from '@keyward/core/store';
import { describeInvalidationBus } from '@keyward/core/testing';
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

describeInvalidationBus({
  name: 'Redis pub/sub',
  createPair: () => {
    const channel = uniquePrefix('chan');
    const publisher = redisInvalidation({ redis: a, channel });
    const subscriber = redisInvalidation({ redis: b, channel });
    return { publisher, subscriber, close: async () => void (await Promise.all([publisher.close(), subscriber.close()])) };
  },
  createInterruptiblePair: async () => {
    const server = await startRedis();
    const client = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    client.on('error', () => undefined);
    const publisher = redisInvalidation({ redis: client });
    return {
      publisher,
      subscriber: publisher,
      down: () => server.stopServer(),
      up: () => server.startServer(),
      close: async () => {
        await publisher.close();
        client.disconnect();
        await server.stop();
      },
    };
  },
  createStores: async () => {
    const prefix = uniquePrefix('engine');
    return { a: redisStore({ redis: a, prefix }), b: redisStore({ redis: b, prefix }) };
  },
});

describeInvalidationBus({
  name: 'Redis Cluster pub/sub',
  // Each PUBLISH may go to another node: the order between nodes is not kept (nor needed).
  ordered: false,
  createPair: () => {
    const one = newCluster();
    const two = newCluster();
    const channel = uniquePrefix('cluster');
    const publisher = redisInvalidation({ redis: one, channel });
    const subscriber = redisInvalidation({ redis: two, channel });
    return {
      publisher,
      subscriber,
      close: async () => {
        await Promise.all([publisher.close(), subscriber.close()]);
        await Promise.all([one.quit(), two.quit()]);
      },
    };
  },
});

describe('redisInvalidation', () => {
  it('ignores other payloads on the channel', async () => {
    const channel = uniquePrefix('chan');
    const sender = redisInvalidation({ redis: a, channel });
    const receiver = redisInvalidation({ redis: b, channel });
    const got: InvalidationMessage[] = [];
    const stop = await receiver.subscribe((m) => got.push(m));
    await a.publish(channel, 'not json');
    await a.publish(channel, JSON.stringify({ other: 1 }));
    await a.publish(channel, JSON.stringify({ keyId: 42 }));
    await sender.publish({ keyId: 'key_1' });
    await waitUntil('the message', 1000, () => got.length >= 1);
    expect(got).toEqual([{ keyId: 'key_1' }]);
    await stop();
    await Promise.all([sender.close(), receiver.close()]);
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

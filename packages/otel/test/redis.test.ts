// @keyward/otel on @keyward/store-redis (the test run's Redis server).
import { redisInvalidation, redisStore, type RedisStore } from '@keyward/store-redis';
import { afterAll, describe, inject } from 'vitest';
import { describeStoreTelemetry } from './shared-store.js';

const url = inject('redisUrl') || process.env.REDIS_URL!;
const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const stores: RedisStore[] = [];
let n = 0;
afterAll(async () => {
  for (const store of stores) await store.close?.();
});

describe('@keyward/otel on Redis', () => {
  describeStoreTelemetry({
    system: 'redis',
    store: async () => {
      const store = redisStore({ redis: { url }, prefix: `kwotel:${tag}:${n++}:` });
      stores.push(store);
      return store;
    },
    bus: async () => redisInvalidation({ redis: { url }, channel: `kwotel:${tag}:bus` }),
    // One round trip: the lookup and the counters in one script.
    policyCalls: ['findByHashAndConsume'],
  });
});

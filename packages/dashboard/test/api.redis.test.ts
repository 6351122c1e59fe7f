import { redisStore } from '@keyward/store-redis';
import { Redis } from 'ioredis';
import { afterAll, inject } from 'vitest';
import { describeDashboardApi } from './support/api-suite.js';

const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
afterAll(async () => {
  await redis.quit();
});

describeDashboardApi({
  name: 'Redis',
  createStore: () => redisStore({ redis, prefix: `kwdash:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:` }),
});

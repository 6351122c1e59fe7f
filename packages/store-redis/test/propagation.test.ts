import { fileURLToPath } from 'node:url';
import { createKeyward } from '@keyward/core';
import { redisInvalidation, redisStore } from '@keyward/store-redis';
import { afterAll, beforeAll } from 'vitest';
import { describeRevocationPropagation } from '@keyward/test-services';
import { newRedis, redisUrl, uniquePrefix } from './helpers.js';

const engineModule = fileURLToPath(new URL('./propagation-engine.ts', import.meta.url));
const redis = newRedis();
const prefix = uniquePrefix('prop');
const channel = `${prefix}invalidate`;
const invalidation = redisInvalidation({ redis, channel });
// Instance A: this process.
const keyward = createKeyward({ store: redisStore({ redis, prefix }), invalidation, cache: { ttl: 60_000 } });
const env = { REDIS_URL: redisUrl(), KEYWARD_REDIS_PREFIX: prefix, KEYWARD_REDIS_CHANNEL: channel };

beforeAll(() => keyward.ready());

afterAll(async () => {
  await keyward.close();
  await invalidation.close();
  await redis.quit();
});

describeRevocationPropagation({ label: 'one Redis (pub/sub)', keyward: () => keyward, engineModule, env: () => env });

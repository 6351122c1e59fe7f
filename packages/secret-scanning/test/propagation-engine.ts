// The engine of the other OS process in stores.test.ts (@keyward/test-services: verify-loop.ts):
// PostgreSQL (DATABASE_URL, KEYWARD_PG_SCHEMA, KEYWARD_PG_CHANNEL) or Redis (REDIS_URL,
// KEYWARD_REDIS_PREFIX, KEYWARD_REDIS_CHANNEL), each with its invalidation bus and a long cache,
// so that only the bus can make it refuse a key revoked by a leak report within the bound.
import { createKeyward, type Keyward, prefixedFormat } from '@keyward/core';
import { postgresInvalidation, postgresStore } from '@keyward/store-postgres';
import { redisInvalidation, redisStore } from '@keyward/store-redis';

export async function createEngine(): Promise<Keyward> {
  const format = prefixedFormat({ prefix: 'kw' });
  const cache = { ttl: 60_000 };
  if (process.env.KEYWARD_PG_SCHEMA) {
    const connectionString = process.env.DATABASE_URL!;
    return createKeyward({
      store: postgresStore({ connectionString }, { schema: process.env.KEYWARD_PG_SCHEMA }),
      invalidation: postgresInvalidation({ connectionString, channel: process.env.KEYWARD_PG_CHANNEL! }),
      format,
      cache,
    });
  }
  const url = process.env.REDIS_URL!;
  return createKeyward({
    store: redisStore({ redis: { url }, prefix: process.env.KEYWARD_REDIS_PREFIX! }),
    invalidation: redisInvalidation({ redis: { url }, channel: process.env.KEYWARD_REDIS_CHANNEL! }),
    format,
    cache,
  });
}

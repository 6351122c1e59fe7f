// The engine of the racing processes of expiry-warnings.test.ts (@keyward/test-services:
// race-child.ts): the audit log on, on PostgreSQL (DATABASE_URL, KEYWARD_PG_SCHEMA) or Redis
// (REDIS_URL, KEYWARD_REDIS_PREFIX), each process with its own memory of what it warned about.
import { createKeyward, type Keyward } from '@keyward/core';
import { redisStore } from '@keyward/store-redis';
import { postgresStore } from '../src/index.js';

export async function createEngine(): Promise<Keyward> {
  const store = process.env.KEYWARD_PG_SCHEMA
    ? postgresStore({ connectionString: process.env.DATABASE_URL! }, { schema: process.env.KEYWARD_PG_SCHEMA })
    : redisStore({ redis: { url: process.env.REDIS_URL! }, prefix: process.env.KEYWARD_REDIS_PREFIX! });
  return createKeyward({ store, audit: { flushInterval: '1h' } });
}

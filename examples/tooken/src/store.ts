import type { InvalidationBus, KeyStore } from '@keyward/core';
import { memoryStore } from '@keyward/store-memory';
import { postgresInvalidation, postgresStore } from '@keyward/store-postgres';
import { redisInvalidation, redisStore } from '@keyward/store-redis';

export interface ExampleStore {
  store: KeyStore;
  invalidation?: InvalidationBus;
  description: string;
  close(): Promise<void>;
}

/** PostgreSQL when DATABASE_URL is set, else Redis when REDIS_URL is set, else memory. */
export async function storeFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<ExampleStore> {
  if (env.DATABASE_URL) {
    const store = postgresStore({ connectionString: env.DATABASE_URL }, { tablePrefix: env.KEYWARD_TABLE_PREFIX ?? 'tooken_' });
    await store.migrate();
    const invalidation = postgresInvalidation({ connectionString: env.DATABASE_URL, channel: 'tooken_invalidation' });
    return { store, invalidation, description: 'PostgreSQL', close: async () => void (await invalidation.close(), await store.close()) };
  }
  if (env.REDIS_URL) {
    const prefix = env.KEYWARD_REDIS_PREFIX ?? 'tooken:';
    const store = redisStore({ redis: { url: env.REDIS_URL }, prefix });
    const invalidation = redisInvalidation({ redis: { url: env.REDIS_URL }, channel: `${prefix}invalidate` });
    return { store, invalidation, description: 'Redis', close: async () => void (await invalidation.close(), await store.close()) };
  }
  return { store: memoryStore(), description: 'memory store', close: async () => undefined };
}

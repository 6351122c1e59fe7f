/**
 * Engines of the benchmarks: one per store kind, each with the cross-instance invalidation that
 * a multi-instance deployment would use (LISTEN/NOTIFY for PostgreSQL, pub/sub for Redis).
 */
import { createKeyward, prefixedFormat, type Keyward } from '@keyward/core';
import { postgresInvalidation, postgresStore } from '@keyward/store-postgres';
import { redisInvalidation, redisStore } from '@keyward/store-redis';

export type StoreKind = 'postgres' | 'redis';

export const benchFormat = () => prefixedFormat({ prefix: 'bench' });

/** An engine on the given store URL, with its invalidation bus, and `close()` that ends all three. */
export async function engineFor(kind: StoreKind, url: string): Promise<{ keyward: Keyward; close(): Promise<void> }> {
  const store = kind === 'postgres' ? postgresStore({ connectionString: url }) : redisStore({ redis: { url } });
  const invalidation = kind === 'postgres' ? postgresInvalidation({ connectionString: url }) : redisInvalidation({ redis: { url } });
  if ('migrate' in store) await store.migrate();
  const keyward = createKeyward({ store, format: benchFormat(), invalidation });
  return {
    keyward,
    async close() {
      // The engine stops listening; the store and the bus opened their own connections.
      await keyward.close();
      await invalidation.close();
      await store.close?.();
    },
  };
}

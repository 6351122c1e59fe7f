// The engine of "instance B" in propagation.test.ts and of the racing processes of
// counters.test.ts, built in another OS process (@keyward/test-services: verify-loop.ts, race-child.ts). Configured by the environment: DATABASE_URL, KEYWARD_PG_SCHEMA,
// KEYWARD_PG_CHANNEL, and KEYWARD_BUS=none for an engine without the LISTEN/NOTIFY bus.
import { createKeyward, type Keyward, type Policies } from '@keyward/core';
import { postgresInvalidation, postgresStore } from '../src/index.js';

export async function createEngine(): Promise<Keyward> {
  const connectionString = process.env.DATABASE_URL;
  const schema = process.env.KEYWARD_PG_SCHEMA;
  if (!connectionString || !schema) throw new Error('DATABASE_URL and KEYWARD_PG_SCHEMA must be set');
  const withBus = process.env.KEYWARD_BUS !== 'none';
  return createKeyward({
    store: postgresStore({ connectionString }, { schema }),
    ...(withBus
      ? { invalidation: postgresInvalidation({ connectionString, channel: process.env.KEYWARD_PG_CHANNEL ?? 'keyward_invalidation' }) }
      : {}),
    // A minute: only the bus can make this engine refuse a revoked key within a second.
    cache: { ttl: 60_000 },
    // Rate limits and quotas for the two-process counter race (JSON `Policies`).
    ...(process.env.KEYWARD_POLICIES ? { policies: JSON.parse(process.env.KEYWARD_POLICIES) as Policies } : {}),
  });
}

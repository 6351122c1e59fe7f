// The engine of "instance B" in propagation.test.ts and of the racing processes of
// counters.test.ts, built in another OS process (@keyward/test-services: verify-loop.ts, race-child.ts). Configured by the environment: REDIS_URL, KEYWARD_REDIS_PREFIX,
// KEYWARD_REDIS_CHANNEL, and KEYWARD_BUS=none for an engine without the pub/sub bus.
import { createKeyward, type Keyward, type Policies } from '@keyward/core';
import { redisInvalidation, redisStore } from '../src/index.js';

export async function createEngine(): Promise<Keyward> {
  const url = process.env.REDIS_URL;
  const prefix = process.env.KEYWARD_REDIS_PREFIX;
  if (!url || !prefix) throw new Error('REDIS_URL and KEYWARD_REDIS_PREFIX must be set');
  const withBus = process.env.KEYWARD_BUS !== 'none';
  return createKeyward({
    store: redisStore({ redis: { url }, prefix }),
    ...(withBus ? { invalidation: redisInvalidation({ redis: { url }, channel: process.env.KEYWARD_REDIS_CHANNEL ?? 'keyward:invalidate' }) } : {}),
    // A minute: only the bus can make this engine refuse a revoked key within a second.
    cache: { ttl: 60_000 },
    // Rate limits and quotas for the two-process counter race (JSON `Policies`).
    ...(process.env.KEYWARD_POLICIES ? { policies: JSON.parse(process.env.KEYWARD_POLICIES) as Policies } : {}),
  });
}

import { fileURLToPath } from 'node:url';
import { createKeyward } from '@keyward/core';
import { redisInvalidation, redisStore } from '@keyward/store-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureRevocation } from '../../../test/support/propagation.js';
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

describe('revocation across two processes on one Redis (pub/sub)', () => {
  it('is refused by the other process within 1 second of revoke', { timeout: 60_000 }, async () => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { key, record } = await keyward.create({ workspaceId: 'ws_prop', name: `propagation ${i}` });
      const seen = await measureRevocation({ engineModule, key, env, revoke: () => keyward.revoke(record.id).then(() => undefined) });
      expect(seen.code).toMatch(/^(invalid_key|revoked_key)$/);
      times.push(seen.ms);
    }
    console.log(`Redis pub/sub: revoke → refused in the other process: ${times.join(' ms, ')} ms`);
    for (const ms of times) expect(ms).toBeLessThan(1000);
  });

  it('without the bus, the other process keeps serving the revoked key from its cache (the bus is what works)', { timeout: 60_000 }, async () => {
    const { key, record } = await keyward.create({ workspaceId: 'ws_prop', name: 'no bus' });
    await expect(
      measureRevocation({
        engineModule,
        key,
        env: { ...env, KEYWARD_BUS: 'none' },
        refuseTimeoutMs: 2000,
        revoke: () => keyward.revoke(record.id).then(() => undefined),
      }),
    ).rejects.toThrow(/did not report "refused"/);
  });
});

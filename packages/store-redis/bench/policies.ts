/**
 * Verify with a quota and a rate limit on the Redis store, against verify without them.
 *
 *   node --conditions=@keyward/source --import tsx packages/store-redis/bench/policies.ts
 *
 * Uses REDIS_URL when set, a throwaway server otherwise. The same 1,000 keys, in alternating
 * batches: (a) engine cache off — a verify is one GET, and with policies one script that reads the
 * key and counts (target, issue 5: p50 with policies ≤ 1.5 × without); (b) engine cache on, for
 * information — without policies a verify needs no I/O at all, so the counter round trip is all
 * of the difference. Never prints a key.
 */
import { createKeyward, type Policies } from '@keyward/core';
import { redisStore } from '@keyward/store-redis';
import { Redis } from 'ioredis';
import { measure, ratio, report } from '@keyward/bench-kit/latency';
import { startServices } from '@keyward/test-services';

const SAMPLES = Math.min(100_000, Number(process.env.BENCH_SAMPLES ?? 10_000));
const services = await startServices({ postgres: false, redisCluster: false });
const redis = new Redis(services.redisUrl, { maxRetriesPerRequest: 1 });
const prefix = `kwbench:${Date.now().toString(36)}:`;
try {
  const store = redisStore({ redis, prefix });
  const policies: Policies = { quota: { limit: 1_000_000_000, period: 'month' }, rateLimits: [{ name: 'burst', limit: 1_000_000, window: '1s' }] };
  const plain = createKeyward({ store, cache: false });
  const limited = createKeyward({ store, cache: false, policies });
  const plainCached = createKeyward({ store, cache: { ttl: 3_600_000 } });
  const limitedCached = createKeyward({ store, cache: { ttl: 3_600_000 }, policies });
  const tokens: string[] = [];
  for (let i = 0; i < 1000; i++) tokens.push((await plain.create({ workspaceId: `ws_${i % 20}`, name: `bench ${i}` })).key);
  let n = 0;
  const verify = (engine: typeof plain) => async () => {
    const result = await engine.verify({ authorization: `Bearer ${tokens[n++ % tokens.length]}` });
    if (!result.ok) throw new Error(`verify failed: ${result.error.code}`);
  };
  const r = await measure({ plain: verify(plain), limited: verify(limited) }, { samples: SAMPLES });
  report('redis verify, no policies', r.plain!);
  report('redis verify, quota + rate limit', r.limited!);
  ratio('redis verify with quota + rate limit / without, p50', r.limited!.p50 / r.plain!.p50, 1.5);
  for (const t of tokens) {
    await plainCached.verify({ authorization: `Bearer ${t}` });
    await limitedCached.verify({ authorization: `Bearer ${t}` }, { dryRun: true });
  }
  const c = await measure({ plain: verify(plainCached), limited: verify(limitedCached) }, { samples: SAMPLES });
  report('redis verify, cache hit, no policies', c.plain!);
  report('redis verify, cache hit, quota + rate limit', c.limited!);
  console.log(
    JSON.stringify({
      bench: 'redis verify with policies − without, cache hit, p50 µs (information)',
      value: Math.round((c.limited!.p50 - c.plain!.p50) * 1000),
    }),
  );
} finally {
  const keys = await redis.keys(`${prefix}*`);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  await redis.quit();
  await services.stop();
}

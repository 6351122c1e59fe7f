/**
 * Verify latency with @keyward/store-redis, on loopback.
 *
 *   node --conditions=@keyward/source --import tsx packages/store-redis/bench/verify.ts
 *
 * Uses REDIS_URL when set, a throwaway server otherwise (@keyward/test-services). Stores 1,000
 * engine-made keys, then measures on one ioredis client, in alternating batches (so that load from
 * elsewhere hits every series alike): (a) a bare `GET` of an existing key, (b) `keyward.verify` on a
 * cache miss (engine cache off; one GET of the snapshot next to the hash pointer), and
 * (c) the same with `singleRoundTrip: false` (GET then HGETALL, as on a Cluster), for information.
 * Target: (b) p50 ≤ 1.3 × (a) p50. Prints readable lines and one JSON line per result; never
 * prints a key or a hash.
 */
import { createKeyward } from '@keyward/core';
import { redisStore } from '@keyward/store-redis';
import { Redis } from 'ioredis';
import { startServices } from '@keyward/test-services';
import { measure, ratio, report } from '@keyward/bench-kit/latency';

const SAMPLES = Math.min(100_000, Number(process.env.BENCH_SAMPLES ?? 10_000));
const KEYS = 1000;

const started = Date.now();
const services = await startServices({ postgres: false, redisCluster: false });
const redis = new Redis(services.redisUrl, { maxRetriesPerRequest: 1 });
redis.on('error', () => undefined);
const prefix = `kwbench:${Date.now().toString(36)}:`;
try {
  const store = redisStore({ redis, prefix });
  const keyward = createKeyward({ store, cache: false });
  const twoTrips = createKeyward({ store: redisStore({ redis, prefix, singleRoundTrip: false }), cache: false });
  const tokens: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < KEYS; i++) {
    const created = await keyward.create({ workspaceId: `ws_${i % 20}`, name: `bench ${i}`, scopes: ['notes:read'] });
    tokens.push(created.key);
    ids.push(created.record.id);
  }
  // The bare GET reads the id pointers: real keys of the same store, a short string value.
  const pointers = ids.map((id) => `${prefix}{id:${id}}`);

  let n = 0;
  const pick = <T>(list: T[]) => list[n++ % list.length]!;
  const verify = (engine: ReturnType<typeof createKeyward>) => async () => {
    const result = await engine.verify({ authorization: `Bearer ${pick(tokens)}` });
    if (!result.ok) throw new Error(`verify failed: ${result.error.code}`);
  };
  const r = await measure(
    {
      bare: () => redis.get(pick(pointers)),
      verify: verify(keyward),
      verifyTwoTrips: verify(twoTrips),
    },
    { samples: SAMPLES },
  );
  report('bare ioredis GET', r.bare!);
  report('verify cache miss (one GET)', r.verify!);
  report('verify cache miss (GET + HGETALL)', r.verifyTwoTrips!);
  console.log(`verify − bare p50: ${Math.round((r.verify!.p50 - r.bare!.p50) * 1000)} µs`);
  ratio('redis verify / bare GET p50', r.verify!.p50 / r.bare!.p50, 1.3);
  const withoutSnapshots = Math.round((r.verifyTwoTrips!.p50 / r.bare!.p50) * 1000) / 1000;
  console.log(`redis verify without snapshots (GET + HGETALL, as on a Cluster) / bare GET p50: ${withoutSnapshots} (information)`);
  console.log(JSON.stringify({ bench: 'redis verify, two round trips / bare GET p50 (information)', value: withoutSnapshots }));
} finally {
  let cursor = '0';
  let rounds = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0' && ++rounds < 1000);
  await redis.quit();
  await services.stop();
  console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Verify latency with @keyward/store-redis, on loopback.
 *
 *   node --conditions=@keyward/source --import tsx packages/store-redis/bench/verify.ts
 *
 * Uses REDIS_URL when set, a throwaway server otherwise (scripts/test-services.ts). Stores 1,000
 * engine-made keys, then measures on one ioredis client, in alternating batches (so that load from
 * elsewhere hits every series alike): (a) a bare `GET` of an existing key, (b) `keyward.verify` on a
 * cache miss (engine cache off; one EVALSHA that follows the hash pointer to the record), and
 * (c) the same with `singleRoundTrip: false` (GET then HGETALL, as on a Cluster), for information.
 * Target: (b) p50 ≤ 1.3 × (a) p50. Prints readable lines and one JSON line per result; never
 * prints a key or a hash.
 */
import { createKeyward } from '@keyward/core';
import { redisStore } from '@keyward/store-redis';
import { Redis } from 'ioredis';
import { startServices } from '../../../scripts/test-services.js';

const SAMPLES = Math.min(100_000, Number(process.env.BENCH_SAMPLES ?? 10_000));
const WARMUP = 1000;
const BATCH = 250;
const KEYS = 1000;

interface Stats {
  p50: number;
  p99: number;
  n: number;
}

const round = (ms: number) => Math.round(ms * 10_000) / 10_000;

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: round(at(0.5)), p99: round(at(0.99)), n: sorted.length };
}

function report(name: string, s: Stats): void {
  console.log(`${name.padEnd(36)} p50 ${s.p50.toFixed(4)} ms   p99 ${s.p99.toFixed(4)} ms   (n=${s.n})`);
  console.log(JSON.stringify({ bench: name, unit: 'ms', ...s }));
}

function ratio(name: string, value: number, target: number): void {
  const r = Math.round(value * 1000) / 1000;
  console.log(`${name}: ${r} (target ≤ ${target}) ${r <= target ? 'PASS' : 'MISS'}`);
  console.log(JSON.stringify({ bench: name, ratio: r, target, pass: r <= target }));
}

/** Runs every series in alternating batches, so that drift and outside load hit them alike. */
async function measure(fns: Record<string, () => Promise<unknown>>): Promise<Record<string, Stats>> {
  const names = Object.keys(fns);
  for (const name of names) for (let i = 0; i < WARMUP; i++) await fns[name]!();
  const out: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let done = 0; done < SAMPLES; done += BATCH) {
    for (const name of names) {
      const fn = fns[name]!;
      const series = out[name]!;
      for (let i = 0; i < BATCH; i++) {
        const start = process.hrtime.bigint();
        await fn();
        series.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }
  }
  return Object.fromEntries(names.map((n) => [n, stats(out[n]!)]));
}

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
  const r = await measure({
    bare: () => redis.get(pick(pointers)),
    verify: verify(keyward),
    verifyTwoTrips: verify(twoTrips),
  });
  report('bare ioredis GET', r.bare!);
  report('verify cache miss (one EVALSHA)', r.verify!);
  report('verify cache miss (GET + HGETALL)', r.verifyTwoTrips!);
  console.log(`verify − bare p50: ${Math.round((r.verify!.p50 - r.bare!.p50) * 1000)} µs`);
  ratio('redis verify / bare GET p50', r.verify!.p50 / r.bare!.p50, 1.3);
  ratio('redis verify (two round trips) / bare GET p50 (information)', r.verifyTwoTrips!.p50 / r.bare!.p50, 2.6);
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

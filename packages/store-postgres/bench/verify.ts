/**
 * Verify latency with @keyward/store-postgres, on loopback.
 *
 *   npx tsx --conditions=@keyward/source packages/store-postgres/bench/verify.ts
 *
 * Uses DATABASE_URL when set, a throwaway server otherwise (@keyward/test-services). Two tables
 * hold the same 1,000 engine-made keys; the second is filled up to 1,000,000 rows. Then, in
 * alternating batches (so that load from elsewhere hits every series alike), it measures on one
 * pool: (a) a bare primary-key `SELECT *` round trip (and `SELECT 1`, the floor, for information) and (b) `keyward.verify` on a cache miss
 * (engine cache off), against each table. Then (c) `keyward.verify` on a cache hit in front of
 * PostgreSQL against (d) `keyward.verify` with the memory store, in the same alternating way.
 * Targets: verify p50 ≤ 1.3 × bare p50; verify p50 at 1M keys ≤ 1.2 × at 1k keys; cache hit
 * p50 ≤ 1.2 × memory store p50.
 * Prints readable lines and one JSON line per result. Never prints a key or a hash.
 */
import { createKeyward } from '@keyward/core';
import { postgresStore } from '@keyward/store-postgres';
import pg from 'pg';
import { startServices } from '@keyward/test-services';
import { measure, ratio, report } from '@keyward/bench-kit/latency';
// A relative import: the memory store is only the yardstick here, not a dependency of the package.
import { memoryStore } from '@keyward/store-memory';

const SAMPLES = Math.min(100_000, Number(process.env.BENCH_SAMPLES ?? 8000));
/** Cache hits take microseconds: many more samples for the same time. */
const HIT_SAMPLES = SAMPLES * 5;
const REAL_KEYS = 1000;
const TOTAL_KEYS = 1_000_000;

const started = Date.now();
const services = await startServices({ redis: false, redisCluster: false });
const pool = new pg.Pool({ connectionString: services.databaseUrl, max: 4 });
pool.on('error', () => undefined);
const tag = Date.now().toString(36);
const schemas = { small: `kw_bench_small_${tag}`, large: `kw_bench_large_${tag}` };
try {
  const small = postgresStore({ pool }, { schema: schemas.small });
  const large = postgresStore({ pool }, { schema: schemas.large });
  await small.migrate();
  await large.migrate();
  const engines = { small: createKeyward({ store: small, cache: false }), large: createKeyward({ store: large, cache: false }) };

  // Real keys, made by the engine; their plaintext stays in this array and is never printed.
  const tokens: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < REAL_KEYS; i++) {
    const created = await engines.small.create({ workspaceId: `ws_${i % 20}`, name: `bench ${i}`, scopes: ['notes:read'] });
    tokens.push(created.key);
    ids.push(created.record.id);
  }
  await pool.query(`INSERT INTO ${large.tables.keys} SELECT * FROM ${small.tables.keys}`);

  // Fill the second table to 1M rows in one statement (real-looking rows, distinct hashes).
  const fillStart = Date.now();
  await pool.query(
    `INSERT INTO ${large.tables.keys} (id, workspace_id, name, format, environment, scopes, prefix, hint, hash, hash_version, created_at, updated_at, metadata)
     SELECT 'key_fill_' || g, 'ws_fill_' || (g % 5000), 'filler', 'kw', 'live', ARRAY['notes:read'], 'kw_live_', 'fill',
            encode(sha256(('filler:' || g)::bytea), 'hex'), 'sha256', now() - g * interval '1 second', now(), '{}'::jsonb
     FROM generate_series(1, $1::int) g`,
    [TOTAL_KEYS - REAL_KEYS],
  );
  await pool.query(`VACUUM ANALYZE ${large.tables.keys}`);
  await pool.query(`VACUUM ANALYZE ${small.tables.keys}`);
  const fillMs = Date.now() - fillStart;
  const count = async (table: string) => Number((await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`)).rows[0]!.n);
  const sizes = { small: await count(small.tables.keys), large: await count(large.tables.keys) };
  console.log(`tables: ${sizes.small} and ${sizes.large} keys (filled in ${(fillMs / 1000).toFixed(1)} s)`);
  console.log(JSON.stringify({ bench: 'setup', keys: sizes, fill_ms: fillMs }));

  let n = 0;
  const pick = <T>(list: T[]) => list[n++ % list.length]!;
  // The bare round trips: reading the key's row by primary key (what a hand-written lookup does),
  // and `SELECT 1` (the floor: no row to send or parse), each a named statement on the same pool.
  const bare = (table: string, name: string) => () => pool.query({ name, text: `SELECT * FROM ${table} WHERE id = $1`, values: [pick(ids)] });
  const floor = (table: string, name: string) => () => pool.query({ name, text: `SELECT 1 FROM ${table} WHERE id = $1`, values: [pick(ids)] });
  const verify =
    (engine: ReturnType<typeof createKeyward>, keys = tokens) =>
    async () => {
      const result = await engine.verify({ authorization: `Bearer ${pick(keys)}` });
      if (!result.ok) throw new Error(`verify failed: ${result.error.code}`);
    };
  const r = await measure(
    {
      floor1k: floor(small.tables.keys, 'bench_floor_small'),
      bare1k: bare(small.tables.keys, 'bench_bare_small'),
      verify1k: verify(engines.small),
      bare1m: bare(large.tables.keys, 'bench_bare_large'),
      verify1m: verify(engines.large),
    },
    { samples: SAMPLES },
  );
  report('bare pk SELECT 1, 1k keys', r.floor1k!);
  report('bare pk SELECT *, 1k keys', r.bare1k!);
  report('verify cache miss, 1k keys', r.verify1k!);
  report('bare pk SELECT *, 1M keys', r.bare1m!);
  report('verify cache miss, 1M keys', r.verify1m!);
  const overhead = {
    bench: 'verify_overhead_p50_us',
    k1: Math.round((r.verify1k!.p50 - r.bare1k!.p50) * 10_000) / 10,
    m1: Math.round((r.verify1m!.p50 - r.bare1m!.p50) * 10_000) / 10,
  };
  console.log(`verify − bare p50: ${overhead.k1} µs (1k), ${overhead.m1} µs (1M)`);
  console.log(JSON.stringify(overhead));
  ratio('verify / bare p50, 1k keys', r.verify1k!.p50 / r.bare1k!.p50, 1.3);
  ratio('verify / bare p50, 1M keys', r.verify1m!.p50 / r.bare1m!.p50, 1.3);
  ratio('verify / SELECT 1 p50, 1k keys (information: the floor)', r.verify1k!.p50 / r.floor1k!.p50, 1.5);
  ratio('verify p50, 1M / 1k keys', r.verify1m!.p50 / r.verify1k!.p50, 1.2);

  // Cache hits: the same engine cache in front of PostgreSQL, against the memory store (whose
  // engine runs without a cache, as by default). Each engine verifies its own 1,000 keys.
  const memoryEngine = createKeyward({ store: memoryStore() });
  const memoryTokens: string[] = [];
  for (let i = 0; i < REAL_KEYS; i++) {
    memoryTokens.push((await memoryEngine.create({ workspaceId: `ws_${i % 20}`, name: `bench ${i}`, scopes: ['notes:read'] })).key);
  }
  const cachedEngine = createKeyward({ store: small, cache: { ttl: 3_600_000, maxEntries: 2 * REAL_KEYS } });
  for (const token of tokens) await cachedEngine.verify({ authorization: `Bearer ${token}` });
  const h = await measure({ memory: verify(memoryEngine, memoryTokens), cacheHit: verify(cachedEngine) }, { samples: HIT_SAMPLES });
  report('verify, memory store', h.memory!);
  report('verify cache hit, PostgreSQL', h.cacheHit!);
  ratio('cache hit / memory store p50', h.cacheHit!.p50 / h.memory!.p50, 1.2);
} finally {
  for (const schema of Object.values(schemas)) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pool.end();
  await services.stop();
  console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

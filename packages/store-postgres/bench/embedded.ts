/**
 * The embedded store (PGlite in this process) next to the memory store and a PostgreSQL server on
 * loopback, in one run:
 *
 *   node --conditions=@keyward/source --import tsx packages/store-postgres/bench/embedded.ts
 *
 * (a) `verify` on a cache miss (engine cache off) and (b) `create`, on the three stores, measured
 * in alternating batches so that outside load hits every series alike; (c) `verify` on a cache hit
 * in front of the embedded store against the memory store; (d) how long opening the embedded store
 * takes with 100,000 keys in it (and, for information, creating its database the first time).
 * The server is a throwaway one (@keyward/test-services; DATABASE_URL when set) with fsync off; the
 * embedded store does not fsync either (PGlite's file system layer writes, never syncs), so the
 * create figures compare like with like.
 * Prints readable lines and one JSON line per result. Never prints a key or a hash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure, ratio, report, stats } from '@keyward/bench-kit/latency';
import { createKeyward, type Keyward } from '@keyward/core';
import { memoryStore } from '@keyward/store-memory';
import { postgresStore } from '@keyward/store-postgres';
import { embeddedStore } from '@keyward/store-postgres/embedded';
import { startServices } from '@keyward/test-services';
import pg from 'pg';

const SAMPLES = Math.min(100_000, Number(process.env.BENCH_SAMPLES ?? 6000));
const CREATE_SAMPLES = Math.max(500, Math.floor(SAMPLES / 3));
const HIT_SAMPLES = SAMPLES * 5;
const KEYS = 1000;
const STARTUP_KEYS = 100_000;
const STARTUP_RUNS = 5;

/** A ratio for information: the issue sets no target for it. */
function info(name: string, value: number): void {
  const r = Math.round(value * 1000) / 1000;
  console.log(`${name}: ${r}`);
  console.log(JSON.stringify({ bench: name, ratio: r }));
}

const started = Date.now();
const services = await startServices({ redis: false, redisCluster: false });
const pool = new pg.Pool({ connectionString: services.databaseUrl, max: 4 });
pool.on('error', () => undefined);
const schema = `kw_bench_embedded_${Date.now().toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), 'keyward-bench-embedded-'));
try {
  const firstOpen = performance.now();
  let embedded = await embeddedStore({ dir });
  const createMs = performance.now() - firstOpen;
  const server = postgresStore({ pool }, { schema });
  await server.migrate();
  const stores = { memory: memoryStore(), embedded, server };
  const misses: Record<keyof typeof stores, Keyward> = {
    memory: createKeyward({ store: stores.memory, cache: false }),
    embedded: createKeyward({ store: stores.embedded, cache: false }),
    server: createKeyward({ store: stores.server, cache: false }),
  };
  // Real keys, made by each engine; their plaintext stays in these arrays and is never printed.
  const tokens: Record<keyof typeof stores, string[]> = { memory: [], embedded: [], server: [] };
  for (const name of Object.keys(stores) as (keyof typeof stores)[]) {
    for (let i = 0; i < KEYS; i++)
      tokens[name].push((await misses[name].create({ workspaceId: `ws_${i % 20}`, name: `bench ${i}`, scopes: ['notes:read'] })).key);
  }
  let n = 0;
  const verify = (engine: Keyward, keys: string[]) => async () => {
    const result = await engine.verify({ authorization: `Bearer ${keys[n++ % keys.length]}` });
    if (!result.ok) throw new Error(`verify failed: ${result.error.code}`);
  };
  const create = (engine: Keyward) => () => engine.create({ workspaceId: `ws_c${n++ % 50}`, name: 'bench create', scopes: ['notes:read'] });

  const miss = await measure(
    {
      memory: verify(misses.memory, tokens.memory),
      embedded: verify(misses.embedded, tokens.embedded),
      server: verify(misses.server, tokens.server),
    },
    { samples: SAMPLES },
  );
  report('verify cache miss, memory store', miss.memory!);
  report('verify cache miss, embedded (PGlite)', miss.embedded!);
  report('verify cache miss, PostgreSQL server', miss.server!);
  info('embedded / server verify miss p50', miss.embedded!.p50 / miss.server!.p50);
  info('embedded / memory store verify miss p50', miss.embedded!.p50 / miss.memory!.p50);

  const made = await measure(
    { memory: create(misses.memory), embedded: create(misses.embedded), server: create(misses.server) },
    { samples: CREATE_SAMPLES, warmup: 200, batch: 100 },
  );
  report('create, memory store', made.memory!);
  report('create, embedded (PGlite)', made.embedded!);
  report('create, PostgreSQL server', made.server!);
  info('embedded / server create p50', made.embedded!.p50 / made.server!.p50);

  // Cache hits: the engine's cache in front of the embedded store, against the memory store
  // (whose engine runs without a cache, as by default).
  const cached = createKeyward({ store: embedded, cache: { ttl: 3_600_000, maxEntries: 2 * KEYS } });
  for (const token of tokens.embedded) await cached.verify({ authorization: `Bearer ${token}` });
  const hit = await measure({ memory: verify(misses.memory, tokens.memory), cacheHit: verify(cached, tokens.embedded) }, { samples: HIT_SAMPLES });
  report('verify, memory store (for the hit)', hit.memory!);
  report('verify cache hit, embedded (PGlite)', hit.cacheHit!);
  ratio('embedded cache hit / memory store p50', hit.cacheHit!.p50 / hit.memory!.p50, 1.2);

  // Startup with 100,000 keys: real-looking rows (distinct hashes) in one statement, then the time
  // from embeddedStore() to a store ready to verify, over a few closes and reopens.
  await embedded.pool.query(
    `INSERT INTO ${embedded.tables.keys} (id, workspace_id, name, format, environment, scopes, prefix, hint, hash, hash_version, created_at, updated_at, metadata)
     SELECT 'key_fill_' || g, 'ws_fill_' || (g % 5000), 'filler', 'kw', 'live', ARRAY['notes:read'], 'kw_live_', 'fill',
            encode(sha256(('filler:' || g)::bytea), 'hex'), 'sha256', now() - g * interval '1 second', now(), '{}'::jsonb
     FROM generate_series(1, $1::int) g`,
    [STARTUP_KEYS - Number((await embedded.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${embedded.tables.keys}`)).rows[0]!.n)],
  );
  await embedded.pool.query(`VACUUM ANALYZE ${embedded.tables.keys}`);
  const count = Number((await embedded.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${embedded.tables.keys}`)).rows[0]!.n);
  await embedded.close();
  const opens: number[] = [];
  for (let i = 0; i < STARTUP_RUNS; i++) {
    const t = performance.now();
    embedded = await embeddedStore({ dir });
    const engine = createKeyward({ store: embedded, cache: false });
    const check = await engine.verify({ authorization: `Bearer ${tokens.embedded[i]}` });
    opens.push(performance.now() - t);
    if (!check.ok) throw new Error(`verify after reopening failed: ${check.error.code}`);
    await embedded.close();
  }
  const startup = stats(opens);
  console.log(
    `embedded store open with ${count} keys, to the first verify: p50 ${startup.p50.toFixed(0)} ms (n=${startup.n}); first creation of the database: ${createMs.toFixed(0)} ms`,
  );
  console.log(JSON.stringify({ bench: 'embedded startup, 100k keys', unit: 'ms', keys: count, ...startup }));
  console.log(JSON.stringify({ bench: 'embedded first creation', unit: 'ms', value: Math.round(createMs) }));
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pool.end();
  await services.stop();
  rmSync(dir, { recursive: true, force: true });
  console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * The management API's key listing on PostgreSQL, on loopback.
 *
 *   node --conditions=@keyward/source --import tsx packages/dashboard/bench/list.ts
 *
 * Uses DATABASE_URL when set, a throwaway server otherwise (@keyward/test-services). One workspace
 * holds 1,000 engine-made keys (created by three people). In alternating batches it measures
 * `GET <base>/api/workspaces/<ws>/keys?limit=1000` through the dashboard handler (one query, the
 * JSON of 1,000 keys) and `keyward.list` alone (the same query, no view, no JSON), and prints their
 * p50 / p99 as JSON lines, and the handler's cost over the bare listing. Never prints a key.
 */
import { createKeyward } from '@keyward/core';
import { createDashboard } from '@keyward/dashboard';
import { postgresStore } from '@keyward/store-postgres';
import { startServices } from '@keyward/test-services';
import { measure, report } from '@keyward/bench-kit/latency';
import pg from 'pg';

const SAMPLES = Math.min(5000, Number(process.env.BENCH_SAMPLES ?? 400));
const started = Date.now();
const services = await startServices({ redis: false, redisCluster: false });
const pool = new pg.Pool({ connectionString: services.databaseUrl, max: 4 });
pool.on('error', () => undefined);
const schema = `kw_bench_dash_${Date.now().toString(36)}`;
try {
  const store = postgresStore({ pool }, { schema });
  await store.migrate();
  const keyward = createKeyward({ store });
  const people = ['user_a', 'user_b', 'user_c'];
  for (let i = 0; i < 1000; i++) await keyward.create({ workspaceId: 'ws_bench', name: `bench ${i}`, scopes: ['notes:read'], actor: people[i % 3] });
  await pool.query(`VACUUM ANALYZE "${schema}".keyward_keys`);
  const dashboard = createDashboard(keyward, {
    authorize: () => ({ id: 'user_a', name: 'A', role: 'admin' }),
    resolveNames: (ids) => Object.fromEntries(ids.map((id) => [id, id])),
  });
  const url = 'http://localhost/keyward/api/workspaces/ws_bench/keys?limit=1000';
  const r = await measure(
    {
      handler: async () => {
        const response = await dashboard(new Request(url));
        if (response.status !== 200) throw new Error(`list answered ${response.status}`);
        await response.arrayBuffer();
      },
      list: async () => {
        const page = await keyward.list({ workspaceId: 'ws_bench', limit: 1000 });
        if (page.items.length !== 1000) throw new Error('short page');
      },
    },
    { samples: SAMPLES, warmup: 20, batch: 20 },
  );
  report('dashboard list 1000 keys, PostgreSQL', r.handler!);
  report('keyward.list 1000 keys, PostgreSQL', r.list!);
  const ratio = Math.round((r.handler!.p50 / r.list!.p50) * 1000) / 1000;
  console.log(`handler / keyward.list p50: ${ratio}`);
  console.log(JSON.stringify({ bench: 'dashboard list / keyward.list p50, 1000 keys', ratio }));
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pool.end();
  await services.stop();
  console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

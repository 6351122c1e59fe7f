/**
 * Requests/s of a JSON hello-world route handler wrapped in `withApiKey` (memory store, valid key)
 * divided by the same route handler without it, in the production server of the fixture app
 * (`next build` once, cached; `next start`). Server pinned to CPU 0, the load generator of
 * bench/suites/http.ts (bench/src/alternating-load.ts) to CPU 1, loopback only: 16 keep-alive
 * connections switched between the two routes every 400 ms in ABBA order after a 4 s warm-up
 * (Next.js loads route modules and warms up slowly); the ratio is the median of the ratios of
 * neighbouring phases. Both routes are served by one server and get the same request, the
 * Authorization header included, so they share everything but the wrapper. A Next.js route costs
 * about a millisecond here, so the wrapper is lost in it.
 * Run: `node --conditions=@keyward/source --import tsx packages/next/bench/http.ts`.
 */
import { createKeyward, prefixedFormat, sha256Hasher } from '@keyward/core';
import { memoryStore } from '@keyward/store-memory';
import { compareRoutes, median } from '@keyward/bench-kit/alternating-load';
import { buildApp, startApp } from '../test/next-app.js';

const TARGET = { name: 'next', ratio: 0.95 };
const variants = { plain: '/bench/plain', keyward: '/bench/keyward' } as const;

buildApp();
const key = prefixedFormat({ prefix: 'kw' }).generate().key;
const store = memoryStore();
await createKeyward({ store }).import({ workspaceId: 'ws_bench', name: 'bench', hash: sha256Hasher().hash(key), hint: key.slice(-4) });
const server = await startApp({ now: Date.now(), prefix: 'kw', downStoreTimeout: 100, keys: store.dump(), mode: 'node' }, 'next start', '0');

const PAIRS = Number(process.env.BENCH_NEXT_PAIRS ?? 60);
let comparison: Awaited<ReturnType<typeof compareRoutes>>;
try {
  comparison = await compareRoutes({
    port: server.port,
    paths: [variants.plain, variants.keyward],
    headers: { authorization: `Bearer ${key}` },
    connections: 16,
    phaseMs: 400,
    pairs: PAIRS,
    warmupMs: 4000,
  });
} finally {
  await server.close();
}
const { ratio } = comparison;
console.log(`${TARGET.name} plain: ${Math.round(median(comparison.a))} req/s, keyward: ${Math.round(median(comparison.b))} req/s`);
console.log(
  `${TARGET.name} keyward / plain = ${ratio.median.toFixed(3)} (tenths ${ratio.min.toFixed(3)}–${ratio.max.toFixed(3)}, ${comparison.ratios.length} pairs; target ≥ ${TARGET.ratio})`,
);
console.log(
  JSON.stringify({ name: 'next route handler: withApiKey / plain req/s', ratio, target: TARGET.ratio, pass: ratio.median >= TARGET.ratio }),
);

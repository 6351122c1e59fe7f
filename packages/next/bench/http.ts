/**
 * Requests/s of a JSON hello-world route handler wrapped in `withApiKey` (memory store, valid key)
 * divided by the same route handler without it, in the production server of the fixture app
 * (`next build` once, cached; `next start`). Server pinned to CPU 0, autocannon to CPU 1, loopback
 * only; 3 s warm-up (Next.js loads route modules and warms up slowly), then 6 rounds of 4 s per
 * variant in ABBA order; the ratio is the median of the rounds' ratios (each of two neighbouring
 * runs), as in bench/suites/http.ts. Both routes are served by one server, so they share everything but the
 * wrapper. A Next.js route costs milliseconds here (≈ 500 req/s on this 2-core VM), so the ratio is
 * noisy and mostly says that the wrapper is lost in it.
 * Run: `node --conditions=@keyward/source --import tsx packages/next/bench/http.ts`.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createKeyward, prefixedFormat, sha256Hasher } from '@keyward/core';
import { memoryStore } from '@keyward/store-memory';
import { buildApp, startApp } from '../test/next-app.js';

const TARGET = { name: 'next', ratio: 0.95 };
const variants = { plain: '/bench/plain', keyward: '/bench/keyward' } as const;
type Variant = keyof typeof variants;

buildApp();
const key = prefixedFormat({ prefix: 'kw' }).generate().key;
const store = memoryStore();
await createKeyward({ store }).import({ workspaceId: 'ws_bench', name: 'bench', hash: sha256Hasher().hash(key), hint: key.slice(-4) });
const server = await startApp({ now: Date.now(), prefix: 'kw', downStoreTimeout: 100, keys: store.dump(), mode: 'node' }, 'next start', '0');

const autocannon = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
// Both variants get the same request, Authorization header included: only the wrapper differs.
const run = (path: string, seconds: number) =>
  new Promise<number>((resolve, reject) => {
    const args = ['-c', '1', process.execPath, autocannon, '-c', '50', '-d', String(seconds), '-j', '-H', `authorization=Bearer ${key}`];
    const child = spawn('taskset', [...args, `http://127.0.0.1:${server.port}${path}`], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.on('error', reject);
    child.on('close', () => {
      const result = JSON.parse(out) as { requests: { average: number }; non2xx: number; errors: number };
      if (result.non2xx > 0 || result.errors > 0) reject(new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`));
      else resolve(result.requests.average);
    });
  });

const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 6);
const SECONDS = Number(process.env.BENCH_NEXT_SECONDS ?? 4);
const names = Object.keys(variants) as Variant[];
const results: Record<Variant, number[]> = { plain: [], keyward: [] };
try {
  for (const name of names) await run(variants[name], 3);
  // ABBA order (plain, keyward, keyward, plain, …): a drift of the machine's load weighs on both
  // alike; each round gives one ratio of two neighbouring runs, and the result is their median.
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) results[name].push(await run(variants[name], SECONDS));
  }
} finally {
  await server.close();
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
for (const name of names) console.log(`${TARGET.name} ${name}: ${Math.round(median(results[name]))} req/s (runs ${results[name].map(Math.round).join(', ')})`);
const pairs = results.keyward.map((k, i) => k / results.plain[i]!);
const ratio = median(pairs);
console.log(`${TARGET.name} keyward / plain = ${ratio.toFixed(3)} (rounds ${pairs.map((p) => p.toFixed(2)).join(' ')}; target ≥ ${TARGET.ratio})`);
console.log(
  JSON.stringify({
    name: 'next route handler: withApiKey / plain req/s',
    ratio: { median: ratio, min: Math.min(...pairs), max: Math.max(...pairs) },
    target: TARGET.ratio,
    pass: ratio >= TARGET.ratio,
  }),
);

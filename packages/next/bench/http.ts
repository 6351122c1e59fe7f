/**
 * Requests/s of a JSON hello-world route handler wrapped in `withApiKey` (memory store, valid key)
 * divided by the same route handler without it, in the production server of the fixture app
 * (`next build` once, cached; `next start`). Server pinned to CPU 0, autocannon to CPU 1, loopback
 * only; 3 s warm-up (Next.js loads route modules and warms up slowly), then 3 × 5 s runs per
 * variant, alternating. Both routes are served by one server, so they share everything but the
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
const run = (path: string, seconds: number, auth: boolean) =>
  new Promise<number>((resolve, reject) => {
    const args = ['-c', '1', process.execPath, autocannon, '-c', '50', '-d', String(seconds), '-j'];
    if (auth) args.push('-H', `authorization=Bearer ${key}`);
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

const results: Record<string, number[]> = {};
const names = Object.keys(variants) as Variant[];
try {
  for (const name of names) await run(variants[name], 3, name !== 'plain');
  for (let round = 0; round < 3; round++) {
    for (const name of names) (results[name] ??= []).push(await run(variants[name], 5, name !== 'plain'));
  }
} finally {
  await server.close();
}
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[1]!;
for (const name of names) console.log(`${TARGET.name} ${name}: ${Math.round(median(results[name]!))} req/s (runs ${results[name]!.map(Math.round).join(', ')})`);
const ratio = median(results['keyward']!) / median(results['plain']!);
console.log(`${TARGET.name} keyward / plain = ${ratio.toFixed(3)} (target ≥ ${TARGET.ratio})`);
// Runs alternate, so the spread pairs each keyward run with the plain run next to it.
const pairs = results['keyward']!.map((k, i) => k / results['plain']![i]!);
console.log(
  JSON.stringify({
    name: 'next route handler: withApiKey / plain req/s',
    ratio: { median: ratio, min: Math.min(...pairs), max: Math.max(...pairs) },
    target: TARGET.ratio,
    pass: ratio >= TARGET.ratio,
  }),
);

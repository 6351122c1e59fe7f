/**
 * Requests/s of a JSON hello-world route with Keyward (memory store, valid key) divided by the same
 * route without authentication. Server pinned to CPU 0, autocannon to CPU 1, loopback only;
 * 1 s warm-up, then 3 × 5 s runs per variant, alternating. Run: `npx tsx packages/express/bench/http.ts`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createKeyward, prefixedFormat, sha256Hasher } from '@keyward/core';
import { memoryStore } from '@keyward/store-memory';
import express from 'express';
import { apiKey } from '../src/index.js';

const variants = {
  async plain() {
    const app = express();
    app.get('/hello', (_req, res) => {
      res.json({ hello: 'world' });
    });
    return app.listen(0, '127.0.0.1');
  },
  async keyward(key: string) {
    const keyward = createKeyward({ store: memoryStore() });
    await keyward.import({ workspaceId: 'ws_bench', name: 'bench', hash: sha256Hasher().hash(key), hint: key.slice(-4) });
    const app = express();
    app.get('/hello', apiKey(keyward), (_req, res) => {
      res.json({ hello: 'world' });
    });
    return app.listen(0, '127.0.0.1');
  },
};
type Variant = keyof typeof variants;
const TARGET = { name: 'express', ratio: 0.95 };

// ───────────── the same runner in every adapter's bench/http.ts ─────────────
const self = fileURLToPath(import.meta.url);
const [mode, which] = process.argv.slice(2);
if (mode === 'serve') {
  const server = await variants[which as Variant](process.env['BENCH_KEY']!);
  await once(server, 'listening');
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
} else {
  const key = prefixedFormat({ prefix: 'kw' }).generate().key;
  const autocannon = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const run = (port: number, seconds: number, auth: boolean) =>
    new Promise<number>((resolve, reject) => {
      const args = ['-c', '1', process.execPath, autocannon, '-c', '50', '-d', String(seconds), '-j'];
      if (auth) args.push('-H', `authorization=Bearer ${key}`);
      const child = spawn('taskset', [...args, `http://127.0.0.1:${port}/hello`], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c));
      child.on('error', reject);
      child.on('close', () => {
        const result = JSON.parse(out) as { requests: { average: number }; non2xx: number; errors: number };
        if (result.non2xx > 0 || result.errors > 0) reject(new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`));
        else resolve(result.requests.average);
      });
    });
  const start = async (variant: Variant) => {
    const child = spawn('taskset', ['-c', '0', process.execPath, '--import', 'tsx', self, 'serve', variant], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_KEY: key },
    });
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    return { port: Number(String(line).trim()), stop: () => child.kill() };
  };
  const results: Record<string, number[]> = {};
  const names = Object.keys(variants) as Variant[];
  const servers = await Promise.all(names.map(start));
  try {
    for (const [i, name] of names.entries()) await run(servers[i]!.port, 1, name !== 'plain');
    for (let round = 0; round < 3; round++) {
      for (const [i, name] of names.entries()) (results[name] ??= []).push(await run(servers[i]!.port, 5, name !== 'plain'));
    }
  } finally {
    for (const s of servers) s.stop();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
  for (const name of names) console.log(`${TARGET.name} ${name}: ${Math.round(median(results[name]!))} req/s (runs ${results[name]!.map(Math.round).join(', ')})`);
  for (const name of names.filter((n) => n !== 'plain')) {
    const ratio = median(results[name]!) / median(results['plain']!);
    console.log(`${TARGET.name} ${name} / plain = ${ratio.toFixed(3)}${name === 'keyward' ? ` (target ≥ ${TARGET.ratio})` : ''}`);
  }
  const extra = (TARGET as { versus?: [string, string] }).versus;
  if (extra) console.log(`${TARGET.name} ${extra[0]} / ${extra[1]} = ${(median(results[extra[0]]!) / median(results[extra[1]]!)).toFixed(3)} (target ≥ 1.0)`);
}

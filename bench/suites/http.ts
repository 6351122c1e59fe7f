/**
 * HTTP overhead per framework: requests/s of a JSON hello-world route with Keyward (memory store,
 * valid key) divided by the same route without authentication, on Express 5, Koa 3, Fastify 5 and
 * the fetch helper; and Fastify + Keyward against Fastify + @fastify/bearer-auth with one static
 * key. Each server (bench/src/http-server.ts) runs pinned to CPU 0 and serves both variants;
 * autocannon runs pinned to CPU 1 (50 connections, loopback). After a warm-up, 3 rounds of 3 s per
 * variant, alternating; the ratio is of the medians, with the spread of the paired rounds.
 * Next.js has its own (packages/next/bench/http.ts). Targets (issue 4): ≥ 0.90 Fastify, Koa, fetch;
 * ≥ 0.95 Express; Fastify + Keyward ≥ 1.0 × @fastify/bearer-auth.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 3);
const serverScript = fileURLToPath(new URL('../src/http-server.ts', import.meta.url));
const autocannon = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

interface Case {
  kind: string;
  name: string;
  base: string;
  target: number;
}
const cases: Case[] = [
  { kind: 'express', name: 'Express 5: Keyward / no auth', base: '/plain', target: 0.95 },
  { kind: 'koa', name: 'Koa 3: Keyward / no auth', base: '/plain', target: 0.9 },
  { kind: 'fastify', name: 'Fastify 5: Keyward / no auth', base: '/plain', target: 0.9 },
  { kind: 'fetch', name: 'fetch helper: Keyward / no auth', base: '/plain', target: 0.9 },
  { kind: 'fastify-bearer', name: 'Fastify 5: Keyward / @fastify/bearer-auth (one key)', base: '/bearer', target: 1.0 },
];

async function start(kind: string): Promise<{ port: number; key: string; child: ChildProcess }> {
  const child = spawn('taskset', ['-c', '0', process.execPath, '--conditions=@keyward/source', '--import', 'tsx', serverScript, kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start`)), 20_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { ...(JSON.parse(line) as { port: number; key: string }), child };
}

function load(url: string, seconds: number, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = ['-c', '1', process.execPath, autocannon, '-c', '50', '-d', String(seconds), '-j', '-H', `authorization=Bearer ${key}`, url];
    const child = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.on('error', reject);
    child.on('close', () => {
      try {
        const r = JSON.parse(out) as { requests: { average: number }; non2xx: number; errors: number };
        if (r.non2xx > 0 || r.errors > 0) reject(new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`));
        else resolve(r.requests.average);
      } catch (error) {
        reject(error);
      }
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const c of cases) {
  const server = await start(c.kind);
  try {
    const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;
    // Warm-up, excluded: the JIT and the connection pools of both routes.
    for (let i = 0; i < 2; i++) {
      await load(url(c.base), 1, server.key);
      await load(url('/keyward'), 1, server.key);
    }
    const base: number[] = [];
    const keyward: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      base.push(await load(url(c.base), SECONDS, server.key));
      keyward.push(await load(url('/keyward'), SECONDS, server.key));
    }
    const ratio = median(keyward) / median(base);
    const pairs = keyward.map((k, i) => k / base[i]!);
    console.log(`${c.name}: ${Math.round(median(keyward))} vs ${Math.round(median(base))} req/s → ${ratio.toFixed(3)} (target ≥ ${c.target}) ${ratio >= c.target ? 'PASS' : 'MISS'}`);
    console.log(JSON.stringify({ name: c.name, ratio: { median: ratio, min: Math.min(...pairs), max: Math.max(...pairs) }, target: c.target, pass: ratio >= c.target, better: 'higher' }));
    console.log(JSON.stringify({ name: `${c.kind} req/s`, keyward: { median: median(keyward), min: Math.min(...keyward), max: Math.max(...keyward) }, [c.base.slice(1)]: { median: median(base), min: Math.min(...base), max: Math.max(...base) } }));
  } finally {
    server.child.kill('SIGTERM');
  }
}

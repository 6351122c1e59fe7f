/**
 * HTTP overhead per framework: requests/s of a JSON hello-world route with Keyward (memory store,
 * valid key) divided by the same route without authentication, on Express 5, Koa 3, Fastify 5 and
 * the fetch helper; and Fastify + Keyward against Fastify + @fastify/bearer-auth with one static
 * key. Each server (bench/src/http-server.ts) runs pinned to CPU 0 and serves both variants;
 * autocannon runs pinned to CPU 1 (50 connections, loopback). After a warm-up, 12 rounds of 1 s per
 * variant in ABBA order; the ratio is the median (min–max) of the rounds' ratios, each of two
 * neighbouring runs, which copes better with a shared machine whose load drifts than a ratio of
 * medians (short runs: the two runs of a pair are close in time). Whole suite: about 2½ minutes.
 * Next.js has its own (packages/next/bench/http.ts). Targets (issue 4): ≥ 0.90 Fastify, Koa, fetch;
 * ≥ 0.95 Express; Fastify + Keyward ≥ 1.0 × @fastify/bearer-auth.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 12);
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 1);
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

interface Server {
  port: number;
  key: string;
  child: ChildProcess;
  /** CPU time the server process has used so far, µs. */
  cpu(): Promise<number>;
}

async function start(kind: string): Promise<Server> {
  const child = spawn('taskset', ['-c', '0', process.execPath, '--conditions=@keyward/source', '--import', 'tsx', serverScript, kind], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => waiting.shift()?.(l));
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start`)), 20_000);
    void next().then((l) => {
      clearTimeout(timer);
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  const cpu = async () => {
    const answer = next();
    child.stdin!.write('cpu\n');
    return Number(await answer);
  };
  return { ...(JSON.parse(line) as { port: number; key: string }), child, cpu };
}

interface Run {
  /** Requests per second. */
  rps: number;
  /** Server CPU time per request, µs. */
  cpu: number;
}

async function measure(server: Server, url: string, seconds: number): Promise<Run> {
  const before = await server.cpu();
  const { rps, total } = await load(url, seconds, server.key);
  return { rps, cpu: ((await server.cpu()) - before) / total };
}

function load(url: string, seconds: number, key: string): Promise<{ rps: number; total: number }> {
  return new Promise((resolve, reject) => {
    const args = ['-c', '1', process.execPath, autocannon, '-c', '50', '-d', String(seconds), '-j', '-H', `authorization=Bearer ${key}`, url];
    const child = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.on('error', reject);
    child.on('close', () => {
      try {
        const r = JSON.parse(out) as { requests: { average: number; total: number }; non2xx: number; errors: number };
        if (r.non2xx > 0 || r.errors > 0) reject(new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`));
        else resolve({ rps: r.requests.average, total: r.requests.total });
      } catch (error) {
        reject(error);
      }
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
// BENCH_HTTP_ONLY=fastify,koa runs a subset (by kind prefix), e.g. while profiling one adapter.
const only = process.env.BENCH_HTTP_ONLY?.split(',');
for (const c of cases.filter((c) => !only || only.some((o) => c.kind.startsWith(o)))) {
  const server = await start(c.kind);
  try {
    const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;
    // Warm-up, excluded: the JIT and the connection pools of both routes.
    for (let i = 0; i < 2; i++) {
      await load(url(c.base), 1, server.key);
      await load(url('/keyward'), 1, server.key);
    }
    // ABBA order (no auth, Keyward, Keyward, no auth, …) so that a drift of the machine's load
    // weighs on both variants alike; each round gives one ratio of two neighbouring runs.
    const base: Run[] = [];
    const keyward: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        base.push(await measure(server, url(c.base), SECONDS));
        keyward.push(await measure(server, url('/keyward'), SECONDS));
      } else {
        keyward.push(await measure(server, url('/keyward'), SECONDS));
        base.push(await measure(server, url(c.base), SECONDS));
      }
    }
    const pairs = keyward.map((k, i) => k.rps / base[i]!.rps);
    const ratio = median(pairs);
    // The same comparison in server CPU time per request (no auth ÷ Keyward, so higher is better too).
    const cpuPairs = keyward.map((k, i) => base[i]!.cpu / k.cpu);
    const range = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
    const rps = (runs: Run[]) => Math.round(median(runs.map((r) => r.rps)));
    const us = (runs: Run[]) => median(runs.map((r) => r.cpu)).toFixed(1);
    console.log(
      `${c.name}: ${rps(keyward)} vs ${rps(base)} req/s → ${ratio.toFixed(3)} (rounds ${pairs.map((p) => p.toFixed(2)).join(' ')}; target ≥ ${c.target}) ${ratio >= c.target ? 'PASS' : 'MISS'}; ` +
        `server CPU ${us(keyward)} vs ${us(base)} µs/request → ${median(cpuPairs).toFixed(3)}`,
    );
    console.log(JSON.stringify({ name: c.name, ratio: range(pairs), target: c.target, pass: ratio >= c.target, better: 'higher' }));
    console.log(
      JSON.stringify({
        name: `${c.kind} req/s`,
        keyward: range(keyward.map((r) => r.rps)),
        [c.base.slice(1)]: range(base.map((r) => r.rps)),
        unit: 'req/s',
      }),
    );
    console.log(
      JSON.stringify({
        name: `${c.kind} server CPU µs/request`,
        keyward: range(keyward.map((r) => r.cpu)),
        [c.base.slice(1)]: range(base.map((r) => r.cpu)),
        cpuRatio: range(cpuPairs),
        unit: 'µs',
      }),
    );
  } finally {
    server.child.kill('SIGTERM');
  }
}

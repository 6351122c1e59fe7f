/**
 * HTTP overhead per framework: requests/s of a JSON hello-world route with Keyward (memory store,
 * valid key) divided by the same route without authentication, on Express 5, Koa 3, Fastify 5 and
 * the fetch helper; and Fastify + Keyward against Fastify + @fastify/bearer-auth with one static
 * key. Each server (bench/src/http-server.ts) runs pinned to CPU 0 and serves both variants; the
 * load generator (bench/src/alternating-load.ts) runs pinned to CPU 1 with 50 keep-alive
 * connections on loopback and switches them between the two routes every 100 ms, in ABBA order,
 * after a 2 s warm-up. The ratio is the median of the ratios of neighbouring phases (min–max: the
 * least and greatest median of each tenth of the run); the server's CPU use over the run shows
 * that the server, not the client, was the limit. Whole suite: about 2½ minutes.
 * Next.js has its own (packages/next/bench/http.ts). Targets (issue 4): ≥ 0.90 Fastify, Koa, fetch;
 * ≥ 0.95 Express; Fastify + Keyward ≥ 1.0 × @fastify/bearer-auth.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { compareRoutes, median } from '../src/alternating-load.js';

const PAIRS = Number(process.env.BENCH_HTTP_PAIRS ?? 120);
const PHASE_MS = Number(process.env.BENCH_HTTP_PHASE_MS ?? 100);
const serverScript = fileURLToPath(new URL('../src/http-server.ts', import.meta.url));

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

// BENCH_HTTP_ONLY=fastify,koa runs a subset (by kind prefix), e.g. while profiling one adapter.
const only = process.env.BENCH_HTTP_ONLY?.split(',');
for (const c of cases.filter((c) => !only || only.some((o) => c.kind.startsWith(o)))) {
  const server = await start(c.kind);
  try {
    const result = await compareRoutes({
      port: server.port,
      paths: [c.base, '/keyward'],
      headers: { authorization: `Bearer ${server.key}` },
      phaseMs: PHASE_MS,
      pairs: PAIRS,
      serverCpu: server.cpu,
    });
    const { ratio } = result;
    const range = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
    console.log(
      `${c.name}: ${Math.round(median(result.b))} vs ${Math.round(median(result.a))} req/s → ${ratio.median.toFixed(3)} ` +
        `(tenths ${ratio.min.toFixed(3)}–${ratio.max.toFixed(3)}; target ≥ ${c.target}) ${ratio.median >= c.target ? 'PASS' : 'MISS'}; ` +
        `server busy ${(result.serverBusy! * 100).toFixed(0)} %, client ${(result.clientCpu * 100).toFixed(0)} %`,
    );
    console.log(JSON.stringify({ name: c.name, ratio, target: c.target, pass: ratio.median >= c.target, better: 'higher' }));
    console.log(JSON.stringify({ name: `${c.kind} req/s`, keyward: range(result.b), [c.base.slice(1)]: range(result.a), unit: 'req/s' }));
    console.log(
      JSON.stringify({
        name: `${c.kind} load`,
        serverBusy: result.serverBusy,
        clientCpu: result.clientCpu,
        pairs: result.ratios.length,
        emptyPhases: result.emptyPhases,
      }),
    );
  } finally {
    server.child.kill('SIGTERM');
  }
}

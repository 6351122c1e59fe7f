/**
 * HTTP overhead per framework: requests/s of a JSON hello-world route with Keyward (memory store,
 * valid key) divided by the same route without authentication, on Express 5, Koa 3, Fastify 5 and
 * the fetch helper; and Fastify + Keyward against Fastify + @fastify/bearer-auth with one static
 * key. Each server (bench/src/http-server.ts) runs pinned to CPU 0 and serves both variants; the
 * load generator (bench/src/alternating-load.ts) runs pinned to CPU 1 with 50 keep-alive
 * connections on loopback and switches them between the two routes every 100 ms, in ABBA order,
 * after a 2 s warm-up. The ratio is the median of the ratios of neighbouring phases (min–max: the
 * least and greatest median of each tenth of the run); the server's CPU use over the run shows
 * that the server, not the client, was the limit. The floor is a middleware that only takes the
 * SHA-256 of the token. Whole suite: about 7½ minutes.
 * Next.js has its own (packages/next/bench/http.ts). Target (issue 16): Keyward ÷ the floor ≥ 0.95 on
 * every framework (stretch 0.98), measured route against route; Keyward / no auth and Keyward /
 * @fastify/bearer-auth are information.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { compareRoutes, median } from '@keyward/bench-kit/alternating-load';

const PAIRS = Number(process.env.BENCH_HTTP_PAIRS ?? 120);
const PHASE_MS = Number(process.env.BENCH_HTTP_PHASE_MS ?? 100);
const serverScript = fileURLToPath(new URL('../src/http-server.ts', import.meta.url));

interface Case {
  /** The server (bench/src/http-server.ts) that serves both routes. */
  kind: string;
  name: string;
  /** Route A (the reference) and route B (measured against it). */
  paths: [string, string];
  /** Lowest acceptable B ÷ A; none for an information line. */
  target?: number;
}
const cases: Case[] = [
  // The target of each framework (issue 16): Keyward ÷ the floor, a middleware or hook that only
  // takes the SHA-256 of the token — the least any check of hashed keys must do — measured against
  // each other directly; then each against no auth, and the comparisons kept as information.
  { kind: 'express', name: 'Express 5: Keyward / the floor (SHA-256 of the token alone)', paths: ['/sha256', '/keyward'], target: 0.95 },
  { kind: 'express', name: 'Express 5: Keyward / no auth', paths: ['/plain', '/keyward'] },
  { kind: 'express', name: 'Express 5: SHA-256 of the token alone / no auth (information: the floor)', paths: ['/plain', '/sha256'] },
  // Whether verifyNow's answer at once is worth its API (issue 16): one check, two ways to wait.
  { kind: 'express', name: 'Express 5: verifyNow / await verify (information)', paths: ['/verify-await', '/verify-now'] },
  { kind: 'koa', name: 'Koa 3: Keyward / the floor (SHA-256 of the token alone)', paths: ['/sha256', '/keyward'], target: 0.95 },
  { kind: 'koa', name: 'Koa 3: Keyward / no auth', paths: ['/plain', '/keyward'] },
  { kind: 'koa', name: 'Koa 3: SHA-256 of the token alone / no auth (information: the floor)', paths: ['/plain', '/sha256'] },
  { kind: 'fastify', name: 'Fastify 5: Keyward / the floor (SHA-256 of the token alone)', paths: ['/sha256', '/keyward'], target: 0.95 },
  { kind: 'fastify', name: 'Fastify 5: Keyward / no auth', paths: ['/plain', '/keyward'] },
  { kind: 'fastify', name: 'Fastify 5: Keyward / @fastify/bearer-auth (one key) (information)', paths: ['/bearer', '/keyward'] },
  { kind: 'fastify', name: 'Fastify 5: SHA-256 of the token alone / no auth (information: the floor)', paths: ['/plain', '/sha256'] },
  { kind: 'fastify', name: 'Fastify 5: @fastify/bearer-auth (one key) / no auth (information)', paths: ['/plain', '/bearer'] },
  { kind: 'fastify', name: 'Fastify 5: verifyNow / await verify (information)', paths: ['/verify-await', '/verify-now'] },
  { kind: 'fetch', name: 'fetch helper: Keyward / the floor (SHA-256 of the token alone)', paths: ['/sha256', '/keyward'], target: 0.95 },
  { kind: 'fetch', name: 'fetch helper: Keyward / no auth', paths: ['/plain', '/keyward'] },
  { kind: 'fetch', name: 'fetch helper: SHA-256 of the token alone / no auth (information: the floor)', paths: ['/plain', '/sha256'] },
];

interface Server {
  port: number;
  key: string;
  child: ChildProcess;
  /** CPU time the server process has used so far, µs. */
  cpu(): Promise<number>;
}

async function start(kind: string): Promise<Server> {
  const child = spawn('taskset', ['-c', '0', process.execPath, '--conditions=@keyward/source', '--import', 'tsx', serverScript, kind], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
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

const range = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
const routeName = (path: string) => path.slice(1);

// BENCH_HTTP_ONLY=fastify,koa runs a subset (by kind prefix), e.g. while profiling one adapter.
const only = process.env.BENCH_HTTP_ONLY?.split(',');
const selected = cases.filter((c) => !only || only.some((o) => c.kind.startsWith(o)));
for (const kind of new Set(selected.map((c) => c.kind))) {
  const server = await start(kind);
  try {
    for (const c of selected.filter((c) => c.kind === kind)) {
      const result = await compareRoutes({
        port: server.port,
        paths: c.paths,
        headers: { authorization: `Bearer ${server.key}` },
        phaseMs: PHASE_MS,
        pairs: PAIRS,
        serverCpu: server.cpu,
      });
      const { ratio } = result;
      const [a, b] = c.paths.map(routeName) as [string, string];
      const verdict = c.target === undefined ? 'information' : `target ≥ ${c.target}) ${ratio.median >= c.target ? 'PASS' : 'MISS'}`;
      console.log(
        `${c.name}: ${Math.round(median(result.b))} vs ${Math.round(median(result.a))} req/s → ${ratio.median.toFixed(3)} ` +
          `(tenths ${ratio.min.toFixed(3)}–${ratio.max.toFixed(3)}; ${verdict}${c.target === undefined ? ')' : ''}; ` +
          `server busy ${(result.serverBusy! * 100).toFixed(0)} %, client ${(result.clientCpu * 100).toFixed(0)} %`,
      );
      if (c.target === undefined) console.log(JSON.stringify({ name: c.name, ratio }));
      else console.log(JSON.stringify({ name: c.name, ratio, target: c.target, pass: ratio.median >= c.target, better: 'higher' }));
      console.log(
        JSON.stringify({
          name: `${kind} ${b} / ${a}: req/s and load`,
          [b]: range(result.b),
          [a]: range(result.a),
          serverBusy: result.serverBusy,
          clientCpu: result.clientCpu,
          pairs: result.ratios.length,
        }),
      );
    }
  } finally {
    server.child.kill('SIGTERM');
  }
}

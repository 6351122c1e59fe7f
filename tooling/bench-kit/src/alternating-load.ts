/**
 * The load generator of the HTTP ratio benchmarks (bench/suites/http.ts, packages/next/bench/http.ts):
 * compares two routes of one server, A and B, side by side in time. It keeps `connections`
 * keep-alive connections busy (one request in flight on each, as autocannon does without
 * pipelining) and switches all of them between A and B every `phaseMs`, in ABBA order. Each phase
 * counts the answers to its own requests from the moment the last answer to the previous phase's
 * requests has come back, so no phase is credited with the other's work; the rate of a phase is
 * those answers divided by that time.
 *
 * Why not whole autocannon runs per variant: on a shared machine the load of the other tenants
 * drifts over seconds, and runs of a second or more taken one after the other disagree by ±30 %.
 * Phases of a tenth of a second, hundreds of times over, put both routes under the same
 * conditions; the ratio is the median of the ratios of neighbouring phases.
 *
 * Run pinned to its own CPU, with one JSON argument (see {@link LoadOptions}); prints one JSON line
 * ({@link LoadResult}). Every answer must be a 200: anything else stops the run with an error that
 * names the status and the path (never the headers, which carry the key).
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface LoadOptions {
  port: number;
  /** The two routes, A then B. */
  paths: [string, string];
  /** Sent with every request to both routes. */
  headers: Record<string, string>;
  /** @default 50 */
  connections?: number;
  /** Length of one phase. @default 100 */
  phaseMs?: number;
  /** Pairs of phases (one A, one B) measured after the warm-up. @default 200 */
  pairs?: number;
  /** Load before measuring (A and B alternating), for the JIT and both routes' code. @default 2000 */
  warmupMs?: number;
}

export interface LoadResult {
  /** Requests/s of route A in each measured phase, in order. */
  a: number[];
  /** Requests/s of route B in the phase paired with the same index of `a`. */
  b: number[];
  /** Phases too short to see one answer of their own after the previous phase's last one. */
  emptyPhases: number;
  /** CPU time of this process over wall time while measuring: near 1 means the client, not the server, limits. */
  clientCpu: number;
}

interface Connection {
  socket: Socket;
  /** The phase whose request is in flight. */
  phase: number;
  pending: Buffer | null;
}

/** Byte length of one complete response at the start of `buf` (Content-Length or chunked), or -1 while incomplete. */
function responseLength(buf: Buffer): number {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return -1;
  const head = buf.toString('latin1', 0, headEnd);
  const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
  if (length) {
    const total = headEnd + 4 + Number(length[1]);
    return buf.length >= total ? total : -1;
  }
  if (!/\r\ntransfer-encoding:[ \t]*chunked/i.test(head)) throw new Error('a response without Content-Length or chunked encoding');
  let at = headEnd + 4;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return -1;
    const size = Number.parseInt(buf.toString('latin1', at, lineEnd), 16);
    // The last chunk, then an empty trailer section.
    if (size === 0) return buf.length >= lineEnd + 4 ? lineEnd + 4 : -1;
    at = lineEnd + 2 + size + 2;
    if (at > buf.length) return -1;
  }
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const connections = options.connections ?? 50;
  const phaseMs = options.phaseMs ?? 100;
  const pairs = options.pairs ?? 200;
  const warmupPhases = Math.ceil((options.warmupMs ?? 2000) / phaseMs);
  const headerLines = Object.entries(options.headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const requests = options.paths.map((path) =>
    Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${options.port}\r\n${headerLines}\r\n`, 'latin1'),
  );
  // Phase p requests route A or B: warm-up alternates, then ABBA so that a drift weighs on both alike.
  const routeOf = (p: number) => (p < warmupPhases ? p % 2 : [0, 1, 1, 0][(p - warmupPhases) % 4]!);
  const totalPhases = warmupPhases + 2 * pairs;

  return new Promise((resolve, reject) => {
    const rates: number[][] = [[], []];
    let emptyPhases = 0;
    let phase = 0;
    let stale = connections; // requests of earlier phases still in flight
    let windowStart = 0;
    let answered = 0;
    let done = false;
    let cpuStart: NodeJS.CpuUsage | undefined;
    let wallStart = 0;
    const pool: Connection[] = [];

    const fail = (error: Error) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      for (const c of pool) c.socket.destroy();
      reject(error);
    };
    const send = (c: Connection) => {
      c.phase = phase;
      c.socket.write(requests[routeOf(phase)]!);
    };
    const onResponse = (c: Connection, response: Buffer) => {
      const status = response.toString('latin1', 9, 12);
      if (status !== '200') {
        fail(new Error(`${options.paths[routeOf(c.phase)]} answered ${status}`));
        return;
      }
      if (c.phase === phase) {
        answered++;
      } else if (--stale === 0) {
        windowStart = performance.now();
        answered = 0;
      }
      if (!done) send(c);
    };

    const timer = setInterval(() => {
      const now = performance.now();
      if (phase >= warmupPhases) {
        // An empty phase keeps its place (NaN), so that pairs stay neighbours; its pair is dropped.
        const empty = stale > 0 || answered === 0;
        if (empty) emptyPhases++;
        rates[routeOf(phase)]!.push(empty ? Number.NaN : (answered * 1000) / (now - windowStart));
      }
      if (phase === warmupPhases - 1) {
        cpuStart = process.cpuUsage();
        wallStart = now;
      }
      phase++;
      if (phase === totalPhases) {
        done = true;
        clearInterval(timer);
        const cpu = process.cpuUsage(cpuStart);
        for (const c of pool) c.socket.destroy();
        // ABBA: phases come in pairs of one A and one B, in either order.
        const kept = rates[0]!.map((_, i) => i).filter((i) => Number.isFinite(rates[0]![i]) && Number.isFinite(rates[1]![i]));
        resolve({
          a: kept.map((i) => rates[0]![i]!),
          b: kept.map((i) => rates[1]![i]!),
          emptyPhases,
          clientCpu: (cpu.user + cpu.system) / 1000 / (now - wallStart),
        });
        return;
      }
      stale = connections;
      answered = 0;
    }, phaseMs);

    for (let i = 0; i < connections; i++) {
      const socket = connect({ port: options.port, host: '127.0.0.1', noDelay: true });
      const c: Connection = { socket, phase: 0, pending: null };
      pool.push(c);
      socket.on('connect', () => send(c));
      socket.on('data', (chunk: Buffer) => {
        let buf = c.pending === null ? chunk : Buffer.concat([c.pending, chunk]);
        let length: number;
        try {
          length = responseLength(buf);
        } catch (error) {
          fail(error as Error);
          return;
        }
        if (length < 0) {
          c.pending = buf;
          return;
        }
        if (length !== buf.length) {
          fail(new Error('more than one response to one request'));
          return;
        }
        c.pending = null;
        buf = buf.subarray(0, length);
        onResponse(c, buf);
      });
      socket.on('error', (error) => fail(new Error(`connection to 127.0.0.1:${options.port} failed: ${error.message}`)));
      socket.on('close', () => fail(new Error('the server closed a connection')));
    }
  });
}

// Run as a script (by compareRoutes, pinned to its CPU): one JSON argument, one JSON line out.
if (process.argv[2] !== undefined && import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const result = await runLoad(JSON.parse(process.argv[2]) as LoadOptions);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** What {@link compareRoutes} measured: route B against route A. */
export interface Comparison extends LoadResult {
  /** B ÷ A of each pair of neighbouring phases. */
  ratios: number[];
  /** Median of {@link ratios}, with the least and greatest median of each tenth of the run. */
  ratio: { median: number; min: number; max: number };
  /** Server CPU time over wall time during the run, when the server reports its CPU time. */
  serverBusy?: number;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * Runs the load generator pinned to CPU 1 (the server is expected on CPU 0) against two routes and
 * compares them. `serverCpu`, when given, answers the server process's CPU time so far in µs.
 */
export async function compareRoutes(options: LoadOptions & { serverCpu?: () => Promise<number> }): Promise<Comparison> {
  const { serverCpu, ...load } = options;
  const cpuBefore = await serverCpu?.();
  const wallBefore = performance.now();
  const result = await new Promise<LoadResult>((resolve, reject) => {
    const script = fileURLToPath(import.meta.url);
    const child = spawn('taskset', ['-c', '1', process.execPath, '--import', 'tsx', script, JSON.stringify(load)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}: ${err.trim().split('\n').slice(-3).join(' ')}`));
      else resolve(JSON.parse(out) as LoadResult);
    });
  });
  const serverBusy = cpuBefore === undefined ? undefined : ((await serverCpu!()) - cpuBefore) / 1000 / (performance.now() - wallBefore);
  const ratios = result.b.map((b, i) => b / result.a[i]!);
  if (ratios.length === 0) throw new Error(`no phase measured (${result.emptyPhases} too short): lengthen phaseMs or lower connections`);
  const tenth = Math.max(1, Math.floor(ratios.length / 10));
  const blocks: number[] = [];
  for (let i = 0; i + tenth <= ratios.length; i += tenth) blocks.push(median(ratios.slice(i, i + tenth)));
  return {
    ...result,
    ratios,
    ratio: { median: median(ratios), min: Math.min(...blocks), max: Math.max(...blocks) },
    ...(serverBusy === undefined ? {} : { serverBusy }),
  };
}

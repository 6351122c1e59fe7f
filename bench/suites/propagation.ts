/**
 * Revocation propagation between two processes: the time from `revoke()` returning in this
 * process to another process (its own engine, cache warm with the key) refusing the key, over
 * PostgreSQL LISTEN/NOTIFY and over Redis pub/sub. Target: under 1 second (p99).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startServices } from '@keyward/test-services';
import { engineFor, type StoreKind } from '../src/engines.js';

const SAMPLES = Number(process.env.BENCH_PROPAGATION_SAMPLES ?? 40);
const child = fileURLToPath(new URL('../src/watch-child.ts', import.meta.url));

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

async function measure(kind: StoreKind, url: string) {
  const engine = await engineFor(kind, url);
  const { keyward } = engine;
  await keyward.ready();
  const proc = spawn(process.execPath, [...process.execArgv, child, kind], {
    env: { ...process.env, STORE_URL: url },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const events: Record<string, unknown>[] = [];
  let wake = () => {};
  createInterface({ input: proc.stdout }).on('line', (line) => {
    events.push(JSON.parse(line));
    wake();
  });
  const next = async (match: (e: Record<string, unknown>) => boolean) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const i = events.findIndex(match);
      if (i >= 0) return events.splice(i, 1)[0]!;
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`propagation bench (${kind}): the other process did not answer`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  };
  try {
    await next((e) => e.event === 'ready');
    const delays: number[] = [];
    for (let n = 0; n < SAMPLES; n++) {
      const { key, record } = await keyward.create({ workspaceId: 'ws_bench', name: `propagation ${n}` });
      proc.stdin.write(`${JSON.stringify({ n, key })}\n`);
      await next((e) => e.n === n && e.event === 'ok');
      await keyward.revoke(record.id);
      const revokedAt = Date.now();
      const refused = await next((e) => e.n === n && (e.event === 'refused' || e.event === 'timeout'));
      if (refused.event === 'timeout') throw new Error(`propagation bench (${kind}): the key was still accepted 10 s after revoke`);
      delays.push(Math.max(0, (refused.at as number) - revokedAt));
    }
    const result = {
      name: `propagation.${kind}`,
      unit: 'ms',
      samples: SAMPLES,
      p50: quantile(delays, 0.5),
      p99: quantile(delays, 0.99),
      max: Math.max(...delays),
      target: 1000,
      pass: quantile(delays, 0.99) < 1000,
    };
    console.log(
      `revocation reaches another process over ${kind}: p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms (${SAMPLES} keys; target < 1000 ms)`,
    );
    console.log(JSON.stringify(result));
  } finally {
    proc.stdin.end();
    await new Promise((resolve) => (proc.exitCode !== null ? resolve(null) : proc.once('exit', resolve)));
    await engine.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const services = await startServices({ redisCluster: false });
  try {
    await measure('postgres', services.databaseUrl);
    await measure('redis', services.redisUrl);
  } finally {
    await services.stop();
  }
}

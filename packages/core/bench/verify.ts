// Core verify throughput on the memory store (warm, valid key) against a bare SHA-256 of the same
// key string, measured side by side in one run (alternating rounds, medians).
// Run: pnpm bench (or: node --conditions=@keyward/source --import tsx packages/core/bench/verify.ts)
import { hash } from 'node:crypto';
import { createKeyward, prefixedFormat } from '@keyward/core';
import { memoryStore } from '@keyward/store-memory';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 400);

async function opsPerSecond(fn: () => unknown, isAsync: boolean): Promise<number> {
  let ops = 0;
  const end = performance.now() + ROUND_MS;
  const start = performance.now();
  if (isAsync) {
    while (performance.now() < end) for (let i = 0; i < 1000; i++, ops++) await fn();
  } else {
    let sink = 0;
    while (performance.now() < end) for (let i = 0; i < 1000; i++, ops++) sink ^= (fn() as string).length;
    if (sink === -1) console.log(sink);
  }
  return (ops / (performance.now() - start)) * 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchCoreVerify() {
  const format = prefixedFormat({ prefix: 'tipar', randomLength: 26 });
  const keyward = createKeyward({ store: memoryStore(), format });
  const { key } = await keyward.create({ workspaceId: 'ws_bench', name: 'bench', scopes: ['notes:read'] });
  const headers = { authorization: `Bearer ${key}` };
  const options = undefined;
  const check = await keyward.verify(headers, options);
  if (!check.ok) throw new Error('bench key does not verify');

  const verify = () => keyward.verify(headers, options);
  // The same pipeline without the promise (memory store: every step answers at once).
  const verifyNow = () => {
    const r = keyward.verifyNow(headers, options);
    if (r instanceof Promise || !r.ok) throw new Error('verifyNow did not answer at once with a pass');
    return r.key.id;
  };
  const bare = () => hash('sha256', key);
  // Warm-up (excluded).
  await opsPerSecond(verify, true);
  await opsPerSecond(bare, false);
  await opsPerSecond(verifyNow, false);
  const v: number[] = [];
  const s: number[] = [];
  const h: number[] = [];
  const ratios: number[] = [];
  const syncRatios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = await opsPerSecond(verify, true);
    const c = await opsPerSecond(verifyNow, false);
    const b = await opsPerSecond(bare, false);
    v.push(a);
    s.push(c);
    h.push(b);
    ratios.push(a / b);
    syncRatios.push(c / b);
  }
  return {
    name: 'core.verify-vs-sha256',
    keyLength: key.length,
    verifyOpsPerSec: { median: median(v), min: Math.min(...v), max: Math.max(...v) },
    sha256OpsPerSec: { median: median(h), min: Math.min(...h), max: Math.max(...h) },
    ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) },
    target: 0.33,
    stretch: 0.5,
    sync: {
      name: 'core.verifyNow-vs-sha256',
      verifyOpsPerSec: { median: median(s), min: Math.min(...s), max: Math.max(...s) },
      ratio: { median: median(syncRatios), min: Math.min(...syncRatios), max: Math.max(...syncRatios) },
      target: 0.33,
      stretch: 0.5,
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchCoreVerify();
  console.log(
    `core verify: ${Math.round(result.verifyOpsPerSec.median).toLocaleString('en')} ops/s, bare sha256: ${Math.round(result.sha256OpsPerSec.median).toLocaleString('en')} ops/s, ratio ${result.ratio.median.toFixed(3)} (min ${result.ratio.min.toFixed(3)}, max ${result.ratio.max.toFixed(3)}; target ≥ 0.33, stretch 0.5)`,
  );
  const { sync, ...awaited } = result;
  console.log(
    `core verifyNow: ${Math.round(sync.verifyOpsPerSec.median).toLocaleString('en')} ops/s, ratio ${sync.ratio.median.toFixed(3)} (min ${sync.ratio.min.toFixed(3)}, max ${sync.ratio.max.toFixed(3)}; target ≥ 0.33, stretch 0.5)`,
  );
  console.log(JSON.stringify(awaited));
  console.log(JSON.stringify(sync));
}

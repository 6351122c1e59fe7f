/**
 * Latency measurement shared by the store benchmarks: series measured in alternating batches, p50 /
 * p99 in milliseconds, and one JSON line per result for `pnpm bench` (scripts/bench.mjs).
 */

export interface Stats {
  p50: number;
  p99: number;
  n: number;
}

/** To a tenth of a microsecond: cache hits take a few microseconds. */
const round = (ms: number) => Math.round(ms * 10_000) / 10_000;

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: round(at(0.5)), p99: round(at(0.99)), n: sorted.length };
}

export function report(name: string, s: Stats): void {
  console.log(`${name.padEnd(36)} p50 ${s.p50.toFixed(4)} ms   p99 ${s.p99.toFixed(4)} ms   (n=${s.n})`);
  console.log(JSON.stringify({ bench: name, unit: 'ms', ...s }));
}

/** Prints a lower-is-better ratio against its target. */
export function ratio(name: string, value: number, target: number): void {
  const r = Math.round(value * 1000) / 1000;
  console.log(`${name}: ${r} (target ≤ ${target}) ${r <= target ? 'PASS' : 'MISS'}`);
  console.log(JSON.stringify({ bench: name, ratio: r, target, pass: r <= target }));
}

/**
 * Runs every series in alternating batches, so that drift and outside load hit them alike.
 * Warm-up calls are not measured.
 */
export async function measure(
  fns: Record<string, () => Promise<unknown>>,
  { samples, warmup = 1000, batch = 250 }: { samples: number; warmup?: number; batch?: number },
): Promise<Record<string, Stats>> {
  const names = Object.keys(fns);
  for (const name of names) for (let i = 0; i < warmup; i++) await fns[name]!();
  const out: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let done = 0; done < samples; done += batch) {
    for (const name of names) {
      const fn = fns[name]!;
      const series = out[name]!;
      for (let i = 0; i < batch; i++) {
        const start = process.hrtime.bigint();
        await fn();
        series.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }
  }
  return Object.fromEntries(names.map((n) => [n, stats(out[n]!)]));
}

/** A median over rounds, with the spread around it. */
export interface Range {
  median: number;
  min: number;
  max: number;
}

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The median, min and max of per-round figures. */
export const range = (xs: readonly number[]): Range => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

/**
 * What instrumentation costs a verify, measured side by side in one process (alternating rounds,
 * medians of per-round ratios):
 *
 *  1. core verify with nothing attached, this branch ÷ a baseline core (the sources of
 *     BASELINE_REF, default `main`, extracted with `git archive` under packages/core/node_modules/,
 *     and loaded beside this branch's core): target ≥ 0.98 (within 2 %), for `verify` and
 *     `verifyNow` (answered at once) on the memory store;
 *  2. verify with the OpenTelemetry SDK attached (AlwaysOn sampler, BatchSpanProcessor and a
 *     periodic metric reader, both with exporters that drop everything) ÷ without, on the memory
 *     store: the default setup (metrics through the meter provider) and the hot-path setup
 *     (metrics: 'producer', target ≥ 0.8), other variants for information; then both sides inside
 *     a request span (a verify span each time, or 1 % sampled);
 *  3. the default and the hot-path setup on PostgreSQL with the engine cache off, so that every
 *     verify is a round trip (target ≥ 0.97 for the hot-path setup), p50 latencies of
 *     alternating batches.
 *
 *   node --conditions=@keyward/source --import tsx packages/otel/bench/overhead.ts
 *
 * PostgreSQL: DATABASE_URL, or a throwaway server (@keyward/test-services). Prints readable lines
 * and one JSON line per result. Never prints a key or a hash.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as branchCore from '@keyward/core';
import { otelInstrumentation } from '@keyward/otel';
import { memoryStore } from '@keyward/store-memory';
import { postgresStore } from '@keyward/store-postgres';
import { measure, median, type Range, range } from '@keyward/bench-kit/latency';
import { startServices } from '@keyward/test-services';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import pg from 'pg';

// Parent spans propagate through awaits, as in an application with OpenTelemetry set up.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 300);
const PG_SAMPLES = Math.min(50_000, Number(process.env.BENCH_SAMPLES ?? 6000));
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

type Core = typeof branchCore;

function print(name: string, r: Range, target: number, detail: Record<string, unknown> = {}): void {
  const pass = r.median >= target;
  console.log(`${name}: ${r.median.toFixed(3)} (${r.min.toFixed(3)}–${r.max.toFixed(3)}; target ≥ ${target}) ${pass ? 'PASS' : 'MISS'}`);
  console.log(JSON.stringify({ name, ratio: r, target, pass, ...detail }));
}

/** The baseline's core sources, loaded beside this branch's (its @noble/hashes resolves from packages/core). */
async function baselineCore(ref: string): Promise<Core> {
  const dir = join(root, 'packages', 'core', 'node_modules', '.keyward-baseline', ref.replace(/[^\w.-]/g, '_'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['-C', root, 'archive', '--format=tar', ref, 'packages/core/src'], { maxBuffer: 64 << 20 });
  execFileSync('tar', ['-x', '-C', dir, '--strip-components=2'], { input: tar });
  return (await import(pathToFileURL(join(dir, 'src', 'index.ts')).href)) as Core;
}

/** Operations per second of `fn` for one round. */
async function rate(fn: () => unknown, sync: boolean): Promise<number> {
  let ops = 0;
  const start = performance.now();
  const end = start + ROUND_MS;
  if (sync) {
    let sink = 0;
    while (performance.now() < end) for (let i = 0; i < 500; i++, ops++) sink ^= fn() === undefined ? 1 : 0;
    if (sink === -1) console.log(sink);
  } else {
    while (performance.now() < end) for (let i = 0; i < 500; i++, ops++) await fn();
  }
  return (ops / (performance.now() - start)) * 1000;
}

/** Median of per-round ratios a ÷ b, rounds alternating ab, ba, ab, … */
async function alternate(a: () => unknown, b: () => unknown, sync: boolean): Promise<{ ratio: Range; a: number; b: number }> {
  await rate(a, sync);
  await rate(b, sync);
  const ratios: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let x: number;
    let y: number;
    if (r % 2 === 0) {
      x = await rate(a, sync);
      y = await rate(b, sync);
    } else {
      y = await rate(b, sync);
      x = await rate(a, sync);
    }
    as.push(x);
    bs.push(y);
    ratios.push(x / y);
  }
  return { ratio: range(ratios), a: median(as), b: median(bs) };
}

/**
 * The SDK as an application would set it up, with exporters that drop everything: every trace
 * recorded (the SDK's default sampler, for a verify without a parent span), or `ratio` of them.
 */
function sdk(ratio?: number) {
  const spans: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => undefined };
  const metricsOut: PushMetricExporter = {
    export: (_metrics, done) => done({ code: 0 }),
    shutdown: async () => undefined,
    forceFlush: async () => undefined,
    selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
  };
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(spans)],
    ...(ratio === undefined ? {} : { sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }) }),
  });
  // Keyward's metrics kept in process (metrics: 'producer'), read by the same reader.
  const producer = otelInstrumentation({ tracerProvider, metrics: 'producer' });
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: metricsOut, exportIntervalMillis: 1000, metricProducers: [producer.metricProducer] })],
  });
  const tracer = tracerProvider.getTracer('bench');
  /** `fn` inside a request span of its own (what an HTTP server instrumentation makes). */
  const inRequest =
    (fn: () => unknown): (() => Promise<unknown>) =>
    () => {
      const span = tracer.startSpan('GET /notes');
      return context.with(trace.setSpan(context.active(), span), async () => {
        try {
          return await fn();
        } finally {
          span.end();
        }
      });
    };
  return { tracerProvider, meterProvider, producer, inRequest, shutdown: () => Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]) };
}

async function engineWithKey(core: Core, store: branchCore.KeyStore, options: Partial<branchCore.KeywardOptions> = {}) {
  const keyward = core.createKeyward({
    store,
    format: core.prefixedFormat({ prefix: 'tipar', randomLength: 26 }),
    ...options,
  } as never) as branchCore.Keyward;
  const { key } = await keyward.create({ workspaceId: 'ws_bench', name: 'bench', scopes: ['notes:read'] });
  const headers = { authorization: `Bearer ${key}` };
  const check = await keyward.verify(headers);
  if (!check.ok) throw new Error('the bench key does not verify');
  return { keyward, headers };
}

// 1. Nothing attached: this branch against the baseline.
const ref = process.env.BASELINE_REF ?? 'main';
const baseline = await baselineCore(ref);
{
  const mine = await engineWithKey(branchCore, memoryStore());
  const theirs = await engineWithKey(baseline, memoryStore());
  // verify, and verifyNow (it answers at once on the memory store: no promise, the pipeline alone).
  for (const method of ['verify', 'verifyNow'] as const) {
    const r = await alternate(
      () => mine.keyward[method](mine.headers),
      () => theirs.keyward[method](theirs.headers),
      method === 'verifyNow',
    );
    print(`core ${method}, nothing attached: this branch ÷ ${ref} (memory store)`, r.ratio, 0.98, {
      opsPerSec: { branch: Math.round(r.a), baseline: Math.round(r.b) },
    });
  }
}

// 2. The SDK attached, memory store.
{
  const otel = sdk();
  const sampled = sdk(0.01);
  const plain = await engineWithKey(branchCore, memoryStore());
  const variants: [string, branchCore.Instrumentation, number][] = [
    [
      'default setup: traces, metrics through the meter provider',
      otelInstrumentation({ tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider }),
      0,
    ],
    ["hot-path setup: traces, metrics: 'producer'", otel.producer, 0.8],
    ['metrics through the meter provider only', otelInstrumentation({ meterProvider: otel.meterProvider, traces: false }), 0],
    ['traces only', otelInstrumentation({ tracerProvider: otel.tracerProvider, metrics: false }), 0],
    [
      'traces with a root span per verify (rootVerifySpans), metrics: producer',
      otelInstrumentation({ tracerProvider: otel.tracerProvider, metrics: 'producer', rootVerifySpans: true }),
      0,
    ],
    ['an instrument that does nothing (the seam alone)', { verify: () => undefined }, 0],
  ];
  for (const [label, instrument, target] of variants) {
    const with_ = await engineWithKey(branchCore, memoryStore(), { instrument });
    const r = await alternate(
      () => with_.keyward.verify(with_.headers),
      () => plain.keyward.verify(plain.headers),
      false,
    );
    print(`verify with the OpenTelemetry SDK (${label}) ÷ without (memory store)`, r.ratio, target, {
      opsPerSec: { with: Math.round(r.a), without: Math.round(r.b) },
    });
  }
  // Inside a request span (both sides): the verify then gets its keyward.verify span, recorded
  // (the default sampler) or, with 1 % of requests sampled, mostly not.
  for (const [label, setup] of [
    ['every request recorded', otel],
    ['1 % of requests sampled', sampled],
  ] as const) {
    const with_ = await engineWithKey(branchCore, memoryStore(), { instrument: setup.producer });
    const r = await alternate(
      setup.inRequest(() => with_.keyward.verify(with_.headers)),
      setup.inRequest(() => plain.keyward.verify(plain.headers)),
      false,
    );
    print(`request span + verify with the OpenTelemetry SDK (hot-path setup, ${label}) ÷ without (memory store)`, r.ratio, 0, {
      opsPerSec: { with: Math.round(r.a), without: Math.round(r.b) },
    });
  }
  await otel.shutdown();
  await sampled.shutdown();
}

// 3. The SDK attached, PostgreSQL, every verify a round trip.
{
  const services = process.env.DATABASE_URL ? null : await startServices({ redis: false, redisCluster: false });
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL ?? services!.databaseUrl, max: 4 });
  pool.on('error', () => undefined);
  const schema = `kw_bench_otel_${Date.now().toString(36)}`;
  const otel = sdk();
  try {
    const store = postgresStore({ pool }, { schema });
    await store.migrate();
    const plain = await engineWithKey(branchCore, store, { cache: false });
    const full = await engineWithKey(branchCore, store, {
      cache: false,
      instrument: otelInstrumentation({ tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider }),
    });
    const hot = await engineWithKey(branchCore, store, { cache: false, instrument: otel.producer });
    const ratios = { full: [] as number[], hot: [] as number[] };
    const p50s: { all: number; hot: number; without: number }[] = [];
    for (let r = 0; r < 5; r++) {
      const stats = await measure(
        {
          all: () => full.keyward.verify(full.headers),
          hot: () => hot.keyward.verify(hot.headers),
          without: () => plain.keyward.verify(plain.headers),
        },
        { samples: PG_SAMPLES / 5, warmup: r === 0 ? 500 : 50 },
      );
      ratios.full.push(stats.without!.p50 / stats.all!.p50);
      ratios.hot.push(stats.without!.p50 / stats.hot!.p50);
      p50s.push({ all: stats.all!.p50, hot: stats.hot!.p50, without: stats.without!.p50 });
    }
    print('verify with the OpenTelemetry SDK (default setup) ÷ without (PostgreSQL, cache off; p50 latency)', range(ratios.full), 0, {
      p50ms: p50s,
    });
    print(
      "verify with the OpenTelemetry SDK (hot-path setup: metrics: 'producer') ÷ without (PostgreSQL, cache off; p50 latency)",
      range(ratios.hot),
      0.97,
    );
  } finally {
    await otel.shutdown();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
    await services?.stop();
  }
}

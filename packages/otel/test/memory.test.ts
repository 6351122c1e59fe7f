// @keyward/otel on the memory store, through the real OpenTelemetry SDK (in-memory span exporter
// and metric reader): the spans and metrics of verify and the lifecycle, their names, attributes
// and units, parents, failures, and a scan of everything exported for the keys used.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { type KeyStore, createKeyward, hmacSha256Hasher, localInvalidationBus, prefixedFormat } from '@keyward/core';
import { DURATION_BUCKETS, otelInstrumentation } from '@keyward/otel';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { memoryStore } from '@keyward/store-memory';
import { afterEach, describe, expect, it } from 'vitest';
import {
  childrenOf,
  descriptor,
  exportedText,
  InMemoryMetricReader,
  insideSpan,
  leaked,
  points,
  secretsOf,
  spansNamed,
  telemetry,
  total,
  type Telemetry,
} from './harness.js';

const PEPPER = `pepper-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const hasher = hmacSha256Hasher({ pepper: PEPPER });
const format = prefixedFormat({ prefix: 'tst' });

let open: Pick<Telemetry, 'shutdown'>[] = [];
afterEach(async () => {
  for (const t of open) await t.shutdown();
  open = [];
});
function setup(options: { store?: KeyStore; cache?: boolean; policies?: boolean } = {}) {
  const t = telemetry();
  open.push(t);
  const keyward = createKeyward({
    store: options.store ?? memoryStore(),
    format,
    hash: hasher,
    instrument: t.instrument,
    ...(options.cache ? { cache: {} } : {}),
    ...(options.policies ? { policies: { rateLimits: [{ limit: 2, window: '1m' }] } } : {}),
  });
  return { t, keyward };
}
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('spans of verify', () => {
  it('one keyward.verify span with the outcome, key id, workspace, format, cache; no store span for an in-process store', async () => {
    const { t, keyward } = setup();
    const { key, record } = await keyward.create({ workspaceId: 'ws_a', name: 'prod' });
    t.spanExporter.reset();
    const { parent, result } = await insideSpan(t.tracerProvider, () => keyward.verify(bearer(key), { workspaceId: 'ws_a' }));
    expect(result.ok).toBe(true);
    const [span] = spansNamed(t.spans(), 'keyward.verify');
    expect(span).toBeDefined();
    expect(span!.parentSpanContext?.spanId).toBe(parent.spanId);
    expect(span!.kind).toBe(SpanKind.INTERNAL);
    expect(span!.attributes).toEqual({
      'keyward.verify.ok': true,
      'keyward.cache.hit': false,
      'keyward.key.id': record.id,
      'keyward.workspace.id': 'ws_a',
      'keyward.route.workspace_id': 'ws_a',
      'keyward.key.format': 'tst',
    });
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    // The memory store answers in process, at once: no round trip, so no store span (the
    // PostgreSQL and Redis tests have theirs; with a cache, the miss has one, see below).
    expect(childrenOf(t.spans(), span!)).toEqual([]);
  });

  it("by default, a verify gets its span only inside a recording span (the request's); metrics count every verify", async () => {
    const t = telemetry({ rootVerifySpans: false });
    open.push(t);
    const keyward = createKeyward({ store: memoryStore(), format, hash: hasher, instrument: t.instrument });
    const { key } = await keyward.create({ workspaceId: 'ws_a', name: 'prod' });
    expect((await keyward.verify(bearer(key))).ok).toBe(true);
    expect(spansNamed(t.spans(), 'keyward.verify')).toEqual([]);
    const { parent } = await insideSpan(t.tracerProvider, () => keyward.verify(bearer(key)));
    const spans = spansNamed(t.spans(), 'keyward.verify');
    expect(spans.map((s) => s.parentSpanContext?.spanId)).toEqual([parent.spanId]);
    // Lifecycle calls always get theirs.
    expect(spansNamed(t.spans(), 'keyward.create')).toHaveLength(1);
    expect(total(await t.metrics(), 'keyward.verify.requests', { 'keyward.verify.outcome': 'ok' })).toBe(2);
  });

  it('a refusal carries its code and reason, and is no span error; a malformed key makes no store call', async () => {
    const { t, keyward } = setup();
    const { key, record } = await keyward.create({ workspaceId: 'ws_a', name: 'prod' });
    await keyward.revoke(record.id);
    const other = await keyward.create({ workspaceId: 'ws_b', name: 'b' });
    t.spanExporter.reset();
    await keyward.verify(bearer(key));
    await keyward.verify(bearer(other.key), { workspaceId: 'ws_a' });
    await keyward.verify(bearer(`${key.slice(0, -3)}zzz`));
    await keyward.verify({});
    const spans = spansNamed(t.spans(), 'keyward.verify');
    expect(spans.map((s) => [s.attributes['keyward.error.code'], s.attributes['keyward.error.reason'] ?? null])).toEqual([
      ['invalid_key', 'revoked'],
      ['invalid_key', 'workspace_mismatch'],
      ['malformed_key', null],
      ['missing_credentials', null],
    ]);
    expect(spans[0]!.attributes['keyward.key.id']).toBe(record.id);
    expect(spans[1]!.attributes['keyward.workspace.id']).toBe('ws_b');
    expect(spans[1]!.attributes['keyward.route.workspace_id']).toBe('ws_a');
    for (const s of spans) expect(s.status.code).toBe(SpanStatusCode.UNSET);
    // In-process lookups are no store spans (see above); no header: no lookup at all.
    expect(childrenOf(t.spans(), spans[2]!)).toEqual([]);
    expect(childrenOf(t.spans(), spans[3]!)).toEqual([]);
    expect(spans[3]!.attributes['keyward.key.format']).toBeUndefined();
  });

  it('with a cache: keyward.cache.hit, and no store span on a hit', async () => {
    const { t, keyward } = setup({ cache: true });
    const { key } = await keyward.create({ workspaceId: 'ws_a', name: 'prod' });
    t.spanExporter.reset();
    await keyward.verify(bearer(key));
    await keyward.verify(bearer(key));
    const [miss, hit] = spansNamed(t.spans(), 'keyward.verify');
    expect([miss!.attributes['keyward.cache.hit'], hit!.attributes['keyward.cache.hit']]).toEqual([false, true]);
    // Behind a cache, the store's lookup is timed (a miss) even in process: the store call as its child.
    const children = childrenOf(t.spans(), miss!);
    expect(children.map((c) => c.name)).toEqual(['keyward.store.find_by_hash']);
    expect(children[0]!.attributes).toEqual({ 'db.system.name': 'memory', 'db.system': 'memory', 'db.operation.name': 'findByHash' });
    expect(children[0]!.kind).toBe(SpanKind.INTERNAL);
    // The child lies within its parent.
    const ns = (hr: [number, number]) => hr[0] * 1e9 + hr[1];
    expect(ns(children[0]!.startTime)).toBeGreaterThanOrEqual(ns(miss!.startTime));
    expect(ns(children[0]!.endTime)).toBeLessThanOrEqual(ns(miss!.endTime));
    expect(childrenOf(t.spans(), hit!)).toHaveLength(0);
    const metrics = await t.metrics();
    expect(total(metrics, 'keyward.cache.lookups', { 'keyward.cache.result': 'hit' })).toBe(1);
    expect(total(metrics, 'keyward.cache.lookups', { 'keyward.cache.result': 'miss' })).toBe(1);
  });

  it('a failing store: the store span is an error with error.type, the verify span too (store_unavailable)', async () => {
    const store = memoryStore();
    const { t, keyward } = setup({ store });
    const { key } = await keyward.create({ workspaceId: 'ws_a', name: 'prod' });
    const failing: KeyStore = Object.assign(Object.create(store) as KeyStore, {
      findByHash: () => {
        throw Object.assign(new Error('connection refused by a server that logs this message'), { code: 'ECONNREFUSED' });
      },
    });
    const broken = createKeyward({ store: failing, format, hash: hasher, instrument: t.instrument });
    t.spanExporter.reset();
    expect((await broken.verify(bearer(key))).ok).toBe(false);
    const [span] = spansNamed(t.spans(), 'keyward.verify');
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes['keyward.error.code']).toBe('store_unavailable');
    expect(span!.attributes['error.type']).toBe('store_unavailable');
    const [step] = childrenOf(t.spans(), span!);
    expect(step!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'ECONNREFUSED' });
    expect(step!.attributes['error.type']).toBe('ECONNREFUSED');
    const metrics = await t.metrics();
    expect(
      total(metrics, 'keyward.store.errors', { 'db.system.name': 'memory', 'db.operation.name': 'findByHash', 'error.type': 'ECONNREFUSED' }),
    ).toBe(1);
    expect(total(metrics, 'keyward.verify.requests', { 'keyward.verify.outcome': 'store_unavailable' })).toBe(1);
    expect(keyward).toBeDefined();
  });

  it('a store that does not answer in time: error.type timeout', async () => {
    const store = memoryStore();
    const t = telemetry();
    open.push(t);
    const hanging: KeyStore = Object.assign(Object.create(store) as KeyStore, { findByHash: () => new Promise<never>(() => undefined) });
    const keyward = createKeyward({ store: hanging, format, hash: hasher, instrument: t.instrument, storeTimeout: 30 });
    const { key } = await createKeyward({ store, format, hash: hasher }).create({ workspaceId: 'ws_a', name: 'x' });
    expect((await keyward.verify(bearer(key))).ok).toBe(false);
    const [span] = spansNamed(t.spans(), 'keyward.verify');
    const [step] = childrenOf(t.spans(), span!);
    expect(step!.attributes['error.type']).toBe('timeout');
    expect(total(await t.metrics(), 'keyward.store.errors', { 'error.type': 'timeout' })).toBe(1);
  });
});

describe('spans of the lifecycle', () => {
  it('keyward.create, keyward.rotate, keyward.revoke, keyward.get, keyward.list with the key id, and their store calls as children', async () => {
    const { t, keyward } = setup();
    const created = await keyward.create({ workspaceId: 'ws_a', name: 'prod' });
    const rotated = await keyward.rotate(created.record.id, { gracePeriod: '1h' });
    await keyward.revoke(rotated.record.id);
    await keyward.get(created.record.id);
    await keyward.list({ workspaceId: 'ws_a' });
    await expect(keyward.revoke('key_missing')).rejects.toThrow();
    const spans = t.spans().filter((s) => s.parentSpanContext === undefined);
    expect(spans.map((s) => s.name)).toEqual(['keyward.create', 'keyward.rotate', 'keyward.revoke', 'keyward.get', 'keyward.list', 'keyward.revoke']);
    const [create, rotate, revoke, , , missing] = spans;
    expect(create!.attributes).toEqual({ 'keyward.key.id': created.record.id, 'keyward.workspace.id': 'ws_a' });
    expect(rotate!.attributes).toEqual({
      'keyward.key.id': rotated.record.id,
      'keyward.key.previous_id': created.record.id,
      'keyward.workspace.id': 'ws_a',
    });
    expect(revoke!.attributes['keyward.key.id']).toBe(rotated.record.id);
    expect(childrenOf(t.spans(), create!).map((s) => s.name)).toEqual(['keyward.store.insert']);
    expect(childrenOf(t.spans(), rotate!).map((s) => s.name)).toEqual(['keyward.store.find_by_id', 'keyward.store.rotate']);
    expect(missing!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'not_found' });
    expect(missing!.attributes['error.type']).toBe('not_found');
    const metrics = await t.metrics();
    expect(total(metrics, 'keyward.key.created', { 'keyward.lifecycle.operation': 'create' })).toBe(1);
    expect(total(metrics, 'keyward.key.created', { 'keyward.lifecycle.operation': 'rotate' })).toBe(1);
    expect(total(metrics, 'keyward.key.revoked', { 'keyward.lifecycle.operation': 'revoke' })).toBe(1);
    expect(total(metrics, 'keyward.key.revoked')).toBe(1);
    expect(total(metrics, 'keyward.lifecycle.duration', { 'keyward.lifecycle.operation': 'revoke', 'keyward.lifecycle.outcome': 'not_found' })).toBe(
      1,
    );
  });

  it('a rotation without grace period revokes the old key (counted as revoked by rotate)', async () => {
    const { t, keyward } = setup();
    const created = await keyward.create({ workspaceId: 'ws_a', name: 'prod' });
    await keyward.rotate(created.record.id);
    expect(total(await t.metrics(), 'keyward.key.revoked', { 'keyward.lifecycle.operation': 'rotate' })).toBe(1);
  });
});

describe('metrics', () => {
  /** The engine of the metrics tests, its metrics through the meter provider or the metric producer. */
  function metricsEngine(mode: 'meter provider' | 'producer') {
    const policies = { rateLimits: [{ limit: 2, window: '1m' as const }] };
    if (mode === 'meter provider') {
      const { t, keyward } = setup({ policies: true });
      return { keyward, collect: () => t.metrics() };
    }
    const instrument = otelInstrumentation({ traces: false, metrics: 'producer' });
    const reader = new InMemoryMetricReader({ metricProducers: [instrument.metricProducer] });
    const meterProvider = new MeterProvider({ readers: [reader] });
    open.push({ shutdown: () => meterProvider.shutdown() });
    const keyward = createKeyward({ store: memoryStore(), format, hash: hasher, instrument, policies });
    const collect = async () => {
      const { resourceMetrics, errors } = await reader.collect();
      expect(errors).toEqual([]);
      return resourceMetrics;
    };
    return { keyward, collect };
  }

  // 'producer': the same series, kept in process and read through a reader's metricProducers.
  it.each(['meter provider', 'producer'] as const)(
    'verify count by outcome, duration in seconds with explicit µs-to-s buckets, policy refusals (through the %s)',
    async (mode) => {
      const { keyward, collect } = metricsEngine(mode);
      const { key } = await keyward.create({ workspaceId: 'ws_a', name: 'prod' });
      for (let i = 0; i < 3; i++) await keyward.verify(bearer(key));
      await keyward.verify(bearer(`tst_${'x'.repeat(10)}`));
      const metrics = await collect();
      expect(total(metrics, 'keyward.verify.requests', { 'keyward.verify.outcome': 'ok', 'keyward.key.format': 'tst' })).toBe(2);
      expect(total(metrics, 'keyward.verify.requests', { 'keyward.verify.outcome': 'rate_limited' })).toBe(1);
      expect(total(metrics, 'keyward.verify.requests', { 'keyward.verify.outcome': 'malformed_key' })).toBe(1);
      expect(total(metrics, 'keyward.policy.refusals', { 'keyward.error.code': 'rate_limited' })).toBe(1);
      expect(total(metrics, 'keyward.key.created', { 'keyward.lifecycle.operation': 'create' })).toBe(1);
      expect(descriptor(metrics, 'keyward.verify.duration')?.unit).toBe('s');
      expect(descriptor(metrics, 'keyward.verify.requests')?.unit).toBe('{request}');
      const histogram = points(metrics, 'keyward.verify.duration').find((p) => p.attributes['keyward.verify.outcome'] === 'ok')!.value as {
        buckets: { boundaries: number[]; counts: number[] };
        count: number;
        sum: number;
      };
      expect(histogram.buckets.boundaries).toEqual([...DURATION_BUCKETS]);
      expect(histogram.count).toBe(2);
      expect(histogram.buckets.counts.reduce((x, y) => x + y, 0)).toBe(2);
      // Seconds, not milliseconds: a verify on the memory store takes far less than 0.1 s.
      expect(histogram.sum).toBeGreaterThan(0);
      expect(histogram.sum).toBeLessThan(0.2);
      // No metric attribute is unbounded: no key id, no workspace.
      for (const scope of metrics.scopeMetrics) {
        for (const m of scope.metrics)
          for (const p of m.dataPoints) expect(Object.keys(p.attributes).filter((k) => /key\.id|workspace/.test(k))).toEqual([]);
      }
      // Cumulative: a later collection counts on.
      await keyward.verify({});
      expect(total(await collect(), 'keyward.verify.requests')).toBe(5);
    },
  );

  it('invalidation messages received, their lag, and the cache entries they drop', async () => {
    const bus = localInvalidationBus();
    const store = memoryStore();
    const one = telemetry();
    const two = telemetry();
    open.push(one, two);
    const writer = createKeyward({ store, format, hash: hasher, invalidation: bus, instrument: one.instrument });
    const reader = createKeyward({ store, format, hash: hasher, invalidation: bus, cache: {}, instrument: two.instrument });
    await Promise.all([writer.ready(), reader.ready()]);
    const { key, record } = await writer.create({ workspaceId: 'ws_a', name: 'prod' });
    expect((await reader.verify(bearer(key))).ok).toBe(true);
    await writer.revoke(record.id);
    expect((await reader.verify(bearer(key))).ok).toBe(false);
    const metrics = await two.metrics();
    expect(total(metrics, 'keyward.invalidation.messages')).toBeGreaterThanOrEqual(1);
    const lag = points(metrics, 'keyward.invalidation.lag')[0]?.value as { count: number; sum: number } | undefined;
    expect(lag?.count).toBeGreaterThanOrEqual(1);
    expect(lag!.sum).toBeGreaterThanOrEqual(0);
    expect(lag!.sum).toBeLessThan(5);
    expect(descriptor(metrics, 'keyward.invalidation.lag')?.unit).toBe('s');
    expect(total(metrics, 'keyward.cache.invalidations', { 'keyward.cache.invalidation.scope': 'key' })).toBeGreaterThanOrEqual(1);
    await Promise.all([writer.close(), reader.close()]);
  });

  it('engines sharing one meter add up in the same series', async () => {
    const t = telemetry();
    open.push(t);
    const a = createKeyward({ store: memoryStore(), format, instrument: t.instrument });
    const b = createKeyward({ store: memoryStore(), format, instrument: t.instrument });
    await a.verify({});
    await b.verify({});
    expect(total(await t.metrics(), 'keyward.verify.requests', { 'keyward.verify.outcome': 'missing_credentials' })).toBe(2);
  });
});

describe('nothing secret is exported', () => {
  it('no key, secret, hash, Authorization header or pepper in any span, event, status or metric', async () => {
    const store = memoryStore();
    const { t, keyward } = setup({ store, cache: true, policies: true });
    const keys: string[] = [];
    const a = await keyward.create({ workspaceId: 'ws_a', name: 'prod', scopes: ['notes:read'] });
    keys.push(a.key);
    const rotated = await keyward.rotate(a.record.id, { gracePeriod: '1h' });
    keys.push(rotated.key);
    for (const key of keys) {
      await keyward.verify(bearer(key));
      await keyward.verify(bearer(key), { scopes: ['notes:write'] });
      await keyward.verify(bearer(key), { workspaceId: 'ws_other' });
      await keyward.verify(bearer(`${key}x`));
      await keyward.verify({ authorization: `Basic ${key}` });
    }
    await keyward.revoke(rotated.record.id);
    await keyward.verify(bearer(rotated.key));
    const failing: KeyStore = Object.assign(Object.create(store) as KeyStore, {
      findByHash: (hash: string) => {
        // A store whose error message holds the hash it was asked for (as a database's may).
        throw new Error(`duplicate or broken row for hash ${hash}`);
      },
    });
    await createKeyward({ store: failing, format, hash: hasher, instrument: t.instrument }).verify(bearer(a.key));
    const spans = t.spans();
    expect(spans.length).toBeGreaterThan(15);
    const text = exportedText(spans, await t.metrics());
    expect(
      leaked(
        text,
        secretsOf(keys, (s) => hasher.hash(s), [PEPPER]),
      ),
    ).toEqual([]);
    // The scan can fail: the same text with one key in it is caught.
    expect(
      leaked(
        `${text} ${keys[0]}`,
        secretsOf(keys, (s) => hasher.hash(s)),
      ),
    ).not.toEqual([]);
  });
});

// One scenario for every network store: what a verify on a cache miss, a cache hit, with
// policies, across an invalidation bus, and the lifecycle export; and a scan of it all for secrets.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { type InvalidationBus, type KeyStore, createKeyward, hmacSha256Hasher, prefixedFormat } from '@keyward/core';
import { afterEach, expect, it } from 'vitest';
import { childrenOf, exportedText, insideSpan, leaked, points, secretsOf, spansNamed, telemetry, total, type Telemetry } from './harness.js';

export interface StoreScenario {
  /** `postgresql`, `redis`. */
  system: string;
  /** A store whose data no other test sees. */
  store(): Promise<KeyStore>;
  /** A bus that reaches every engine of one test (fresh channel). */
  bus(): Promise<InvalidationBus & { close(): Promise<void> }>;
  /** The store call a verify with policies makes on a cache miss (one round trip, or the lookup then the counters). */
  policyCalls: readonly string[];
}

export function describeStoreTelemetry(scenario: StoreScenario): void {
  const PEPPER = `pepper-${crypto.randomUUID()}-${crypto.randomUUID()}`;
  const hasher = hmacSha256Hasher({ pepper: PEPPER });
  const format = prefixedFormat({ prefix: 'tst' });
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  let open: Telemetry[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    for (const t of open) await t.shutdown();
    open = [];
  });
  const fresh = () => {
    const t = telemetry();
    open.push(t);
    return t;
  };

  it(`store spans carry db.system ${scenario.system}; a cache hit makes none`, async () => {
    const t = fresh();
    const keyward = createKeyward({ store: await scenario.store(), format, hash: hasher, instrument: t.instrument });
    const { key, record } = await keyward.create({ workspaceId: 'ws_a', name: 'prod' });
    t.spanExporter.reset();
    const { parent } = await insideSpan(t.tracerProvider, async () => {
      expect((await keyward.verify(bearer(key))).ok).toBe(true);
      expect((await keyward.verify(bearer(key))).ok).toBe(true);
    });
    const [miss, hit] = spansNamed(t.spans(), 'keyward.verify');
    expect(miss!.parentSpanContext?.spanId).toBe(parent.spanId);
    expect(hit!.parentSpanContext?.spanId).toBe(parent.spanId);
    expect([miss!.attributes['keyward.cache.hit'], hit!.attributes['keyward.cache.hit']]).toEqual([false, true]);
    expect(miss!.attributes['keyward.key.id']).toBe(record.id);
    const [step, ...more] = childrenOf(t.spans(), miss!);
    expect(more).toEqual([]);
    expect(step!.name).toBe('keyward.store.find_by_hash');
    expect(step!.kind).toBe(SpanKind.CLIENT);
    expect(step!.attributes).toEqual({ 'db.system.name': scenario.system, 'db.system': scenario.system, 'db.operation.name': 'findByHash' });
    expect(childrenOf(t.spans(), hit!)).toEqual([]);
    const metrics = await t.metrics();
    expect(total(metrics, 'keyward.cache.lookups', { 'keyward.cache.result': 'miss' })).toBe(1);
    expect(total(metrics, 'keyward.cache.lookups', { 'keyward.cache.result': 'hit' })).toBe(1);
    const store = points(metrics, 'keyward.store.duration').find((p) => p.attributes['db.operation.name'] === 'findByHash');
    expect(store?.attributes['db.system.name']).toBe(scenario.system);
    // A real round trip: more than a microsecond, less than the 2 s timeout.
    const h = store!.value as { sum: number; count: number };
    expect(h.count).toBe(1);
    expect(h.sum).toBeGreaterThan(0.000_001);
    expect(h.sum).toBeLessThan(2);
  });

  it('the counters of a rate limit are store calls of the verify (child spans)', async () => {
    const t = fresh();
    const keyward = createKeyward({
      store: await scenario.store(),
      format,
      hash: hasher,
      cache: false,
      policies: { rateLimits: [{ limit: 1, window: '1h' }] },
      instrument: t.instrument,
    });
    const { key } = await keyward.create({ workspaceId: 'ws_a', name: 'prod' });
    t.spanExporter.reset();
    expect((await keyward.verify(bearer(key))).ok).toBe(true);
    expect((await keyward.verify(bearer(key))).ok).toBe(false);
    const [first, second] = spansNamed(t.spans(), 'keyward.verify');
    expect(childrenOf(t.spans(), first!).map((s) => s.attributes['db.operation.name'])).toEqual(scenario.policyCalls);
    expect(second!.attributes['keyward.error.code']).toBe('rate_limited');
    expect(total(await t.metrics(), 'keyward.policy.refusals', { 'keyward.error.code': 'rate_limited' })).toBe(1);
  });

  it('invalidation messages between two engines: counted, with their lag; the publish is a step of the revoke', async () => {
    const store = await scenario.store();
    const busA = await scenario.bus();
    const busB = await scenario.bus();
    closers.push(
      () => busA.close(),
      () => busB.close(),
    );
    const ta = fresh();
    const tb = fresh();
    const writer = createKeyward({ store, format, hash: hasher, invalidation: busA, instrument: ta.instrument });
    const reader = createKeyward({ store, format, hash: hasher, invalidation: busB, instrument: tb.instrument });
    closers.unshift(
      () => writer.close(),
      () => reader.close(),
    );
    await Promise.all([writer.ready(), reader.ready()]);
    const { key, record } = await writer.create({ workspaceId: 'ws_a', name: 'prod' });
    expect((await reader.verify(bearer(key))).ok).toBe(true);
    await writer.revoke(record.id);
    const deadline = Date.now() + 5000;
    while (total(await tb.metrics(), 'keyward.invalidation.messages') < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const metrics = await tb.metrics();
    expect(total(metrics, 'keyward.invalidation.messages')).toBeGreaterThanOrEqual(1);
    const lag = points(metrics, 'keyward.invalidation.lag')[0]!.value as { count: number; sum: number };
    expect(lag.count).toBeGreaterThanOrEqual(1);
    expect(lag.sum / lag.count).toBeLessThan(1);
    expect((await reader.verify(bearer(key))).ok).toBe(false);
    const revoke = spansNamed(ta.spans(), 'keyward.revoke')[0]!;
    expect(childrenOf(ta.spans(), revoke).map((s) => s.name)).toEqual([
      'keyward.store.find_by_id',
      'keyward.store.update',
      'keyward.invalidation.publish',
    ]);
    expect(revoke.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('nothing secret in any span or metric: keys, secrets, hashes, headers, pepper', async () => {
    const t = fresh();
    const bus = await scenario.bus();
    closers.push(() => bus.close());
    const keyward = createKeyward({
      store: await scenario.store(),
      format,
      hash: [hasher],
      invalidation: bus,
      policies: { rateLimits: [{ limit: 3, window: '1h' }] },
      instrument: t.instrument,
    });
    closers.unshift(() => keyward.close());
    await keyward.ready();
    const keys: string[] = [];
    const a = await keyward.create({ workspaceId: 'ws_a', name: 'prod', scopes: ['notes:read'] });
    const b = await keyward.rotate(a.record.id, { gracePeriod: '1h' });
    keys.push(a.key, b.key);
    for (const key of keys) {
      await keyward.verify(bearer(key));
      await keyward.verify(bearer(key), { scopes: ['notes:write'] });
      await keyward.verify(bearer(key), { workspaceId: 'ws_other' });
      await keyward.verify(bearer(`${key}x`));
    }
    await keyward.revoke(b.record.id);
    await keyward.verify(bearer(b.key));
    await keyward.list({ workspaceId: 'ws_a' });
    const spans = t.spans();
    expect(spans.length).toBeGreaterThan(15);
    expect(
      leaked(
        exportedText(spans, await t.metrics()),
        secretsOf(keys, (s) => hasher.hash(s), [PEPPER]),
      ),
    ).toEqual([]);
  });
}

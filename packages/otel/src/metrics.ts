import type { Attributes, Histogram, Meter, ObservableResult } from '@opentelemetry/api';
import type { CacheEvent, LifecycleEvent, StoreCallEvent, VerifyEvent } from '@keyward/core';
import {
  ATTR_CACHE_INVALIDATION_SCOPE,
  ATTR_CACHE_RESULT,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_CODE,
  ATTR_ERROR_REASON,
  ATTR_ERROR_TYPE,
  ATTR_KEY_FORMAT,
  ATTR_LIFECYCLE_OPERATION,
  ATTR_LIFECYCLE_OUTCOME,
  ATTR_VERIFY_OUTCOME,
} from './attributes.js';

/**
 * Bucket bounds (seconds) of the verify, store and lifecycle duration histograms: a cache hit
 * takes microseconds, a store round trip a fraction of a millisecond to a few, a store timeout
 * 2 s by default. (OpenTelemetry's default buckets start at 5 ms: every verify would land in the
 * first.)
 */
export const DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
]);

/** Bucket bounds (seconds) of the invalidation lag: from sub-millisecond delivery to a slow bus. */
export const LAG_BUCKETS: readonly number[] = Object.freeze([0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/**
 * Cumulative counts kept in process and read by an observable counter at each collection: a
 * verify costs a map lookup and an addition instead of the SDK's attribute hashing (a counter
 * `add` costs as much as a whole verify on the memory store).
 */
class CountTable {
  private readonly rows = new Map<string, { readonly attributes: Attributes; value: number }>();

  add(id: string, attributes: () => Attributes, by = 1): void {
    const row = this.rows.get(id);
    if (row !== undefined) row.value += by;
    else this.rows.set(id, { attributes: attributes(), value: by });
  }

  observe(result: ObservableResult): void {
    for (const row of this.rows.values()) result.observe(row.value, row.attributes);
  }
}

/** Attribute objects reused per combination, so that recording allocates nothing once warm. */
class AttributeCache {
  private readonly map = new Map<string, Attributes>();
  get(id: string, make: () => Attributes): Attributes {
    let attributes = this.map.get(id);
    if (attributes === undefined) {
      attributes = Object.freeze(make());
      // Bounded: every part of an id comes from a small set, but a store may name itself freely.
      if (this.map.size < 1000) this.map.set(id, attributes);
    }
    return attributes;
  }
}

const seconds = (start: number, end: number) => Math.max(0, end - start) / 1000;

/** The metrics of one engine (or several: instruments are shared per meter). */
export class KeywardMetrics {
  private readonly verifyDuration: Histogram;
  private readonly storeDuration: Histogram;
  private readonly lifecycleDuration: Histogram;
  private readonly invalidationLag: Histogram;
  private readonly verifies = new CountTable();
  private readonly lookups = new CountTable();
  private readonly storeErrors = new CountTable();
  private readonly refusals = new CountTable();
  private readonly created = new CountTable();
  private readonly revoked = new CountTable();
  private readonly messages = new CountTable();
  private readonly invalidations = new CountTable();
  private readonly attributes = new AttributeCache();

  constructor(meter: Meter) {
    this.verifyDuration = meter.createHistogram('keyward.verify.duration', {
      description: 'Duration of verify calls, from the header to the answer.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
    });
    this.storeDuration = meter.createHistogram('keyward.store.duration', {
      description: 'Duration of store calls made by Keyward (lookups, counters, writes).',
      unit: 's',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
    });
    this.lifecycleDuration = meter.createHistogram('keyward.lifecycle.duration', {
      description: 'Duration of lifecycle calls (create, rotate, revoke, …).',
      unit: 's',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
    });
    this.invalidationLag = meter.createHistogram('keyward.invalidation.lag', {
      description: 'Time from the publication of an invalidation message to its arrival here (clocks of two hosts).',
      unit: 's',
      advice: { explicitBucketBoundaries: [...LAG_BUCKETS] },
    });
    const observe = (name: string, unit: string, description: string, table: CountTable) =>
      meter.createObservableCounter(name, { unit, description }).addCallback((result) => table.observe(result));
    observe('keyward.verify.requests', '{request}', 'Verify calls, by outcome.', this.verifies);
    observe('keyward.cache.lookups', '{lookup}', 'Lookups of verify calls, by whether the in-process cache answered.', this.lookups);
    observe('keyward.store.errors', '{error}', 'Store calls that failed or timed out, by store and operation.', this.storeErrors);
    observe('keyward.policy.refusals', '{refusal}', 'Requests refused by a rate limit or a quota.', this.refusals);
    observe('keyward.key.created', '{key}', 'Keys stored: created, imported, or issued by a rotation.', this.created);
    observe('keyward.key.revoked', '{key}', 'Keys revoked: by revoke, or by a rotation without grace period.', this.revoked);
    observe('keyward.invalidation.messages', '{message}', 'Invalidation messages received from the bus.', this.messages);
    observe('keyward.cache.invalidations', '{invalidation}', 'Cache entries dropped: one key, or the whole cache.', this.invalidations);
  }

  verify(event: VerifyEvent): void {
    const outcome = event.code ?? 'ok';
    const format = event.format ?? '';
    const reason = event.reason ?? '';
    this.verifies.add(`${outcome}\u0000${reason}\u0000${format}`, () => {
      const attributes: Attributes = { [ATTR_VERIFY_OUTCOME]: outcome };
      if (reason !== '') attributes[ATTR_ERROR_REASON] = reason;
      if (format !== '') attributes[ATTR_KEY_FORMAT] = format;
      return attributes;
    });
    const cache = event.cache;
    this.verifyDuration.record(
      seconds(event.start, event.end),
      this.attributes.get(`v\u0000${outcome}\u0000${cache}`, () => ({ [ATTR_VERIFY_OUTCOME]: outcome, [ATTR_CACHE_RESULT]: cache })),
    );
    if (cache !== 'none') this.lookups.add(cache, () => ({ [ATTR_CACHE_RESULT]: cache }));
    if (outcome === 'rate_limited' || outcome === 'quota_exceeded') this.refusals.add(outcome, () => ({ [ATTR_ERROR_CODE]: outcome }));
    const steps = event.steps;
    for (let i = 0; i < steps.length; i++) this.store(steps[i]!);
  }

  store(event: StoreCallEvent): void {
    const { system, operation } = event;
    const errorType = event.errorType ?? '';
    const id = `${system}\u0000${operation}\u0000${errorType}`;
    const attributes = this.attributes.get(`s\u0000${id}`, () => {
      const a: Attributes = { [ATTR_DB_SYSTEM_NAME]: system, [ATTR_DB_OPERATION_NAME]: operation };
      if (errorType !== '') a[ATTR_ERROR_TYPE] = errorType;
      return a;
    });
    this.storeDuration.record(seconds(event.start, event.end), attributes);
    if (event.outcome !== 'ok') this.storeErrors.add(id, () => attributes);
  }

  lifecycle(event: LifecycleEvent): void {
    const operation = event.operation;
    const outcome = event.code ?? 'ok';
    this.lifecycleDuration.record(
      seconds(event.start, event.end),
      this.attributes.get(`l\u0000${operation}\u0000${outcome}`, () => ({
        [ATTR_LIFECYCLE_OPERATION]: operation,
        [ATTR_LIFECYCLE_OUTCOME]: outcome,
      })),
    );
    for (const change of event.changes) {
      const table = change === 'created' ? this.created : change === 'revoked' ? this.revoked : null;
      table?.add(operation, () => ({ [ATTR_LIFECYCLE_OPERATION]: operation }));
    }
    for (const step of event.steps) this.store(step);
  }

  cache(event: CacheEvent): void {
    if (event.type === 'message') {
      this.messages.add('', () => ({}));
      if (event.lagMs !== null) this.invalidationLag.record(Math.max(0, event.lagMs) / 1000);
      return;
    }
    const scope = event.type === 'clear' ? 'all' : 'key';
    this.invalidations.add(scope, () => ({ [ATTR_CACHE_INVALIDATION_SCOPE]: scope }));
  }
}

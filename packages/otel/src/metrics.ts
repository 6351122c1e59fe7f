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

/** One combination of attribute values: its attributes, frozen, and a cumulative count. */
interface Row {
  readonly attributes: Attributes;
  value: number;
}

/**
 * Rows by up to three attribute values, through nested maps: recording a verify looks up its row
 * without building a key string or a closure. Counts are kept here and read by an observable
 * counter at each collection, so that counting costs an addition instead of the SDK's attribute
 * hashing (a counter `add` costs as much as a whole verify on the memory store).
 */
class Rows {
  private readonly rows = new Map<string, Map<string, Map<string, Row>>>();
  private size = 0;

  constructor(private readonly make: (a: string, b: string, c: string) => Attributes) {}

  row(a: string, b = '', c = ''): Row {
    let byB = this.rows.get(a);
    if (byB === undefined) {
      byB = new Map();
      this.rows.set(a, byB);
    }
    let byC = byB.get(b);
    if (byC === undefined) {
      byC = new Map();
      byB.set(b, byC);
    }
    let row = byC.get(c);
    if (row === undefined) {
      row = { attributes: Object.freeze(this.make(a, b, c)), value: 0 };
      // Bounded: every value comes from a small set (codes, formats, stores, operations).
      if (this.size < 1000) {
        byC.set(c, row);
        this.size++;
      }
    }
    return row;
  }

  observe(result: ObservableResult): void {
    for (const byB of this.rows.values())
      for (const byC of byB.values()) for (const row of byC.values()) if (row.value > 0) result.observe(row.value, row.attributes);
  }
}

const seconds = (start: number, end: number) => Math.max(0, end - start) / 1000;

/** The metrics of one engine (or several: instruments are shared per meter). */
export class KeywardMetrics {
  private readonly verifyDuration: Histogram;
  private readonly storeDuration: Histogram;
  private readonly lifecycleDuration: Histogram;
  private readonly invalidationLag: Histogram;
  private readonly verifies = new Rows((outcome, reason, format) => {
    const a: Attributes = { [ATTR_VERIFY_OUTCOME]: outcome };
    if (reason !== '') a[ATTR_ERROR_REASON] = reason;
    if (format !== '') a[ATTR_KEY_FORMAT] = format;
    return a;
  });
  private readonly verifyTimes = new Rows((outcome, cache) => ({ [ATTR_VERIFY_OUTCOME]: outcome, [ATTR_CACHE_RESULT]: cache }));
  private readonly lookups = new Rows((cache) => ({ [ATTR_CACHE_RESULT]: cache }));
  private readonly refusals = new Rows((code) => ({ [ATTR_ERROR_CODE]: code }));
  /** Store calls by system, operation and error type: the duration's attributes, and the count of errors. */
  private readonly storeCalls = new Rows((system, operation, errorType) => {
    const a: Attributes = { [ATTR_DB_SYSTEM_NAME]: system, [ATTR_DB_OPERATION_NAME]: operation };
    if (errorType !== '') a[ATTR_ERROR_TYPE] = errorType;
    return a;
  });
  private readonly lifecycleTimes = new Rows((operation, outcome) => ({ [ATTR_LIFECYCLE_OPERATION]: operation, [ATTR_LIFECYCLE_OUTCOME]: outcome }));
  private readonly created = new Rows((operation) => ({ [ATTR_LIFECYCLE_OPERATION]: operation }));
  private readonly revoked = new Rows((operation) => ({ [ATTR_LIFECYCLE_OPERATION]: operation }));
  private readonly messages = new Rows(() => ({}));
  private readonly invalidations = new Rows((scope) => ({ [ATTR_CACHE_INVALIDATION_SCOPE]: scope }));

  constructor(meter: Meter) {
    const histogram = (name: string, description: string, buckets: readonly number[]) =>
      meter.createHistogram(name, { description, unit: 's', advice: { explicitBucketBoundaries: [...buckets] } });
    this.verifyDuration = histogram('keyward.verify.duration', 'Duration of verify calls, from the header to the answer.', DURATION_BUCKETS);
    this.storeDuration = histogram(
      'keyward.store.duration',
      'Duration of store calls made by Keyward (lookups, counters, writes).',
      DURATION_BUCKETS,
    );
    this.lifecycleDuration = histogram('keyward.lifecycle.duration', 'Duration of lifecycle calls (create, rotate, revoke, …).', DURATION_BUCKETS);
    this.invalidationLag = histogram(
      'keyward.invalidation.lag',
      'Time from the publication of an invalidation message to its arrival here (clocks of two hosts).',
      LAG_BUCKETS,
    );
    const observe = (name: string, unit: string, description: string, rows: Rows) =>
      meter.createObservableCounter(name, { unit, description }).addCallback((result) => rows.observe(result));
    observe('keyward.verify.requests', '{request}', 'Verify calls, by outcome.', this.verifies);
    observe('keyward.cache.lookups', '{lookup}', 'Lookups of verify calls, by whether the in-process cache answered.', this.lookups);
    // Counted on the store-call rows with an error type only (a row with no count is not reported).
    observe('keyward.store.errors', '{error}', 'Store calls that failed or timed out, by store and operation.', this.storeCalls);
    observe('keyward.policy.refusals', '{refusal}', 'Requests refused by a rate limit or a quota.', this.refusals);
    observe('keyward.key.created', '{key}', 'Keys stored: created, imported, or issued by a rotation.', this.created);
    observe('keyward.key.revoked', '{key}', 'Keys revoked: by revoke, or by a rotation without grace period.', this.revoked);
    observe('keyward.invalidation.messages', '{message}', 'Invalidation messages received from the bus.', this.messages);
    observe('keyward.cache.invalidations', '{invalidation}', 'Cache entries dropped: one key, or the whole cache.', this.invalidations);
  }

  verify(event: VerifyEvent): void {
    const outcome = event.code ?? 'ok';
    const cache = event.cache;
    this.verifies.row(outcome, event.reason ?? '', event.format ?? '').value++;
    this.verifyDuration.record(seconds(event.start, event.end), this.verifyTimes.row(outcome, cache).attributes);
    if (cache !== 'none') this.lookups.row(cache).value++;
    if (outcome === 'rate_limited' || outcome === 'quota_exceeded') this.refusals.row(outcome).value++;
    const steps = event.steps;
    for (let i = 0; i < steps.length; i++) this.store(steps[i]!);
  }

  store(event: StoreCallEvent): void {
    const row = this.storeCalls.row(event.system, event.operation, event.errorType ?? '');
    this.storeDuration.record(seconds(event.start, event.end), row.attributes);
    if (event.outcome !== 'ok') row.value++;
  }

  lifecycle(event: LifecycleEvent): void {
    const operation = event.operation;
    this.lifecycleDuration.record(seconds(event.start, event.end), this.lifecycleTimes.row(operation, event.code ?? 'ok').attributes);
    for (const change of event.changes) {
      if (change === 'created') this.created.row(operation).value++;
      else if (change === 'revoked') this.revoked.row(operation).value++;
    }
    for (const step of event.steps) this.store(step);
  }

  cache(event: CacheEvent): void {
    if (event.type === 'message') {
      this.messages.row('').value++;
      if (event.lagMs !== null) this.invalidationLag.record(Math.max(0, event.lagMs) / 1000);
      return;
    }
    this.invalidations.row(event.type === 'clear' ? 'all' : 'key').value++;
  }
}

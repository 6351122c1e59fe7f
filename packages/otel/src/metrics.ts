import type { Histogram, Meter } from '@opentelemetry/api';
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
import { type Row, Rows } from './rows.js';

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

/** One metric of Keyward: what it is, and the rows that hold its values. */
export interface MetricDefinition {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly kind: 'counter' | 'histogram';
  readonly rows: Rows;
  /** Histograms: their bucket bounds. */
  readonly buckets?: readonly number[];
}

const seconds = (start: number, end: number) => Math.max(0, end - start) / 1000;

/**
 * The metrics of one engine (or several: one set per meter or per producer), kept in process.
 * Counters are always counts in {@link Rows}. Durations are recorded through `durations`: the
 * API's histograms (each record is the SDK's work: ≈ 0.7 µs with two attributes, most of it
 * hashing them), or histograms kept in the rows themselves, for the metric producer.
 */
export class KeywardMetrics {
  readonly definitions: readonly MetricDefinition[];
  private readonly verifies = new Rows((outcome, reason, format) => {
    const a: Record<string, string> = { [ATTR_VERIFY_OUTCOME]: outcome };
    if (reason !== '') a[ATTR_ERROR_REASON] = reason;
    if (format !== '') a[ATTR_KEY_FORMAT] = format;
    return a;
  });
  private readonly verifyTimes: Rows;
  private readonly lookups = new Rows((cache) => ({ [ATTR_CACHE_RESULT]: cache }));
  private readonly refusals = new Rows((code) => ({ [ATTR_ERROR_CODE]: code }));
  /** Store calls by system, operation and error type: the duration's attributes, and the count of errors. */
  private readonly storeCalls: Rows;
  private readonly lifecycleTimes: Rows;
  private readonly created = new Rows((operation) => ({ [ATTR_LIFECYCLE_OPERATION]: operation }));
  private readonly revoked = new Rows((operation) => ({ [ATTR_LIFECYCLE_OPERATION]: operation }));
  private readonly messages = new Rows(() => ({}));
  private readonly invalidations = new Rows((scope) => ({ [ATTR_CACHE_INVALIDATION_SCOPE]: scope }));
  private readonly lag: Rows;
  private readonly recordVerify: (row: Row, seconds: number) => void;
  private readonly recordStore: (row: Row, seconds: number) => void;
  private readonly recordLifecycle: (row: Row, seconds: number) => void;
  private readonly recordLag: (row: Row, seconds: number) => void;

  /** `meter`: metrics through the API (observable counters reading the rows, API histograms); `null`: all in the rows. */
  constructor(meter: Meter | null) {
    const kept = meter === null;
    this.verifyTimes = new Rows((outcome, cache) => ({ [ATTR_VERIFY_OUTCOME]: outcome, [ATTR_CACHE_RESULT]: cache }), kept ? DURATION_BUCKETS : null);
    this.storeCalls = new Rows(
      (system, operation, errorType) => {
        const a: Record<string, string> = { [ATTR_DB_SYSTEM_NAME]: system, [ATTR_DB_OPERATION_NAME]: operation };
        if (errorType !== '') a[ATTR_ERROR_TYPE] = errorType;
        return a;
      },
      kept ? DURATION_BUCKETS : null,
    );
    this.lifecycleTimes = new Rows(
      (operation, outcome) => ({ [ATTR_LIFECYCLE_OPERATION]: operation, [ATTR_LIFECYCLE_OUTCOME]: outcome }),
      kept ? DURATION_BUCKETS : null,
    );
    this.lag = new Rows(() => ({}), kept ? LAG_BUCKETS : null);
    const count = (name: string, unit: string, description: string, rows: Rows): MetricDefinition => ({
      name,
      unit,
      description,
      kind: 'counter',
      rows,
    });
    const time = (name: string, description: string, rows: Rows, buckets: readonly number[]): MetricDefinition => ({
      name,
      unit: 's',
      description,
      kind: 'histogram',
      rows,
      buckets,
    });
    this.definitions = Object.freeze([
      count('keyward.verify.requests', '{request}', 'Verify calls, by outcome.', this.verifies),
      time('keyward.verify.duration', 'Duration of verify calls, from the header to the answer.', this.verifyTimes, DURATION_BUCKETS),
      count('keyward.cache.lookups', '{lookup}', 'Lookups of verify calls, by whether the in-process cache answered.', this.lookups),
      count('keyward.cache.invalidations', '{invalidation}', 'Cache entries dropped: one key, or the whole cache.', this.invalidations),
      time('keyward.store.duration', 'Duration of store calls made by Keyward (lookups, counters, writes).', this.storeCalls, DURATION_BUCKETS),
      // Counted on the store-call rows with an error type only (a row with no count is not reported).
      count('keyward.store.errors', '{error}', 'Store calls that failed or timed out, by store and operation.', this.storeCalls),
      count('keyward.policy.refusals', '{refusal}', 'Requests refused by a rate limit or a quota.', this.refusals),
      count('keyward.key.created', '{key}', 'Keys stored: created, imported, or issued by a rotation.', this.created),
      count('keyward.key.revoked', '{key}', 'Keys revoked: by revoke, or by a rotation without grace period.', this.revoked),
      time('keyward.lifecycle.duration', 'Duration of lifecycle calls (create, rotate, revoke, …).', this.lifecycleTimes, DURATION_BUCKETS),
      count('keyward.invalidation.messages', '{message}', 'Invalidation messages received from the bus.', this.messages),
      time(
        'keyward.invalidation.lag',
        'Time from the publication of an invalidation message to its arrival here (clocks of two hosts).',
        this.lag,
        LAG_BUCKETS,
      ),
    ]);
    if (meter === null) {
      const inRow = (row: Row, value: number) => row.histogram!.record(value);
      this.recordVerify = this.recordStore = this.recordLifecycle = this.recordLag = inRow;
      return;
    }
    const histograms = new Map<string, Histogram>();
    for (const d of this.definitions) {
      if (d.kind === 'histogram') {
        histograms.set(
          d.name,
          meter.createHistogram(d.name, { description: d.description, unit: d.unit, advice: { explicitBucketBoundaries: [...d.buckets!] } }),
        );
      } else {
        const rows = d.rows;
        meter.createObservableCounter(d.name, { unit: d.unit, description: d.description }).addCallback((result) => {
          for (const row of rows.each()) if (row.value > 0) result.observe(row.value, row.attributes);
        });
      }
    }
    const through = (name: string) => {
      const histogram = histograms.get(name)!;
      return (row: Row, value: number) => histogram.record(value, row.attributes);
    };
    this.recordVerify = through('keyward.verify.duration');
    this.recordStore = through('keyward.store.duration');
    this.recordLifecycle = through('keyward.lifecycle.duration');
    this.recordLag = through('keyward.invalidation.lag');
  }

  verify(event: VerifyEvent): void {
    const outcome = event.code ?? 'ok';
    const cache = event.cache;
    this.verifies.row(outcome, event.reason ?? '', event.format ?? '').value++;
    this.recordVerify(this.verifyTimes.row(outcome, cache), seconds(event.start, event.end));
    if (cache !== 'none') this.lookups.row(cache).value++;
    if (outcome === 'rate_limited' || outcome === 'quota_exceeded') this.refusals.row(outcome).value++;
    const steps = event.steps;
    for (let i = 0; i < steps.length; i++) this.store(steps[i]!);
  }

  store(event: StoreCallEvent): void {
    const row = this.storeCalls.row(event.system, event.operation, event.errorType ?? '');
    this.recordStore(row, seconds(event.start, event.end));
    if (event.outcome !== 'ok') row.value++;
  }

  lifecycle(event: LifecycleEvent): void {
    const operation = event.operation;
    this.recordLifecycle(this.lifecycleTimes.row(operation, event.code ?? 'ok'), seconds(event.start, event.end));
    for (const change of event.changes) {
      if (change === 'created') this.created.row(operation).value++;
      else if (change === 'revoked') this.revoked.row(operation).value++;
    }
    for (const step of event.steps) this.store(step);
  }

  cache(event: CacheEvent): void {
    if (event.type === 'message') {
      this.messages.row('').value++;
      if (event.lagMs !== null) this.recordLag(this.lag.row(''), Math.max(0, event.lagMs) / 1000);
      return;
    }
    this.invalidations.row(event.type === 'clear' ? 'all' : 'key').value++;
  }
}

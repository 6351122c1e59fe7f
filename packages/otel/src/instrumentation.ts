import { type MeterProvider, type TracerProvider, metrics, trace } from '@opentelemetry/api';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import type { Instrumentation } from '@keyward/core';
import { KeywardMetrics } from './metrics.js';
import { metricProducer } from './producer.js';
import { KeywardTraces } from './traces.js';

/** Options of {@link otelInstrumentation}. */
export interface OtelInstrumentationOptions {
  /** Where spans go. @default the global tracer provider (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
  /** Where metrics go when `metrics` is `true`. @default the global meter provider (`metrics.getMeterProvider()`) */
  meterProvider?: MeterProvider;
  /** Record spans. @default true */
  traces?: boolean;
  /**
   * Record metrics: `true` through the meter provider (any SDK setup; each duration record is the
   * SDK's work, ≈ 0.7 µs), `'producer'` kept by Keyward in process and exported by the
   * {@link OtelInstrumentation.metricProducer} you hand to your MetricReader (≈ 0.05 µs per
   * verify: the choice for a hot path), `false` none.
   * @default true
   */
  metrics?: boolean | 'producer';
  /**
   * Make a `keyward.verify` span for a verify outside any recording span too. By default a verify
   * gets its span only inside a recording span (the request's, made by your HTTP
   * instrumentation): a verify is part of a request, and a root span per verify would cost more
   * than the verify. Lifecycle calls always get their span.
   * @default false
   */
  rootVerifySpans?: boolean;
}

/** What {@link otelInstrumentation} returns: the engine's instrument, and the metric producer. */
export interface OtelInstrumentation extends Instrumentation {
  /**
   * With `metrics: 'producer'`, Keyward's metrics for a MetricReader:
   * `new PeriodicExportingMetricReader({ exporter, metricProducers: [instrumentation.metricProducer] })`
   * (or the Prometheus exporter's `metricProducers`). Otherwise it produces nothing.
   */
  readonly metricProducer: MetricProducer;
}

/** The name of the instrumentation scope of every span and metric. */
export const INSTRUMENTATION_SCOPE = '@keyward/otel';

// One set of instruments per meter: engines that share a meter add up in the same series (two
// observable callbacks for one series would contradict each other).
const metricsByMeter = new WeakMap<object, KeywardMetrics>();

const NO_METRICS: MetricProducer = Object.freeze({
  collect: () => Promise.resolve({ resourceMetrics: { resource: undefined as never, scopeMetrics: [] }, errors: [] }),
});

/**
 * OpenTelemetry traces and metrics for an engine: pass it as `createKeyward({ instrument })`.
 * Only `@opentelemetry/api` is used: bring your own SDK (or none: without one every call is a
 * no-op of the API).
 *
 * @example
 * ```ts
 * import { otelInstrumentation } from '@keyward/otel';
 * const keyward = createKeyward({ store, instrument: otelInstrumentation() });
 * ```
 * @throws {TypeError} for options that are not an object, or a `metrics` value that is none of `true`, `false`, `'producer'`.
 */
export function otelInstrumentation(options: OtelInstrumentationOptions = {}): OtelInstrumentation {
  if (options === null || typeof options !== 'object') throw new TypeError('otelInstrumentation takes an options object');
  const mode = options.metrics ?? true;
  if (mode !== true && mode !== false && mode !== 'producer') throw new TypeError("options.metrics must be true, false or 'producer'");
  const traces =
    options.traces === false
      ? null
      : new KeywardTraces((options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE), options.rootVerifySpans === true);
  let recorder: KeywardMetrics | null = null;
  let producer = NO_METRICS;
  if (mode === 'producer') {
    recorder = new KeywardMetrics(null);
    producer = metricProducer(recorder, { name: INSTRUMENTATION_SCOPE });
  } else if (mode) {
    const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
    recorder = metricsByMeter.get(meter) ?? new KeywardMetrics(meter);
    metricsByMeter.set(meter, recorder);
  }
  const instrument: { -readonly [K in keyof OtelInstrumentation]: OtelInstrumentation[K] } = { metricProducer: producer };
  if (traces !== null && recorder !== null) {
    instrument.verify = (event) => {
      recorder.verify(event);
      traces.verify(event);
    };
    instrument.lifecycle = (event) => {
      recorder.lifecycle(event);
      traces.lifecycle(event);
    };
    instrument.store = (event) => {
      recorder.store(event);
      traces.store(event);
    };
  } else if (traces !== null) {
    instrument.verify = (event) => traces.verify(event);
    instrument.lifecycle = (event) => traces.lifecycle(event);
    instrument.store = (event) => traces.store(event);
  } else if (recorder !== null) {
    instrument.verify = (event) => recorder.verify(event);
    instrument.lifecycle = (event) => recorder.lifecycle(event);
    instrument.store = (event) => recorder.store(event);
  }
  if (recorder !== null) instrument.cache = (event) => recorder.cache(event);
  return instrument;
}

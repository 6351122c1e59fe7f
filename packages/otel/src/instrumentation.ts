import { type MeterProvider, type TracerProvider, metrics, trace } from '@opentelemetry/api';
import type { Instrumentation } from '@keyward/core';
import { KeywardMetrics } from './metrics.js';
import { KeywardTraces } from './traces.js';

/** Options of {@link otelInstrumentation}. */
export interface OtelInstrumentationOptions {
  /** Where spans go. @default the global tracer provider (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
  /** Where metrics go. @default the global meter provider (`metrics.getMeterProvider()`) */
  meterProvider?: MeterProvider;
  /** Record spans. @default true */
  traces?: boolean;
  /** Record metrics. @default true */
  metrics?: boolean;
}

/** The name of the instrumentation scope of every span and metric. */
export const INSTRUMENTATION_SCOPE = '@keyward/otel';

// One set of instruments per meter: engines that share a meter add up in the same series (two
// observable callbacks for one series would contradict each other).
const metricsByMeter = new WeakMap<object, KeywardMetrics>();

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
 */
export function otelInstrumentation(options: OtelInstrumentationOptions = {}): Instrumentation {
  if (options === null || typeof options !== 'object') throw new TypeError('otelInstrumentation takes an options object');
  const traces =
    options.traces === false ? null : new KeywardTraces((options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE));
  let recorder: KeywardMetrics | null = null;
  if (options.metrics !== false) {
    const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
    recorder = metricsByMeter.get(meter) ?? new KeywardMetrics(meter);
    metricsByMeter.set(meter, recorder);
  }
  const instrument: Instrumentation = {};
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

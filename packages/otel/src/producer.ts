import { type HrTime, ValueType } from '@opentelemetry/api';
import type { CollectionResult, MetricData, MetricProducer, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { KeywardMetrics } from './metrics.js';

// The SDK's enums, by value (this package depends on the API only; the values are part of the
// SDK's export interface that every exporter reads).
const CUMULATIVE = 1; // AggregationTemporality.CUMULATIVE
const HISTOGRAM = 0; // DataPointType.HISTOGRAM
const SUM = 3; // DataPointType.SUM

/**
 * A MetricReader keeps its own resource and takes only the scope metrics of its producers
 * (sdk-metrics MetricReader.collect): the resource of a producer's result is never read.
 */
const NO_RESOURCE = Object.freeze({
  attributes: {},
  merge: (other: unknown) => other,
  getRawAttributes: () => [],
}) as unknown as ResourceMetrics['resource'];

const hrTime = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

/**
 * Keyward's metrics, kept in process, as an OpenTelemetry `MetricProducer`: a reader that has it
 * in its `metricProducers` exports them at each collection with the SDK's own metrics. Recording a
 * verify then costs additions and a bucket search (no SDK call at all), where an API histogram
 * record costs the SDK's attribute hashing (≈ 0.7 µs with two attributes, measured on Node 20).
 * Cumulative temporality.
 */
export function metricProducer(metrics: KeywardMetrics, scope: { name: string; version?: string }): MetricProducer {
  const start = hrTime(Date.now());
  return {
    collect(): Promise<CollectionResult> {
      const end = hrTime(Date.now());
      const out: MetricData[] = [];
      for (const d of metrics.definitions) {
        const descriptor = {
          name: d.name,
          description: d.description,
          unit: d.unit,
          valueType: d.kind === 'counter' ? ValueType.INT : ValueType.DOUBLE,
        };
        if (d.kind === 'counter') {
          const dataPoints = [];
          for (const row of d.rows.each())
            if (row.value > 0) dataPoints.push({ startTime: start, endTime: end, attributes: row.attributes, value: row.value });
          if (dataPoints.length > 0)
            out.push({ descriptor, aggregationTemporality: CUMULATIVE, dataPointType: SUM, isMonotonic: true, dataPoints } as MetricData);
          continue;
        }
        const dataPoints = [];
        for (const row of d.rows.each()) {
          const h = row.histogram;
          if (h === null || h.count === 0) continue;
          dataPoints.push({
            startTime: start,
            endTime: end,
            attributes: row.attributes,
            value: { buckets: { boundaries: [...h.bounds], counts: [...h.counts] }, count: h.count, sum: h.sum, min: h.min, max: h.max },
          });
        }
        if (dataPoints.length > 0) out.push({ descriptor, aggregationTemporality: CUMULATIVE, dataPointType: HISTOGRAM, dataPoints } as MetricData);
      }
      return Promise.resolve({ resourceMetrics: { resource: NO_RESOURCE, scopeMetrics: [{ scope, metrics: out }] }, errors: [] });
    },
  };
}

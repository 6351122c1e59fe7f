import type { Instrumentation } from '@keyward/core';
import { otelInstrumentation } from '@keyward/otel';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

export interface ExampleMetrics {
  /** Pass to `createKeyward({ instrument })`; `undefined` without METRICS_PORT. */
  instrument?: Instrumentation;
  /** Where the metrics are served, or `undefined`. */
  url?: string;
  close(): Promise<void>;
}

/**
 * With METRICS_PORT: the engine's metrics through OpenTelemetry's Prometheus exporter, on
 * `http://127.0.0.1:METRICS_PORT/metrics`, every series labelled `service_name="<app>"` (so that
 * `pnpm start` can serve the metrics of every example on one URL). Without it: nothing.
 */
export async function metricsFromEnv(app: string, env: NodeJS.ProcessEnv = process.env): Promise<ExampleMetrics> {
  if (!env.METRICS_PORT) return { close: async () => undefined };
  const port = Number(env.METRICS_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError('METRICS_PORT must be a TCP port');
  // Keyward's metrics kept in process and read at each scrape (metrics: 'producer', the hot-path setup).
  const instrument = otelInstrumentation({ traces: false, metrics: 'producer' });
  const exporter = new PrometheusExporter({
    host: '127.0.0.1',
    port,
    preventServerStart: true,
    withResourceConstantLabels: /^service\.name$/,
    metricProducers: [instrument.metricProducer],
  });
  await exporter.startServer();
  const meterProvider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': app }), readers: [exporter] });
  return {
    instrument,
    url: `http://127.0.0.1:${port}/metrics`,
    close: () => meterProvider.shutdown(),
  };
}

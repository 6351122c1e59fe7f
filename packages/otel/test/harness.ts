// The OpenTelemetry SDK as the tests use it: spans in an InMemorySpanExporter (simple processor,
// exported at once), metrics read on demand by an in-memory reader, an AsyncLocalStorage context
// manager so that parent spans propagate, and helpers to find spans, points and secrets.
import { context, type SpanContext, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { type DataPoint, type Histogram, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { otelInstrumentation } from '@keyward/otel';

/** A metric reader that collects when asked (the SDK's MetricReader, no exporter). */
export class InMemoryMetricReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const contextManager = new AsyncLocalStorageContextManager().enable();
context.setGlobalContextManager(contextManager);

export interface Telemetry {
  instrument: ReturnType<typeof otelInstrumentation>;
  spanExporter: InMemorySpanExporter;
  tracerProvider: BasicTracerProvider;
  /** Every span exported so far. */
  spans(): ReadableSpan[];
  /** Collects the metrics now. */
  metrics(): Promise<ResourceMetrics>;
  shutdown(): Promise<void>;
}

/**
 * The SDK and an instrumentation on it. `rootVerifySpans` defaults to `true` here so that a verify
 * called outside any span still gets its span (the package's default, `false`, has its own test).
 */
export function telemetry(options: { rootVerifySpans?: boolean } = {}): Telemetry {
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  const reader = new InMemoryMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    instrument: otelInstrumentation({ tracerProvider, meterProvider, rootVerifySpans: options.rootVerifySpans ?? true }),
    spanExporter,
    tracerProvider,
    spans: () => spanExporter.getFinishedSpans(),
    metrics: async () => {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw errors[0];
      return resourceMetrics;
    },
    shutdown: async () => {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** The data points of one metric (all scopes). */
export function points(metrics: ResourceMetrics, name: string): DataPoint<number | Histogram>[] {
  const out: DataPoint<number | Histogram>[] = [];
  for (const scope of metrics.scopeMetrics)
    for (const m of scope.metrics) if (m.descriptor.name === name) out.push(...(m.dataPoints as DataPoint<number | Histogram>[]));
  return out;
}

/** The descriptor of one metric. */
export function descriptor(metrics: ResourceMetrics, name: string) {
  for (const scope of metrics.scopeMetrics) for (const m of scope.metrics) if (m.descriptor.name === name) return m.descriptor;
  return undefined;
}

/** The sum of a counter's points whose attributes include `where`. */
export function total(metrics: ResourceMetrics, name: string, where: Record<string, unknown> = {}): number {
  let sum = 0;
  for (const p of points(metrics, name)) {
    if (Object.entries(where).every(([k, v]) => p.attributes[k] === v)) sum += typeof p.value === 'number' ? p.value : p.value.count;
  }
  return sum;
}

export function spansNamed(spans: readonly ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((s) => s.name === name);
}

/** The spans whose parent is `parent`. */
export function childrenOf(spans: readonly ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  const id = parent.spanContext().spanId;
  return spans.filter((s) => s.parentSpanContext?.spanId === id);
}

/** Runs `fn` inside a span of its own (an HTTP server span, say); returns its context and the result. */
export async function insideSpan<T>(tracerProvider: BasicTracerProvider, fn: () => Promise<T>): Promise<{ parent: SpanContext; result: T }> {
  const tracer = tracerProvider.getTracer('test');
  const span = tracer.startSpan('GET /notes');
  try {
    const result = await context.with(trace.setSpan(context.active(), span), fn);
    return { parent: span.spanContext(), result };
  } finally {
    span.end();
  }
}

/**
 * Everything exported, as text: every span's name, attributes, events, links and status, and
 * every metric's descriptor, attributes and values. What a secret scan reads.
 */
export function exportedText(spans: readonly ReadableSpan[], metrics: ResourceMetrics): string {
  const parts: string[] = [];
  for (const s of spans) {
    parts.push(s.name, JSON.stringify(s.attributes), JSON.stringify(s.events), JSON.stringify(s.links), JSON.stringify(s.status));
    parts.push(JSON.stringify(s.resource.attributes), s.instrumentationScope.name);
  }
  parts.push(JSON.stringify(metrics.resource.attributes));
  for (const scope of metrics.scopeMetrics) parts.push(JSON.stringify(scope.metrics));
  return parts.join('\n');
}

/**
 * The secrets of a set of keys, in every form that must never be exported: the key, its secret
 * part, its hash (hex, and in upper case), the Authorization header, and any extra (a pepper).
 */
export function secretsOf(keys: readonly string[], hash: (secret: string) => string, extra: readonly string[] = []): string[] {
  const out: string[] = [...extra];
  for (const key of keys) {
    const secret = key.includes('.') ? key.slice(key.indexOf('.') + 1) : key;
    const digest = hash(secret);
    out.push(key, secret, digest, digest.toUpperCase(), `Bearer ${key}`);
  }
  return out;
}

/** The secrets found in the text (none, when all is well). */
export function leaked(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((s) => s.length >= 8 && text.includes(s)).map((s) => `${s.slice(0, 4)}… (${s.length} chars)`);
}

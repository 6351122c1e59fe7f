export { INSTRUMENTATION_SCOPE, otelInstrumentation } from './instrumentation.js';
export type { OtelInstrumentation, OtelInstrumentationOptions } from './instrumentation.js';
export { DURATION_BUCKETS, LAG_BUCKETS } from './metrics.js';
export * from './attributes.js';

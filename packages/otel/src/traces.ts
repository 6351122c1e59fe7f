import { type Attributes, type Context, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type Tracer, context, trace } from '@opentelemetry/api';
import type { LifecycleEvent, StoreCallEvent, VerifyEvent } from '@keyward/core';
import {
  ATTR_CACHE_HIT,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_CODE,
  ATTR_ERROR_REASON,
  ATTR_ERROR_TYPE,
  ATTR_KEY_FORMAT,
  ATTR_KEY_ID,
  ATTR_KEY_LEGACY,
  ATTR_KEY_PREVIOUS_ID,
  ATTR_ROUTE_WORKSPACE_ID,
  ATTR_VERIFY_OK,
  ATTR_WORKSPACE_ID,
} from './attributes.js';

/** Span names of store calls: low-cardinality, one per store method. */
const STORE_SPAN_NAMES: Record<string, string> = {
  findById: 'keyward.store.find_by_id',
  findByHash: 'keyward.store.find_by_hash',
  findByHashAndConsume: 'keyward.store.find_by_hash_and_consume',
  consumeCounters: 'keyward.store.consume_counters',
  insert: 'keyward.store.insert',
  list: 'keyward.store.list',
  update: 'keyward.store.update',
  delete: 'keyward.store.delete',
  rotate: 'keyward.store.rotate',
  addUsage: 'keyward.store.add_usage',
  touchKeys: 'keyward.store.touch_keys',
  readUsage: 'keyward.store.read_usage',
  appendAudit: 'keyward.store.append_audit',
  readAudit: 'keyward.store.read_audit',
  publish: 'keyward.invalidation.publish',
};

/** Span names of lifecycle calls. */
const LIFECYCLE_SPAN_NAMES: Record<string, string> = {
  create: 'keyward.create',
  import: 'keyward.import',
  get: 'keyward.get',
  list: 'keyward.list',
  update: 'keyward.update',
  revoke: 'keyward.revoke',
  delete: 'keyward.delete',
  rotate: 'keyward.rotate',
  usage: 'keyward.usage',
  auditLog: 'keyward.audit_log',
};

/**
 * Spans from the engine's records, after the fact: each with the start and end times the engine
 * measured, as a child of the context that is active when the record arrives (the caller's, e.g.
 * the HTTP server span), and each store call a child span of its verify or lifecycle span. A
 * verify span is made only inside a recording span unless `rootVerifySpans`. No span ever holds a
 * key, a hash or a header: the records hold none.
 */
export class KeywardTraces {
  constructor(
    private readonly tracer: Tracer,
    /** `keyward.verify` spans without a recording parent span too (see `rootVerifySpans`). */
    private readonly rootVerifySpans: boolean,
  ) {}

  verify(event: VerifyEvent): void {
    const parent = context.active();
    // A verify is part of a request: its span belongs to the request's trace, and without one
    // (no HTTP instrumentation, or a trace sampled out) it is not made — the SDK's span costs
    // ≈ 3–4 µs, several times a whole verify on a warm path (bench/overhead.ts).
    // (The root context, outside any request span, is told apart without a lookup.)
    if (!this.rootVerifySpans && (parent === ROOT_CONTEXT || trace.getSpan(parent)?.isRecording() !== true)) return;
    const attributes: Attributes = {
      [ATTR_VERIFY_OK]: event.ok,
      [ATTR_CACHE_HIT]: event.cache === 'hit',
    };
    if (event.code !== null) attributes[ATTR_ERROR_CODE] = event.code;
    if (event.reason !== null) attributes[ATTR_ERROR_REASON] = event.reason;
    if (event.keyId !== null) attributes[ATTR_KEY_ID] = event.keyId;
    if (event.workspaceId !== null) attributes[ATTR_WORKSPACE_ID] = event.workspaceId;
    if (event.routeWorkspaceId !== null) attributes[ATTR_ROUTE_WORKSPACE_ID] = event.routeWorkspaceId;
    if (event.format !== null) attributes[ATTR_KEY_FORMAT] = event.format;
    if (event.legacy) attributes[ATTR_KEY_LEGACY] = true;
    const span = this.tracer.startSpan('keyward.verify', { kind: SpanKind.INTERNAL, startTime: event.start, attributes }, parent);
    // A refused key is the verify doing its job (as a 4xx is for an HTTP server); only a store
    // failure is an error of the operation.
    if (event.code === 'store_unavailable') {
      span.setAttribute(ATTR_ERROR_TYPE, event.code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: event.code });
    }
    this.steps(span, parent, event.steps);
    span.end(event.end);
  }

  lifecycle(event: LifecycleEvent): void {
    const parent = context.active();
    const attributes: Attributes = {};
    if (event.keyId !== null) attributes[ATTR_KEY_ID] = event.keyId;
    if (event.workspaceId !== null) attributes[ATTR_WORKSPACE_ID] = event.workspaceId;
    if (event.previousKeyId != null) attributes[ATTR_KEY_PREVIOUS_ID] = event.previousKeyId;
    const span = this.tracer.startSpan(
      LIFECYCLE_SPAN_NAMES[event.operation] ?? 'keyward.lifecycle',
      { kind: SpanKind.INTERNAL, startTime: event.start, attributes },
      parent,
    );
    if (!event.ok && event.code !== null) {
      span.setAttribute(ATTR_ERROR_TYPE, event.code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: event.code });
    }
    this.steps(span, parent, event.steps);
    span.end(event.end);
  }

  /** A store call outside a verify or lifecycle call (a background write, a hash upgrade). */
  store(event: StoreCallEvent): void {
    this.storeSpan(context.active(), event);
  }

  private steps(span: Span, parent: Context, steps: readonly StoreCallEvent[]): void {
    if (steps.length === 0 || !span.isRecording()) return;
    const inner = trace.setSpan(parent, span);
    for (let i = 0; i < steps.length; i++) this.storeSpan(inner, steps[i]!);
  }

  private storeSpan(parent: Context, step: StoreCallEvent): void {
    const attributes: Attributes = {
      [ATTR_DB_SYSTEM_NAME]: step.system,
      [ATTR_DB_SYSTEM]: step.system,
      [ATTR_DB_OPERATION_NAME]: step.operation,
    };
    if (step.errorType !== undefined) attributes[ATTR_ERROR_TYPE] = step.errorType;
    const span = this.tracer.startSpan(
      STORE_SPAN_NAMES[step.operation] ?? 'keyward.store',
      // An in-process store is no remote call.
      { kind: step.system === 'memory' ? SpanKind.INTERNAL : SpanKind.CLIENT, startTime: step.start, attributes },
      parent,
    );
    if (step.outcome !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, message: step.errorType ?? step.outcome });
    span.end(step.end);
  }
}

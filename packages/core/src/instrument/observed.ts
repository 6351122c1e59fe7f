import type { Engine } from '../engine/context.js';
import type { VerifyOptions, VerifyResult } from '../engine/types.js';
import type { HeaderBag } from '../header/authorization.js';
import { isPromiseLike } from '../internal/awaitable.js';
import { observed, type Verdict, verifyHeaders, verifyToken } from '../verify/pipeline.js';
import type { CounterStore } from '../policy/types.js';
import type { KeyStore } from '../store/types.js';
import type { AuditStore } from '../audit/types.js';
import type { UsageStore } from '../usage/types.js';
import type { Probe } from './probe.js';
import type { RecordingStores } from './recording-store.js';
import { LifecycleTrace, VerifyTrace } from './trace.js';
import type { LifecycleOperation } from './types.js';

/**
 * How an instrumented engine runs a verify or a lifecycle call: the same code, over a view of the
 * engine (a child object of its context) whose stores record every call into the operation's
 * trace; one record to the instruments when it answers. An engine with nothing attached never
 * comes here (the façade tests `engine.probe` once).
 */

/** The recording stand-ins of an engine's stores, made once (see `resolveOptions`). */
export interface EngineRecorders {
  readonly store: RecordingStores<KeyStore>;
  /** The counters of the policies, when they live elsewhere than the keys. */
  readonly counters: RecordingStores<CounterStore> | null;
  readonly usage: RecordingStores<UsageStore> | null;
  readonly audit: RecordingStores<AuditStore> | null;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

const LOOKUPS = new Set(['findById', 'findByHash', 'findByHashAndConsume']);

/** The engine as one verify sees it: its store calls are steps of `trace`. */
function verifyView(engine: Engine, recorders: EngineRecorders, trace: VerifyTrace): Engine {
  const view = Object.create(engine) as Writable<Engine>;
  const store = recorders.store.for(trace, true);
  view.trace = trace;
  view.sink = trace;
  view.store = store;
  if (engine.fused !== null) view.fused = store as Engine['fused'];
  if (engine.enforcer !== null)
    view.counters = recorders.counters === null ? (store as unknown as CounterStore) : recorders.counters.for(trace, false);
  return view;
}

/**
 * Runs a verify — of a header bag, or of a bare `token` — over a recording view of the engine,
 * and tells the instruments its outcome. (No closure per call: this is the hot path of an
 * instrumented engine.)
 */
export function observedVerify(engine: Engine, probe: Probe, headers: HeaderBag | null, token: string, options: VerifyOptions | undefined): Verdict {
  const trace = new VerifyTrace(probe.now(), options?.workspaceId);
  const view = verifyView(engine, engine.recorders!, trace);
  const verdict = headers !== null ? verifyHeaders(view, headers, options) : observed(view, verifyToken(view, token, options), options);
  if (isPromiseLike(verdict)) return verdict.then((result) => finishVerify(engine, probe, trace, result));
  return finishVerify(engine, probe, trace, verdict);
}

function finishVerify(engine: Engine, probe: Probe, trace: VerifyTrace, result: VerifyResult): VerifyResult {
  const steps = trace.steps;
  let readStore = false;
  if (steps !== null) for (const step of steps) if (LOOKUPS.has(step.operation)) readStore = true;
  trace.cache = engine.cache.entries === null || !(trace.decided || readStore) ? 'none' : readStore ? 'miss' : 'hit';
  if (result.ok) {
    const key = result.key;
    trace.format = key.format;
    trace.keyId = key.id;
    trace.workspaceId = key.workspaceId;
    trace.legacy = key.legacy;
    if (key.legacy && probe.notice !== null) probe.legacyUsed(key.id, key.workspaceId, key.ownerId, key.sunsetAt ?? engine.legacy.sunset);
    trace.finish(probe, true, null, null, null);
    return result;
  }
  const { code, reason, keyId } = result.error;
  if (reason === 'workspace_mismatch' && trace.legacy && trace.workspaceId === null && engine.ownsWorkspace === undefined) {
    probe.misconfigured(
      'owns_workspace_missing',
      'a legacy key of an owner was refused on a workspace route: pass ownsWorkspace to let it reach its owner’s workspaces',
    );
  }
  trace.finish(probe, false, code, reason ?? null, keyId ?? null);
  return result;
}

/** What a lifecycle call is about, known before it runs. */
export interface LifecycleSubject {
  readonly keyId?: string | null;
  readonly workspaceId?: string | null;
}

/**
 * Runs a lifecycle call over a recording view of the engine; `describe` reads what it did from its
 * result (the new key's id, what changed), then the instruments hear of it, failure included.
 */
export async function observedLifecycle<R>(
  engine: Engine,
  probe: Probe,
  operation: LifecycleOperation,
  subject: LifecycleSubject,
  run: (view: Engine) => Promise<R>,
  describe?: (result: R, trace: LifecycleTrace) => void,
): Promise<R> {
  const recorders = engine.recorders!;
  const trace = new LifecycleTrace(probe, operation, subject.keyId ?? null, subject.workspaceId ?? null);
  const view = Object.create(engine) as Writable<Engine>;
  view.sink = trace;
  view.store = recorders.store.for(trace, false);
  // Reports read the usage and audit stores (often the key store itself).
  if (engine.usageStore !== null)
    view.usageStore = recorders.usage === null ? (view.store as unknown as UsageStore) : recorders.usage.for(trace, false);
  if (engine.auditStore !== null)
    view.auditStore = recorders.audit === null ? (view.store as unknown as AuditStore) : recorders.audit.for(trace, false);
  let result: R;
  try {
    result = await run(view);
  } catch (error) {
    trace.finish(probe, error);
    throw error;
  }
  describe?.(result, trace);
  trace.finish(probe);
  return result;
}

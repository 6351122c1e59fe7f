import type { AuditStore } from '../audit/types.js';
import { type Engine, engineRecord, type MutableEngine } from '../engine/context.js';
import type { VerifyOptions, VerifyResult } from '../engine/types.js';
import type { HeaderBag } from '../header/authorization.js';
import { isPromiseLike } from '../internal/awaitable.js';
import type { CounterStore } from '../policy/types.js';
import type { KeyStore } from '../store/types.js';
import type { UsageStore } from '../usage/types.js';
import { observed, type Verdict, verifyHeaders, verifyToken } from '../verify/pipeline.js';
import type { Probe } from './probe.js';
import type { RecordingStores } from './recording-store.js';
import { LifecycleTrace, VerifyTrace } from './trace.js';
import type { LifecycleOperation } from './types.js';

/**
 * How an instrumented engine runs a verify or a lifecycle call: the same code, over a view of the
 * engine (a copy of its context, so the pipeline sees one shape of object) whose stores record
 * every call into the operation's trace; one record to the instruments when it answers. An engine
 * with nothing attached never comes here (the façade tests `engine.probe` once).
 */

/** The recording stand-ins of an engine's stores, made once (see `resolveOptions`). */
export interface EngineRecorders {
  readonly store: RecordingStores<KeyStore>;
  /** The counters of the policies, when they live elsewhere than the keys. */
  readonly counters: RecordingStores<CounterStore> | null;
  readonly usage: RecordingStores<UsageStore> | null;
  readonly audit: RecordingStores<AuditStore> | null;
}

type View = MutableEngine;

/** Verify views kept for reuse: as many as verifies in flight at once, up to this. */
const POOL_MAX = 256;

/**
 * The views of one engine. A verify takes a view from a pool and gives it back when it answers
 * (a verify on a warm path then allocates only its trace); a lifecycle call gets a view of its own.
 */
export class Observation {
  private readonly free: View[] = [];
  /** Whether a cache stands in front of the store (the records' `cache` says `hit` or `miss`). */
  readonly cached: boolean;
  /**
   * Whether the key store is an in-process store without a cache in front (the memory store): a
   * verify's calls to it that answer at once are then checked but not timed (no round trip).
   */
  private readonly keysInProcess: boolean;

  constructor(
    private readonly engine: Engine,
    private readonly recorders: EngineRecorders,
    /** Whether the policies' counters live in an in-process store (same treatment). */
    private readonly countersInProcess: boolean,
  ) {
    this.cached = engine.cache.entries !== null;
    this.keysInProcess = engine.store.local === true && !this.cached;
  }

  /** A verify view, its trace not set yet. */
  take(): View {
    return this.free.pop() ?? this.verifyView();
  }

  /** The verify that had `view` answered. */
  release(view: View): void {
    view.trace = null;
    view.sink = null;
    if (this.free.length < POOL_MAX) this.free.push(view);
  }

  private verifyView(): View {
    const { engine, recorders } = this;
    const view: View = engineRecord(engine);
    const store = recorders.store.for(view, true, this.keysInProcess);
    view.store = store;
    if (engine.fused !== null) view.fused = store as Engine['fused'];
    if (engine.enforcer !== null) {
      // Counters in the key store share its stand-in.
      view.counters = recorders.counters === null ? (store as unknown as CounterStore) : recorders.counters.for(view, true, this.countersInProcess);
    }
    return view;
  }

  /** The view of one lifecycle call: every store call it makes is a step of `trace`. */
  lifecycleView(trace: LifecycleTrace): Engine {
    const { engine, recorders } = this;
    const view: View = engineRecord(engine);
    view.sink = trace;
    view.store = recorders.store.for(view);
    // Reports read the usage and audit stores (often the key store itself).
    if (engine.usageStore !== null) view.usageStore = recorders.usage === null ? (view.store as unknown as UsageStore) : recorders.usage.for(view);
    if (engine.auditStore !== null) view.auditStore = recorders.audit === null ? (view.store as unknown as AuditStore) : recorders.audit.for(view);
    return view;
  }
}

/**
 * Runs a verify — of a header bag, or of a bare `token` — over a view of the engine, and tells the
 * instruments its outcome. (No closure when it answers at once: this is the hot path of an
 * instrumented engine.)
 */
export function observedVerify(engine: Engine, probe: Probe, headers: HeaderBag | null, token: string, options: VerifyOptions | undefined): Verdict {
  const observation = engine.observation!;
  const view = observation.take();
  const trace = new VerifyTrace(probe.now(), options?.workspaceId ?? null);
  view.trace = trace;
  view.sink = trace;
  const verdict = headers !== null ? verifyHeaders(view, headers, options) : observed(view, verifyToken(view, token, options), options);
  if (isPromiseLike(verdict)) return verdict.then((result) => finishVerify(engine, observation, probe, view, trace, result));
  return finishVerify(engine, observation, probe, view, trace, verdict);
}

function finishVerify(engine: Engine, observation: Observation, probe: Probe, view: View, trace: VerifyTrace, result: VerifyResult): VerifyResult {
  trace.finish(probe, probe.now(), observation.cached);
  observation.release(view);
  if (result.ok) {
    const key = result.key;
    trace.ok = true;
    trace.format = key.format;
    trace.keyId = key.id;
    trace.workspaceId = key.workspaceId;
    trace.legacy = key.legacy;
    if (key.legacy && probe.notice !== null) probe.legacyUsed(key.id, key.workspaceId, key.ownerId, key.sunsetAt ?? engine.legacy.sunset);
  } else {
    const { code, reason, keyId } = result.error;
    if (reason === 'workspace_mismatch' && trace.legacy && trace.workspaceId === null && engine.ownsWorkspace === undefined) {
      probe.misconfigured(
        'owns_workspace_missing',
        'a legacy key of an owner was refused on a workspace route: pass ownsWorkspace to let it reach its owner’s workspaces',
      );
    }
    trace.code = code;
    trace.reason = reason ?? null;
    // The refusal's key id (read from the token) wins over the record's.
    if (keyId !== undefined) trace.keyId = keyId;
  }
  probe.verify?.(trace);
  return result;
}

/** What a lifecycle call is about, known before it runs. */
export interface LifecycleSubject {
  readonly keyId?: string | null;
  readonly workspaceId?: string | null;
}

/**
 * Runs a lifecycle call over a view of the engine; `describe` reads what it did from its result
 * (the new key's id, what changed), then the instruments hear of it, failure included.
 */
export async function observedLifecycle<R>(
  engine: Engine,
  probe: Probe,
  operation: LifecycleOperation,
  subject: LifecycleSubject,
  run: (view: Engine) => Promise<R>,
  describe?: (result: R, trace: LifecycleTrace) => void,
): Promise<R> {
  const trace = new LifecycleTrace(probe, operation, subject.keyId ?? null, subject.workspaceId ?? null);
  let result: R;
  try {
    result = await run(engine.observation!.lifecycleView(trace));
  } catch (error) {
    trace.finish(probe, error);
    throw error;
  }
  describe?.(result, trace);
  trace.finish(probe);
  return result;
}

import type { AuditRecorder } from '../audit/recorder.js';
import type { AuditStore } from '../audit/types.js';
import type { CoherentCache } from '../cache/coherent-cache.js';
import type { KeyFormat } from '../format/types.js';
import type { Hasher } from '../hash/hasher.js';
import type { HeaderOptions } from '../header/authorization.js';
import type { ExpiryWatch } from '../lifecycle/expiring.js';
import type { OnceGate } from '../lifecycle/once.js';
import type { PolicyEnforcer } from '../policy/enforcer.js';
import type { CounterStore, FusedCounterStore } from '../policy/types.js';
import type { Observation } from '../instrument/observed.js';
import type { Probe } from '../instrument/probe.js';
import type { StepSink, VerifyTrace } from '../instrument/trace.js';
import type { Renderer } from '../render/types.js';
import type { KeyStore, StoredKey } from '../store/types.js';
import type { UsageTracker } from '../usage/tracker.js';
import type { UsageStore } from '../usage/types.js';
import type { KeywardOptions } from './options.js';
import type { ApiKey, VerifyFailure } from './types.js';

/**
 * The engine's resolved context: the options checked once, with the parts they make (cache,
 * counters, usage tracker, audit recorder). Every module of the engine takes it as first argument.
 */
export interface Engine {
  readonly store: KeyStore;
  readonly formats: readonly KeyFormat[];
  readonly formatByName: ReadonlyMap<string, KeyFormat>;
  /** The format when there is only one (no dispatch per token). */
  readonly single: KeyFormat | null;
  /** Newest first: `hashers[0]` hashes new keys. */
  readonly hashers: readonly Hasher[];
  readonly hasherByVersion: ReadonlyMap<string, Hasher>;
  readonly currentVersion: string;
  readonly header: HeaderOptions | undefined;
  readonly renderer: Renderer;
  readonly now: () => number;
  readonly storeTimeout: number;
  readonly retryAfter: number;
  readonly legacy: { readonly sunset: Date | null; readonly deprecatedAt: Date | null; readonly link: string | undefined };
  readonly ownsWorkspace: KeywardOptions['ownsWorkspace'];
  readonly generateId: () => string;
  readonly cache: CoherentCache;
  readonly enforcer: PolicyEnforcer | null;
  /** The key store, when it also keeps the counters and can consume them in the lookup's round trip. */
  readonly fused: (KeyStore & FusedCounterStore) | null;
  readonly usageStore: UsageStore | null;
  readonly usageTracker: UsageTracker | null;
  readonly auditStore: AuditStore | null;
  readonly auditRecorder: AuditRecorder | null;
  /** Public views of stored records, memoized per stored object (see `toPublic`). */
  readonly publicViews: WeakMap<StoredKey, ApiKey>;
  /** Ids of keys whose hash is being upgraded (one upgrade at a time per key). */
  readonly upgrading: Set<string>;
  /** A failed store call as the verify result (503), made once: the pipeline's `fail` of a rejection. */
  readonly failClosed: (cause: unknown) => VerifyFailure;
  /** Expiry warnings: the response header of keys about to expire, and `key.expiring` events. */
  readonly expiryWatch: ExpiryWatch;
  /** The cross-process "once" of leak reports and expiry warnings (on the counter store), made on first use. */
  readonly once: () => OnceGate;
  /** The instruments and the logger; `null` when none is attached (nothing is timed then). */
  readonly probe: Probe | null;
  /** The views of an observed engine (with a probe), see `instrument/observed.ts`. */
  readonly observation: Observation | null;
  /** On an engine view of one observed verify: its trace. `null` on the engine itself. */
  readonly trace: VerifyTrace | null;
  /** On an engine view of one observed verify or lifecycle call: where its store calls go. */
  readonly sink: StepSink | null;
  /** On an engine view: the counters the policies consume (recording); `null`: the enforcer's own. */
  readonly counters: CounterStore | null;
}

/** An engine being built, or a view of one being set up. */
export type MutableEngine = { -readonly [K in keyof Engine]: Engine[K] };

/**
 * A copy of `fields`: the one object literal that makes the engine and every view of it (see
 * `instrument/observed.ts`), so that they share one hidden class and the pipeline's property reads
 * stay monomorphic. (A view made by `{ ...engine }` got a map of its own, with all but four fields
 * out of object: the pipeline deoptimized on "wrong map" and ran polymorphic, for the engines
 * without instruments in the same process too.) Keep the fields in the order of {@link Engine}.
 */
export function engineRecord(fields: Engine): MutableEngine {
  return {
    store: fields.store,
    formats: fields.formats,
    formatByName: fields.formatByName,
    single: fields.single,
    hashers: fields.hashers,
    hasherByVersion: fields.hasherByVersion,
    currentVersion: fields.currentVersion,
    header: fields.header,
    renderer: fields.renderer,
    now: fields.now,
    storeTimeout: fields.storeTimeout,
    retryAfter: fields.retryAfter,
    legacy: fields.legacy,
    ownsWorkspace: fields.ownsWorkspace,
    generateId: fields.generateId,
    cache: fields.cache,
    enforcer: fields.enforcer,
    fused: fields.fused,
    usageStore: fields.usageStore,
    usageTracker: fields.usageTracker,
    auditStore: fields.auditStore,
    auditRecorder: fields.auditRecorder,
    publicViews: fields.publicViews,
    upgrading: fields.upgrading,
    failClosed: fields.failClosed,
    expiryWatch: fields.expiryWatch,
    once: fields.once,
    probe: fields.probe,
    observation: fields.observation,
    trace: fields.trace,
    sink: fields.sink,
    counters: fields.counters,
  };
}

import { AuditRecorder } from '../audit/recorder.js';
import type { AuditOptions, AuditStore } from '../audit/types.js';
import { CoherentCache } from '../cache/coherent-cache.js';
import type { InvalidationBus } from '../cache/invalidation.js';
import type { CacheOptions } from '../cache/verify-cache.js';
import type { KeyFormat } from '../format/types.js';
import type { Hasher } from '../hash/hasher.js';
import type { HeaderOptions } from '../header/authorization.js';
import { scrubKeys } from '../helpers.js';
import { randomString } from '../internal/random.js';
import { boundedOrNull } from '../policy/bounded-counters.js';
import { PolicyEnforcer } from '../policy/enforcer.js';
import type { CounterStore, FusedCounterStore, PolicyOption } from '../policy/types.js';
import { problemDetails } from '../render/problem-details.js';
import type { Renderer } from '../render/types.js';
import type { Awaitable, KeyStore } from '../store/types.js';
import { UsageTracker } from '../usage/tracker.js';
import { Attachment } from '../instrument/attach.js';
import { createProbe } from '../instrument/probe.js';
import type { Instrumentation, Logger } from '../instrument/types.js';
import type { UsageOptions, UsageStore } from '../usage/types.js';
import { ExpiryWatch, type ExpiryOptions } from '../lifecycle/expiring.js';
import { countersOf, onceGate, type OnceGate } from '../lifecycle/once.js';
import { read } from '../verify/lookup.js';
import { toDate } from '../lifecycle/checks.js';
import { unavailable } from '../verify/results.js';
import { type Engine, engineRecord, type MutableEngine } from './context.js';
import { byName, checkBus, checkFormats, checkHashers, checkStore, storeWith } from './option-checks.js';

/** Options of {@link createKeyward}. */
export interface KeywardOptions {
  /** Where keys live: `memoryStore()`, `postgresStore(...)`, `redisStore(...)`, or your own. */
  store: KeyStore;
  /**
   * Key format(s). With several, each token goes to the first format whose `matches` accepts it,
   * and `create` uses the first unless told otherwise.
   * @default prefixedFormat({ prefix: 'kw' })
   */
  format?: KeyFormat | readonly KeyFormat[];
  /**
   * Hasher(s), newest first. New keys use the first; keys hashed by another are accepted and
   * re-hashed with the first on their next successful use.
   * @default sha256Hasher()
   */
  hash?: Hasher | readonly Hasher[];
  /** How strictly the `Authorization` header is read. */
  header?: HeaderOptions;
  /** Turns refusals into responses. @default problemDetails() */
  renderer?: Renderer;
  /** Legacy keys: the default sunset and the deprecation information sent with each use. */
  legacy?: {
    /** Sunset of legacy keys that have none of their own. */
    sunset?: Date | string;
    /** When legacy keys were deprecated (RFC 9745 `Deprecation`). @default the key's createdAt */
    deprecatedAt?: Date | string;
    /** A page that explains the migration, sent as `Link: <…>; rel="deprecation"`. */
    link?: string;
  };
  /**
   * Whether an owner owns a workspace: a legacy personal key reaches every workspace of its owner.
   * Without it, legacy keys pass only routes that name no workspace.
   */
  ownsWorkspace?: (ownerId: string, workspaceId: string) => Awaitable<boolean>;
  /**
   * A store call slower than this fails with `store_unavailable` (503): lookups, counters, the
   * `policies` resolver, `ownsWorkspace`, every lifecycle call and the reports. A counter request's
   * `signal` is aborted then, so that the store commits nothing for it.
   * @default 2000 (ms)
   */
  storeTimeout?: number;
  /** `Retry-After` seconds sent with `store_unavailable`. @default 1 */
  retryAfter?: number;
  /**
   * The in-process cache of looked-up keys (stored records and "unknown" markers, never a
   * plaintext key). On by default, except in front of a store that answers from process memory
   * (`store.local`); `false` turns it off.
   */
  cache?: CacheOptions | false;
  /**
   * Tells every instance when a key changes, so that cached entries are dropped at once:
   * `redisInvalidation(...)` or `postgresInvalidation(...)`. Without it, a change reaches other
   * instances when their cache entry expires (`cache.ttl`).
   */
  invalidation?: InvalidationBus;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /** Makes ids for formats whose keys carry none. @default `key_` + 20 base62 characters */
  generateId?: () => string;
  /**
   * Usage tracking: `lastUsedAt` of each key (at most one write per key per interval) and request
   * counts per key and UTC day (read them with `keyward.usage(...)`). Counted in memory and written
   * in batches in the background; `close()` writes what is pending. `true` uses the key store.
   * Off by default: a verify then does no usage work at all.
   */
  usage?: boolean | UsageOptions;
  /**
   * Rate limits and quotas, for every key or per key (a function of the key): checked after the
   * scopes, in that order; a refusal at any step consumes nothing after it. Needs counters.
   */
  policies?: PolicyOption;
  /**
   * Where the counters of `policies` live. @default the key store (memory, PostgreSQL and Redis
   * stores implement them); pass a `redisStore(...)` to count in Redis in front of PostgreSQL keys.
   */
  counters?: CounterStore;
  /**
   * The audit log: lifecycle changes, uses of expired, revoked and legacy keys, and refused
   * requests with their reason (read it with `keyward.auditLog(...)`, export it with `onEvent`).
   * Buffered and written in the background: it never slows or fails a verify. `true` uses the key
   * store. Off by default.
   */
  audit?: boolean | AuditOptions;
  /**
   * Warnings before keys expire: `key.expiring` audit events at thresholds (30, 7 and 1 days
   * before `expiresAt` by default), and the `API-Key-Expires` response header within the last one.
   */
  expiry?: ExpiryOptions;
  /**
   * Instrumentation: one record per verify, lifecycle call, background store call and cache event,
   * each with its start and end time and outcome (see {@link Instrumentation}); `otelInstrumentation()`
   * from `@keyward/otel` makes OpenTelemetry spans and metrics of them. Several may be given.
   * Without any, the engine does no timing at all.
   */
  instrument?: Instrumentation | readonly Instrumentation[];
  /**
   * Where to tell what an operator must know, as structured lines: the store unavailable and
   * recovered, the invalidation bus lost and resubscribed, a hash upgraded, a legacy key used, a
   * misconfiguration. pino's logger and `console` fit as they are (`logger.warn(fields, message)`).
   * No line ever holds a key, a hash, a pepper or an `Authorization` header.
   * @example createKeyward({ store, logger: pino() })
   */
  logger?: Logger;
}

export const USAGE_METHODS = ['addUsage', 'touchKeys', 'readUsage'] as const;
export const AUDIT_METHODS = ['appendAudit', 'readAudit'] as const;

/**
 * Checks the options and builds the engine's context.
 * @throws {TypeError} / {RangeError} for invalid options.
 */
export function resolveOptions(options: KeywardOptions): Engine {
  if (!options || typeof options !== 'object') throw new TypeError('createKeyward needs an options object with a store');
  const store = checkStore(options.store);
  const formats = checkFormats(options.format);
  const formatByName = byName(formats, (f) => f.name, 'key formats are named');
  const hashers = checkHashers(options.hash);
  const hasherByVersion = byName(hashers, (h) => h.version, 'hashers have the version');
  const now = options.now ?? Date.now;
  const storeTimeout = options.storeTimeout ?? 2000;
  if (!(storeTimeout > 0)) throw new RangeError('options.storeTimeout must be a positive number of milliseconds');
  const cacheOn = options.cache === false ? false : options.cache !== undefined || store.local !== true;
  const generateId = options.generateId ?? (() => `key_${randomString(20)}`);
  let gate: OnceGate | null = null;
  const probe = createProbe(options.instrument, options.logger, (text) => scrubKeys(text, formats));
  const bus = checkBus(options.invalidation);
  const engine: MutableEngine = engineRecord({
    store,
    formats,
    formatByName,
    single: formats.length === 1 ? formats[0]! : null,
    hashers,
    hasherByVersion,
    currentVersion: hashers[0]!.version,
    header: options.header,
    renderer: options.renderer ?? problemDetails(),
    now,
    storeTimeout,
    retryAfter: options.retryAfter ?? 1,
    legacy: {
      sunset: options.legacy?.sunset === undefined ? null : toDate(options.legacy.sunset, 'legacy.sunset'),
      deprecatedAt: options.legacy?.deprecatedAt === undefined ? null : toDate(options.legacy.deprecatedAt, 'legacy.deprecatedAt'),
      link: options.legacy?.link,
    },
    ownsWorkspace: options.ownsWorkspace,
    generateId,
    cache: new CoherentCache(cacheOn ? options.cache || {} : null, bus, now, probe),
    enforcer: null,
    fused: null,
    usageStore: null,
    usageTracker: null,
    auditStore: null,
    auditRecorder: null,
    publicViews: new WeakMap(),
    upgrading: new Set(),
    failClosed: (cause) => unavailable(engine, cause),
    // Set below, once the audit recorder exists.
    expiryWatch: null as unknown as ExpiryWatch,
    once: () => (gate ??= onceGate(boundedOrNull(countersOf(options), storeTimeout))),
    probe,
    observation: null,
    trace: null,
    sink: null,
    counters: null,
  });
  // With instruments, every store is seen through a recording stand-in (instrument/attach.ts).
  const attached = probe === null ? null : new Attachment(engine, probe);
  if (probe !== null && cacheOn && bus === null && store.local !== true) {
    probe.misconfigured(
      'cache_without_invalidation',
      'keys are cached without an invalidation bus: on other instances, a revoked key passes until its cache entry expires (cache.ttl)',
    );
  }
  if (options.usage) {
    const usage = options.usage === true ? {} : options.usage;
    engine.usageStore = storeWith<UsageStore>(usage.store, store, USAGE_METHODS);
    if (engine.usageStore === null) {
      throw new TypeError('options.usage.store must implement UsageStore (addUsage, touchKeys, readUsage); the key store does not');
    }
    engine.usageTracker = new UsageTracker(attached === null ? engine.usageStore : attached.background(engine.usageStore), usage);
  }
  if (options.policies !== undefined) {
    const counters = options.counters ?? (store as Partial<CounterStore>);
    if (typeof counters.consumeCounters !== 'function') {
      throw new TypeError('options.policies needs counters: a key store that implements them (memory, PostgreSQL, Redis), or options.counters');
    }
    // Counters and the resolver answer within storeTimeout, as lookups do (a local store cannot hang).
    const local = counters === store && store.local === true;
    engine.enforcer = new PolicyEnforcer(options.policies, counters as CounterStore, local ? null : storeTimeout);
    if (counters === store && typeof (store as Partial<FusedCounterStore>).findByHashAndConsume === 'function') {
      engine.fused = store as KeyStore & FusedCounterStore;
    }
  }
  if (options.audit) {
    const audit: AuditOptions = options.audit === true ? {} : options.audit;
    const auditStore = audit.store === false ? null : storeWith<AuditStore>(audit.store, store, AUDIT_METHODS);
    if (audit.store !== false && auditStore === null) {
      throw new TypeError('options.audit.store must implement AuditStore (appendAudit, readAudit), or be false to use onEvent alone');
    }
    engine.auditStore = auditStore;
    engine.auditRecorder = new AuditRecorder(attached === null || auditStore === null ? auditStore : attached.background(auditStore), audit, {
      now,
      scrub: (text) => scrubKeys(text, formats),
      lookup: async (keyId) => {
        const record = await read(engine, store.findById(keyId));
        return record === null ? null : { hint: record.hint, workspaceId: record.workspaceId };
      },
    });
  }
  const recorder = engine.auditRecorder;
  engine.expiryWatch = new ExpiryWatch(options.expiry, {
    now,
    once: engine.once,
    audit: recorder === null ? null : (input) => recorder.record(input),
    onError: (error) => (typeof options.audit === 'object' ? options.audit.onError?.(error) : undefined),
  });
  if (attached !== null)
    engine.observation = attached.observation(options.policies === undefined ? null : (options.counters ?? (store as unknown as CounterStore)));
  return engine;
}

/** The store of usage or audit reads: the configured one, else the key store if it is one. */
export function reportStore<T>(configured: T | null, store: KeyStore, methods: readonly string[]): T | null {
  return configured ?? storeWith<T>(undefined, store, methods);
}

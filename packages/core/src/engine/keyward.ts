import { auditFilters, filterAuditPage } from '../audit/filters.js';
import { AuditRecorder, type AuditInput } from '../audit/recorder.js';
import type { AuditEventType, AuditOptions, AuditPage, AuditQuery, AuditStore } from '../audit/types.js';
import type { InvalidationBus } from '../cache/invalidation.js';
import { VerifyCache, type CacheOptions } from '../cache/verify-cache.js';
import { KeywardError, isKeywardError, type KeywardErrorCode } from '../errors.js';
import { prefixedFormat } from '../format/prefixed.js';
import type { KeyFormat, KeyParseFailure, ParsedKey } from '../format/types.js';
import { sha256Hasher, type Hasher } from '../hash/hasher.js';
import { readBearerToken, type HeaderBag, type HeaderOptions } from '../header/authorization.js';
import { randomString } from '../internal/random.js';
import { timingSafeEqualString } from '../internal/timing-safe.js';
import { toMilliseconds } from '../internal/duration.js';
import { problemDetails } from '../render/problem-details.js';
import type { RenderedError, Renderer } from '../render/types.js';
import { PolicyEnforcer } from '../policy/enforcer.js';
import type { CounterPlan, CounterResult, CounterStore, FusedCounterStore, PolicyOption } from '../policy/types.js';
import { missingScopes, normalizeScopes } from '../scope/scopes.js';
import { scrubKeys } from '../helpers.js';
import { reportLeak } from '../leaks/report-leak.js';
import type { LeakOptions, LeakOutcome, LeakReport } from '../leaks/types.js';
import { ExpiryWatch, expiringKeys, expiryThreshold, type ExpiringKeysQuery, type ExpiryOptions } from '../lifecycle/expiring.js';
import { inspectToken, type TokenInspection } from '../lifecycle/inspect.js';
import { countersOf, onceGate, type OnceGate } from '../lifecycle/once.js';
import { dayString, parseDay } from '../usage/days.js';
import { UsageTracker } from '../usage/tracker.js';
import type { UsageOptions, UsageQuery, UsageReport, UsageStore } from '../usage/types.js';
import type { Awaitable, KeyPatch, KeyStore, ListPage, ListQuery, StoredKey } from '../store/types.js';
import type {
  ApiKey,
  ChangeOptions,
  CreatedKey,
  CreateKeyInput,
  ImportKeyInput,
  RotateOptions,
  UpdateKeyInput,
  VerifyFailure,
  VerifyOptions,
  VerifyResult,
  VerifySuccess,
  WorkspaceGuard,
} from './types.js';

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
  /** A store call slower than this fails with `store_unavailable`. @default 2000 (ms) */
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
}

const EMPTY_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const HEX64_RE = /^[0-9a-f]{64}$/;
const WORKSPACE_RE = /^[\w.:@-]{1,128}$/;

function isThenable<T>(value: Awaitable<T>): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<T>).then === 'function';
}

function toDate(value: Date | string | null | undefined, what: string): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? new Date(value.getTime()) : typeof value === 'string' ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw new KeywardError('invalid_argument', { message: `${what} must be a Date or an ISO 8601 string` });
  }
  return date;
}

function invalidArgument(message: string): KeywardError {
  return new KeywardError('invalid_argument', { message });
}

/** Counters consumed with the lookup, and the plan they were consumed for. */
interface Counted {
  readonly plan: CounterPlan;
  readonly result: CounterResult;
}

/** A bad row from a store: treated as a store failure, never as a pass. */
function checkRow(row: StoredKey | null): StoredKey | null {
  if (row === null) return null;
  if (
    typeof row !== 'object' ||
    typeof row.id !== 'string' ||
    typeof row.hash !== 'string' ||
    typeof row.hashVersion !== 'string' ||
    !Array.isArray(row.scopes) ||
    !(row.createdAt instanceof Date)
  ) {
    throw new TypeError('the key store returned a malformed row');
  }
  return row;
}

/**
 * The engine: verifies requests and runs the lifecycle of keys (create, list, rename, revoke,
 * rotate, import). Create it once per process with {@link createKeyward}.
 */
export class Keyward {
  readonly store: KeyStore;
  readonly formats: readonly KeyFormat[];
  readonly hashers: readonly Hasher[];
  readonly renderer: Renderer;
  private readonly options: KeywardOptions;
  private readonly now: () => number;
  private readonly storeTimeout: number;
  private readonly hasherByVersion: Map<string, Hasher>;
  private readonly formatByName: Map<string, KeyFormat>;
  private readonly single: KeyFormat | null;
  private readonly currentVersion: string;
  /** The sunset of legacy keys that have none of their own (`legacy.sunset`), or `null`. */
  readonly legacySunset: Date | null;
  private readonly legacyDeprecatedAt: Date | null;
  private readonly publicViews = new WeakMap<StoredKey, ApiKey>();
  private readonly cache: VerifyCache | null;
  private readonly inflight = new Map<string, Promise<StoredKey | null>>();
  private readonly upgrading = new Set<string>();
  /** Bumped by every invalidation: a read that started before one is not cached. */
  private epoch = 0;
  /** The cache is not used before this time (bus not subscribed yet, or it lost messages). */
  private cacheUsableFrom = 0;
  private unsubscribe: (() => Promise<void>) | null = null;
  private readonly usageTracker: UsageTracker | null = null;
  private readonly usageStore: UsageStore | null = null;
  private readonly auditRecorder: AuditRecorder | null = null;
  private readonly enforcer: PolicyEnforcer | null = null;
  /** The key store, when it also keeps the counters and can consume them in the lookup's round trip. */
  private readonly fused: FusedCounterStore | null = null;
  private readonly auditStore: AuditStore | null = null;
  private subscribed: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly expiryWatch: ExpiryWatch;
  private gate: OnceGate | null = null;

  /** @throws {TypeError} / {RangeError} for invalid options. */
  constructor(options: KeywardOptions) {
    if (!options || typeof options !== 'object') throw new TypeError('createKeyward needs an options object with a store');
    const store = options.store;
    for (const method of ['insert', 'findById', 'findByHash', 'list', 'update', 'delete', 'rotate'] as const) {
      if (!store || typeof store[method] !== 'function') {
        throw new TypeError(`options.store must implement KeyStore (missing ${method}); try memoryStore() from @keyward/store-memory`);
      }
    }
    this.store = store;
    const formats = options.format === undefined ? [prefixedFormat({ prefix: 'kw' })] : ([] as KeyFormat[]).concat(options.format);
    if (formats.length === 0) throw new RangeError('options.format must name at least one key format');
    this.formatByName = new Map();
    for (const f of formats) {
      if (!f || typeof f.parse !== 'function' || typeof f.generate !== 'function') throw new TypeError('options.format must be KeyFormat objects');
      if (this.formatByName.has(f.name)) throw new RangeError(`two key formats are named ${JSON.stringify(f.name)}`);
      this.formatByName.set(f.name, f);
    }
    this.formats = formats;
    this.single = formats.length === 1 ? formats[0]! : null;
    const hashers = options.hash === undefined ? [sha256Hasher()] : ([] as Hasher[]).concat(options.hash);
    if (hashers.length === 0) throw new RangeError('options.hash must name at least one hasher');
    this.hasherByVersion = new Map();
    for (const h of hashers) {
      if (!h || typeof h.hash !== 'function' || typeof h.version !== 'string') throw new TypeError('options.hash must be Hasher objects');
      if (this.hasherByVersion.has(h.version)) throw new RangeError(`two hashers have the version ${JSON.stringify(h.version)}`);
      this.hasherByVersion.set(h.version, h);
    }
    this.hashers = hashers;
    this.currentVersion = hashers[0]!.version;
    this.renderer = options.renderer ?? problemDetails();
    this.now = options.now ?? Date.now;
    this.storeTimeout = options.storeTimeout ?? 2000;
    if (!(this.storeTimeout > 0)) throw new RangeError('options.storeTimeout must be a positive number of milliseconds');
    this.legacySunset = options.legacy?.sunset === undefined ? null : toDate(options.legacy.sunset, 'legacy.sunset');
    this.legacyDeprecatedAt = options.legacy?.deprecatedAt === undefined ? null : toDate(options.legacy.deprecatedAt, 'legacy.deprecatedAt');
    this.options = options;
    const useCache = options.cache === false ? false : options.cache !== undefined || store.local !== true;
    this.cache = useCache ? new VerifyCache(options.cache || {}) : null;
    if (options.invalidation) {
      if (typeof options.invalidation.subscribe !== 'function' || typeof options.invalidation.publish !== 'function') {
        throw new TypeError('options.invalidation must implement InvalidationBus (publish, subscribe)');
      }
      this.cacheUsableFrom = Number.POSITIVE_INFINITY;
      this.subscribed = this.subscribe(options.invalidation, 0);
    }
    if (options.usage) {
      const usage = options.usage === true ? {} : options.usage;
      const usageStore = usage.store ?? (store as Partial<UsageStore>);
      if (typeof usageStore.addUsage !== 'function' || typeof usageStore.touchKeys !== 'function' || typeof usageStore.readUsage !== 'function') {
        throw new TypeError('options.usage.store must implement UsageStore (addUsage, touchKeys, readUsage); the key store does not');
      }
      this.usageStore = usageStore as UsageStore;
      this.usageTracker = new UsageTracker(this.usageStore, usage);
    }
    if (options.policies !== undefined) {
      const counters = options.counters ?? (store as Partial<CounterStore>);
      if (typeof counters.consumeCounters !== 'function') {
        throw new TypeError('options.policies needs counters: a key store that implements them (memory, PostgreSQL, Redis), or options.counters');
      }
      this.enforcer = new PolicyEnforcer(options.policies, counters as CounterStore);
      if (counters === store && typeof (store as Partial<FusedCounterStore>).findByHashAndConsume === 'function')
        this.fused = store as KeyStore & FusedCounterStore;
    }
    if (options.audit) {
      const audit = options.audit === true ? {} : options.audit;
      const auditStore = audit.store === false ? null : (audit.store ?? (store as Partial<AuditStore>));
      if (auditStore !== null && (typeof auditStore.appendAudit !== 'function' || typeof auditStore.readAudit !== 'function')) {
        throw new TypeError('options.audit.store must implement AuditStore (appendAudit, readAudit), or be false to use onEvent alone');
      }
      this.auditStore = auditStore as AuditStore | null;
      this.auditRecorder = new AuditRecorder(this.auditStore, audit, {
        now: this.now,
        scrub: (text) => scrubKeys(text, this.formats),
        lookup: async (keyId) => {
          const record = await this.read(this.store.findById(keyId));
          return record === null ? null : { hint: record.hint, workspaceId: record.workspaceId };
        },
      });
    }
    this.expiryWatch = new ExpiryWatch(options.expiry, {
      now: this.now,
      once: () => this.once(),
      audit: this.auditRecorder === null ? null : (input) => this.audit(input),
      onError: (error) => (typeof options.audit === 'object' ? options.audit.onError?.(error) : undefined),
    });
  }

  /** The cross-process "once" of leak reports and expiry warnings (on the counter store). */
  private once(): OnceGate {
    this.gate ??= onceGate(countersOf(this.options));
    return this.gate;
  }

  private async subscribe(bus: InvalidationBus, attempt: number): Promise<void> {
    try {
      const stop = await bus.subscribe(
        (message) => {
          if (message && typeof message.keyId === 'string') this.dropCached(message.keyId);
        },
        () => this.distrustCache(),
      );
      if (this.closed) {
        await stop();
        return;
      }
      this.unsubscribe = stop;
      this.cacheUsableFrom = 0;
    } catch {
      // Until the bus listens, the cache stays off (every verify reads the store); try again later.
      if (this.closed) return;
      const delay = Math.min(30_000, 250 * 2 ** attempt);
      const timer = setTimeout(() => void this.subscribe(bus, attempt + 1), delay);
      (timer as { unref?: () => void }).unref?.();
    }
  }

  /** Messages may have been lost: drop everything, and serve from the store for one TTL. */
  private distrustCache(): void {
    this.epoch++;
    this.inflight.clear();
    this.cache?.clear();
    this.cacheUsableFrom = this.now() + (this.options.cache ? (this.options.cache.ttl ?? 5000) : 5000);
  }

  private dropCached(keyId: string): void {
    this.epoch++;
    this.inflight.clear();
    this.cache?.invalidate(keyId);
  }

  /** Resolves once the invalidation bus listens (at once without a bus). */
  ready(): Promise<void> {
    return this.subscribed;
  }

  /**
   * Stops listening to the invalidation bus, and writes the pending usage and audit events. Does
   * not close the store.
   */
  async close(): Promise<void> {
    this.closed = true;
    const stop = this.unsubscribe;
    this.unsubscribe = null;
    await this.expiryWatch.settle();
    await Promise.all([stop?.(), this.usageTracker?.close(), this.auditRecorder?.close()]);
  }

  /**
   * Writes the pending usage counts, `lastUsedAt` values and audit events now (they are otherwise
   * written every few seconds, and on `close()`). On serverless platforms, hand it to
   * `waitUntil` at the end of a request. Failed writes go to the `onError` hooks, not here.
   */
  async flush(): Promise<void> {
    await this.expiryWatch.settle();
    await Promise.all([this.usageTracker?.flush(), this.auditRecorder?.flush()]);
  }

  /** After a change: drop the local entry and tell the other instances. */
  private async changed(keyId: string): Promise<void> {
    this.dropCached(keyId);
    const bus = this.options.invalidation;
    if (!bus) return;
    try {
      await bus.publish({ keyId });
    } catch {
      // The change is stored; other instances drop their entry when it expires (cache.ttl).
    }
  }

  // ───────────────────────────── verify ─────────────────────────────

  /**
   * Authenticates a request from its headers. Never throws for a bad request or a failing store:
   * the result says `ok: false` with the error to render.
   */
  verify(headers: HeaderBag, options?: VerifyOptions): Promise<VerifyResult> {
    const result = this.verifyNow(headers, options);
    return isThenable(result) ? result : Promise.resolve(result);
  }

  /**
   * {@link verify} for adapters on a hot path: the result itself when every step answered at once
   * (the memory store, a warm cache, no policies), else a promise of it — the same single pipeline
   * either way, nothing done twice. Never throws, like `verify`.
   */
  verifyNow(headers: HeaderBag, options?: VerifyOptions): VerifyResult | Promise<VerifyResult> {
    const token = readBearerToken(headers, this.options.header);
    if (typeof token !== 'string') {
      const failure = this.fail(token.error);
      if (this.auditRecorder !== null) this.observe(failure, options);
      return failure;
    }
    const result = this.runToken(token, options);
    if (this.usageTracker === null && this.auditRecorder === null) return result;
    return isThenable(result) ? result.then((r) => this.observe(r, options)) : this.observe(result, options);
  }

  /** Authenticates a bare token (already taken from its header). */
  verifyToken(token: string, options?: VerifyOptions): Promise<VerifyResult> {
    if (this.usageTracker === null && this.auditRecorder === null) return this.checkToken(token, options);
    return this.checkToken(token, options).then((result) => this.observe(result, options));
  }

  /**
   * Usage and audit of one verify: in-memory updates only (the writes happen in the background).
   */
  private observe(result: VerifyResult, options: VerifyOptions | undefined): VerifyResult {
    if (result.ok) {
      const key = result.key;
      if ((options as { dryRun?: boolean } | undefined)?.dryRun !== true) this.usageTracker?.record(key.id, key.workspaceId, this.now());
      if (key.expiresAt !== null) this.expiryWatch.observe(key);
      if (key.legacy && this.auditRecorder !== null) {
        this.auditRecorder.sample({
          type: 'verify.legacy_key',
          workspaceId: key.workspaceId,
          keyId: key.id,
          keyHint: key.hint,
          request: options?.request,
        });
      }
      return result;
    }
    const recorder = this.auditRecorder;
    if (recorder === null) return result;
    const { code, reason, keyId } = result.error;
    // A store failure is an outage, not an authentication event (see onError of the store's client).
    if (code === 'store_unavailable') return result;
    const type: AuditEventType =
      code === 'expired_key'
        ? 'verify.expired_key'
        : code === 'key_sunset'
          ? 'verify.legacy_sunset'
          : code === 'quota_exceeded'
            ? 'verify.quota_exceeded'
            : code === 'invalid_key' && reason === 'revoked'
              ? 'verify.revoked_key'
              : 'verify.failed';
    recorder.sample({
      type,
      workspaceId: options?.workspaceId ?? null,
      keyId: keyId ?? null,
      code,
      reason: reason ?? null,
      request: options?.request,
      ...(code === 'insufficient_scope' && result.error.missingScopes ? { details: { missingScopes: [...result.error.missingScopes] } } : {}),
    });
    return result;
  }

  /** The verify pipeline itself, as a promise. */
  private checkToken(token: string, options?: VerifyOptions): Promise<VerifyResult> {
    const result = this.runToken(token, options);
    return isThenable(result) ? (result as Promise<VerifyResult>) : Promise.resolve(result);
  }

  /**
   * The verify pipeline: synchronous as long as every step is (a memory store or a cache hit, no
   * policies, no `ownsWorkspace` call), a promise as soon as one step waits.
   */
  private runToken(token: string, options?: VerifyOptions): VerifyResult | Promise<VerifyResult> {
    const format = this.single ?? this.pickFormat(token);
    if (format === null || token.length > format.maxLength) return this.fail('malformed_key');
    // The digest, computed once for every path (hash formats only).
    let digest: string | undefined;
    // A key found by the hash of its whole text is a key that was issued, so its checksum was good:
    // when finding it costs nothing (a memory store, a cache hit), the checksum is checked only if
    // it is not found. Before a store round trip, it is checked first, so that a mistyped key
    // costs no query.
    let parsed: ParsedKey | KeyParseFailure | undefined;
    let checked = true;
    // The cached record of this digest, found here: used as the lookup's answer below.
    let hit: StoredKey | undefined;
    if (format.parseUnchecked !== undefined && format.lookup === 'hash') {
      const quick = format.parseUnchecked(token);
      if (!('error' in quick) && quick.secret === token) {
        try {
          digest = this.hashers[0]!.hash(token);
        } catch (cause) {
          return this.unavailable(cause);
        }
        if (this.store.local !== true) hit = this.cachedRecord(digest);
        if (this.store.local === true || hit !== undefined) {
          parsed = quick;
          checked = false;
        }
      }
    }
    parsed ??= format.parse(token);
    if ('error' in parsed) return this.fail(parsed.error);
    if (options?.environment !== undefined && parsed.environment !== undefined && parsed.environment !== options.environment) {
      return this.fail('environment_mismatch');
    }
    const key = parsed;
    if (hit !== undefined) return this.decideUnchecked(this.matchCached(hit, key.secret, digest!), format, key, token, options);
    if (this.fused !== null && format.lookup === 'hash') {
      let combined: ReturnType<Keyward['lookupAndCount']>;
      try {
        digest ??= this.hashers[0]!.hash(key.secret);
        combined = this.lookupAndCount(this.fused, format, key, options, digest);
      } catch (cause) {
        return this.unavailable(cause);
      }
      if (combined !== null) {
        return combined.then(
          ({ record, counted }) => this.decide(record, format, key, options, counted),
          (cause: unknown) => this.unavailable(cause),
        );
      }
    }
    let found: StoredKey | null | Promise<StoredKey | null>;
    try {
      found = this.lookup(format, key, digest);
    } catch (cause) {
      return this.unavailable(cause);
    }
    if (isThenable(found)) {
      return found.then(
        (record) => (checked ? this.decide(record, format, key, options) : this.decideUnchecked(record, format, key, token, options)),
        (cause: unknown) => this.unavailable(cause),
      );
    }
    return checked ? this.decide(found, format, key, options) : this.decideUnchecked(found, format, key, token, options);
  }

  /** {@link decide} for a key whose checksum was not checked: a mistyped key is told apart from an unknown one. */
  private decideUnchecked(
    record: StoredKey | null,
    format: KeyFormat,
    parsed: ParsedKey,
    token: string,
    options: VerifyOptions | undefined,
  ): VerifyResult | Promise<VerifyResult> {
    if (record === null || record.format !== format.name) {
      const full = format.parse(token);
      if ('error' in full) return this.fail(full.error);
    }
    return this.decide(record, format, parsed, options);
  }

  /** The record cached under this digest, if the cache is usable and holds one (not an "unknown" marker). */
  private cachedRecord(digest: string): StoredKey | undefined {
    const cache = this.cache;
    if (cache === null) return undefined;
    const now = this.now();
    if (now < this.cacheUsableFrom) return undefined;
    return cache.get(digest, now) ?? undefined;
  }

  /**
   * {@link verify} without a promise, for callers on a hot path with a store that answers from
   * memory (the memory store, or a warm cache): the result when every step could run at once, or
   * `undefined` when one had to wait — its work then continues, and a second call (or `verify`)
   * gives the answer. Never a pass that `verify` would refuse. With `policies` it always answers
   * `undefined` at once, before any counter is touched: counters need `verify`.
   */
  verifySync(headers: HeaderBag, options?: VerifyOptions): VerifyResult | undefined {
    if (this.enforcer !== null) return undefined;
    const token = readBearerToken(headers, this.options.header);
    let result: VerifyResult | Promise<VerifyResult>;
    if (typeof token !== 'string') result = this.fail(token.error);
    else result = this.runToken(token, options);
    if (isThenable(result)) return undefined;
    return this.usageTracker === null && this.auditRecorder === null ? result : this.observe(result, options);
  }

  /** The checks after the lookup: state, tenancy, environment, scopes. */
  private decide(
    record: StoredKey | null,
    format: KeyFormat,
    parsed: ParsedKey,
    options: VerifyOptions | undefined,
    counted?: Counted,
  ): VerifyResult | Promise<VerifyResult> {
    if (record === null || record.format !== format.name) return this.fail('invalid_key', 'unknown');
    // Counters consumed with the lookup were judged at the plan's time: so is the key.
    const now = counted?.plan.now ?? this.now();
    if (record.revokedAt !== null && record.revokedAt.getTime() <= now) return this.fail('invalid_key', 'revoked', record.id);
    if (record.expiresAt !== null && record.expiresAt.getTime() <= now) return this.fail('expired_key', undefined, record.id);
    let sunset: Date | null = null;
    if (record.legacy) {
      sunset = record.sunsetAt ?? this.legacySunset;
      if (sunset !== null && sunset.getTime() <= now) return this.fail('key_sunset', undefined, record.id);
    }
    if (options === undefined) return this.pass(record, parsed, sunset, undefined, counted);
    if (options.workspaceId !== undefined && record.workspaceId !== options.workspaceId) {
      const { ownsWorkspace } = this.options;
      if (!(record.legacy && record.workspaceId === null && record.ownerId !== null && ownsWorkspace)) {
        return this.fail('invalid_key', 'workspace_mismatch', record.id);
      }
      const ownerId = record.ownerId;
      const workspaceId = options.workspaceId;
      return (async () => {
        let owned: boolean;
        try {
          owned = await ownsWorkspace(ownerId, workspaceId);
        } catch (cause) {
          return this.unavailable(cause);
        }
        return owned ? this.afterTenancy(record, parsed, options, sunset, counted) : this.fail('invalid_key', 'workspace_mismatch', record.id);
      })();
    }
    return this.afterTenancy(record, parsed, options, sunset, counted);
  }

  private afterTenancy(
    record: StoredKey,
    parsed: ParsedKey,
    options: VerifyOptions,
    sunset: Date | null,
    counted: Counted | undefined,
  ): VerifyResult | Promise<VerifyResult> {
    if (options.environment !== undefined && parsed.environment === undefined && record.environment !== options.environment) {
      return this.fail('environment_mismatch', undefined, record.id);
    }
    if (options.scopes !== undefined && options.scopes.length > 0) {
      const missing = missingScopes(record.scopes, options.scopes);
      if (missing !== null) {
        return { ok: false, error: new KeywardError('insufficient_scope', { missingScopes: missing, keyId: record.id }) };
      }
    }
    return this.pass(record, parsed, sunset, options, counted);
  }

  private pass(
    record: StoredKey,
    parsed: ParsedKey,
    sunset: Date | null,
    options: VerifyOptions | undefined,
    counted?: Counted,
  ): VerifyResult | Promise<VerifyResult> {
    if (record.hashVersion !== this.currentVersion) this.upgradeHash(record, parsed.secret);
    const success: VerifySuccess = {
      ok: true,
      key: this.toPublic(record),
      headers:
        record.expiresAt === null
          ? record.legacy
            ? this.legacyHeaders(record, sunset)
            : EMPTY_HEADERS
          : this.expiryWatch.headers(record.expiresAt, this.now(), record.legacy ? this.legacyHeaders(record, sunset) : EMPTY_HEADERS),
    };
    if (this.enforcer === null) return success;
    const cost = options?.cost ?? 1;
    if (!Number.isInteger(cost) || cost < 0)
      return { ok: false, error: new KeywardError('invalid_argument', { message: 'cost must be a non-negative integer' }) };
    if (counted !== undefined) return this.enforcer.apply(success, counted.plan.now, cost, options?.dryRun === true, counted);
    return this.enforcer.apply(success, this.now(), cost, options?.dryRun === true);
  }

  /**
   * The lookup and the counters in one round trip (a {@link FusedCounterStore} with fixed
   * policies), on a cache miss: the store consumes the counters only for a record that passes a
   * guard stricter than {@link decide}; for any other record the engine decides, then counts.
   * `null` when the ordinary path is as good (a cached record, a resolver, a bad cost).
   */
  private lookupAndCount(
    store: FusedCounterStore,
    format: KeyFormat,
    parsed: ParsedKey,
    options: VerifyOptions | undefined,
    digest: string,
  ): Promise<{ record: StoredKey | null; counted: Counted | undefined }> | null {
    const cost = options?.cost ?? 1;
    if (!Number.isInteger(cost) || cost < 0) return null;
    const cache = this.cache;
    const now = this.now();
    // A record known here already: the counters alone are the round trip (the ordinary path).
    if (cache !== null && now >= this.cacheUsableFrom && (cache.get(digest, now) !== undefined || this.inflight.has(digest))) return null;
    const plan = this.enforcer!.plan(now, cost, options?.dryRun === true, {
      format: format.name,
      hashVersion: this.currentVersion,
      workspaceId: options?.workspaceId ?? null,
      environment: options?.environment !== undefined && parsed.environment === undefined ? options.environment : null,
      scopes: options?.scopes ?? [],
    });
    if (plan === null) return null;
    const epoch = this.epoch;
    return this.timed(store.findByHashAndConsume(digest, plan)).then(({ record, counters }) => {
      const row = checkRow(record);
      if (cache !== null && epoch === this.epoch) cache.set(digest, row, this.now());
      const counted = counters === null ? undefined : { plan, result: counters };
      if (row === null && this.hashers.length > 1) {
        // Perhaps stored under an older hasher: the ordinary lookup goes on from the next one.
        return Promise.resolve(this.lookupByHash(parsed.secret, digest, 1)).then((older) => ({ record: older, counted }));
      }
      return { record: this.matchCached(row, parsed.secret, digest), counted };
    });
  }

  // ───────────────────────────── leaks and expiry ─────────────────────────────

  /**
   * What a token is — malformed, unknown, or a key and its state — read from the store, never
   * from the cache. Not a verify: no usage, no quota, no audit event. For `keyward scan` and
   * leak reports.
   * @throws {KeywardError} `store_unavailable`.
   */
  inspect(token: string): Promise<TokenInspection> {
    return inspectToken(
      {
        store: this.store,
        formats: this.formats,
        hashers: this.hashers,
        legacySunset: this.legacySunset,
        now: this.now,
        find: (read) => this.guarded(() => this.read(read())),
        toPublic: (record) => this.toPublic(record),
      },
      token,
    );
  }

  /**
   * Acts on a key found in public (a secret scanner's report): revokes it (or rotates it with a
   * grace period, or only tells), records `key.leaked` and calls `onLeak` — once per key and place,
   * across processes. See `@keyward/secret-scanning` for GitHub's partner program.
   * @throws {KeywardError} `store_unavailable` (retry the report: nothing is done twice).
   */
  reportLeak(report: LeakReport, options?: LeakOptions): Promise<LeakOutcome> {
    return reportLeak(
      {
        inspect: (token) => this.inspect(token),
        revoke: (id, o) => this.revoke(id, o),
        rotate: (id, o) => this.rotate(id, o),
        update: (id, input, o) => this.update(id, input, o),
        audit: (input) => this.audit(input),
        scrub: (text) => scrubKeys(text, this.formats),
        once: this.once(),
        now: this.now,
      },
      report,
      options,
    );
  }

  /**
   * Keys that expire within `within` from now (still working: not revoked, not retired by a
   * rotation), soonest first — of one workspace, or of all.
   *
   * @example
   * ```ts
   * const { items } = await keyward.expiring({ within: '7d', workspaceId: 'ws_1' });
   * ```
   * @throws {KeywardError} `invalid_argument` for a bad query. @throws {TypeError} without a
   * workspaceId on a store that has no `listExpiring`.
   */
  expiring(query: ExpiringKeysQuery): Promise<ListPage<ApiKey>> {
    return expiringKeys(
      {
        store: this.store,
        now: this.now,
        guarded: (action) => this.guarded(action),
        checkWorkspace: (value) => this.checkWorkspace(value),
        toPublic: (record) => this.toPublic(record),
      },
      query,
    );
  }

  /**
   * Records `key.expiring` for every key that crossed a threshold and was not warned about yet
   * (by this process or another). Run it from a scheduler (hourly is plenty); requests with an
   * expiring key record the same events as they come, so the sweep catches the keys not in use.
   * @throws {TypeError} when the audit log is off. @throws {KeywardError} `store_unavailable`.
   */
  sweepExpiring(options: { workspaceId?: string } = {}): Promise<{ keys: number; warned: number }> {
    if (this.auditRecorder === null) throw new TypeError('sweepExpiring records audit events: createKeyward({ audit: true, ... })');
    const within = this.expiryWatch.thresholds[0]!;
    return this.expiryWatch.sweep((cursor) =>
      this.expiring({
        within,
        limit: 500,
        ...(options.workspaceId !== undefined ? { workspaceId: options.workspaceId } : {}),
        ...(cursor ? { cursor } : {}),
      }),
    );
  }

  /** The expiry thresholds (`expiry.thresholds`), in ms before `expiresAt`, largest first. */
  get expiryThresholds(): readonly number[] {
    return this.expiryWatch.thresholds;
  }

  /**
   * Whether a key still works but expires within the largest threshold (30 days by default):
   * what a dashboard shows in amber.
   */
  expiresSoon(key: Pick<ApiKey, 'expiresAt' | 'revokedAt'>): boolean {
    return key.revokedAt === null && expiryThreshold(key.expiresAt, this.now(), this.expiryWatch.thresholds) !== null;
  }

  /** Renders a refusal with the configured renderer. */
  render(error: KeywardError): RenderedError {
    return this.renderer(error);
  }

  private pickFormat(token: string): KeyFormat | null {
    for (const f of this.formats) if (f.matches(token)) return f;
    return null;
  }

  /**
   * One indexed read: by id then a constant-time hash comparison, or by hash (trying each active
   * hasher, newest first). Synchronous when the store answers synchronously.
   */
  private lookup(format: KeyFormat, parsed: ParsedKey, knownDigest?: string): StoredKey | null | Promise<StoredKey | null> {
    const { secret } = parsed;
    if (format.lookup === 'id') {
      const id = parsed.id;
      if (id === undefined) throw new TypeError(`format ${format.name} looks up by id but parsed no id`);
      const found = this.cached(`i:${id}`, () => this.read(this.store.findById(id)));
      return isThenable(found) ? found.then((record) => this.matchById(record, secret)) : this.matchById(found, secret);
    }
    const digest = knownDigest ?? this.hashers[0]!.hash(secret);
    // No cache (a memory store): straight to the store, without a closure per request.
    const found = this.cache === null ? this.lookupByHash(secret, digest, 0) : this.cached(digest, () => this.lookupByHash(secret, digest, 0));
    return isThenable(found) ? found.then((record) => this.matchCached(record, secret, digest)) : this.matchCached(found, secret, digest);
  }

  /**
   * Reads through the cache: a hit answers synchronously; concurrent misses of one key share a
   * single store read; a read that raced with an invalidation is not kept.
   */
  private cached(cacheKey: string, load: () => StoredKey | null | Promise<StoredKey | null>): StoredKey | null | Promise<StoredKey | null> {
    const cache = this.cache;
    if (cache === null) return load();
    const now = this.now();
    if (now < this.cacheUsableFrom) return load();
    const hit = cache.get(cacheKey, now);
    if (hit !== undefined) return hit;
    const pending = this.inflight.get(cacheKey);
    if (pending !== undefined) return pending;
    const epoch = this.epoch;
    const loaded = load();
    if (!isThenable(loaded)) {
      cache.set(cacheKey, loaded, now);
      return loaded;
    }
    const promise = loaded.then(
      (record) => {
        if (this.inflight.get(cacheKey) === promise) this.inflight.delete(cacheKey);
        if (epoch === this.epoch) cache.set(cacheKey, record, this.now());
        return record;
      },
      (error: unknown) => {
        if (this.inflight.get(cacheKey) === promise) this.inflight.delete(cacheKey);
        throw error;
      },
    );
    this.inflight.set(cacheKey, promise);
    return promise;
  }

  private matchById(record: StoredKey | null, secret: string): StoredKey | null {
    if (record === null) return null;
    const hasher = this.hasherByVersion.get(record.hashVersion);
    if (hasher === undefined) return null;
    return timingSafeEqualString(hasher.hash(secret), record.hash) ? record : null;
  }

  /**
   * A record found under the newest digest (in the cache or the store) may have been stored by an
   * older hasher: check it against the digest of its own version.
   */
  private matchCached(record: StoredKey | null, secret: string, digest: string): StoredKey | null {
    if (record === null) return null;
    if (record.hashVersion === this.currentVersion) return record.hash === digest ? record : null;
    const hasher = this.hasherByVersion.get(record.hashVersion);
    return hasher !== undefined && record.hash === hasher.hash(secret) ? record : null;
  }

  /**
   * One indexed read per active hasher, newest first, until one finds the key. The lookup is an
   * equality test on the digest, so comparing digests again in constant time would add nothing: a
   * timing difference could only tell the caller about the SHA-256 of its own input.
   */
  private lookupByHash(secret: string, firstDigest: string, index: number): StoredKey | null | Promise<StoredKey | null> {
    for (let i = index; i < this.hashers.length; i++) {
      const hasher = this.hashers[i]!;
      const digest = i === 0 ? firstDigest : hasher.hash(secret);
      const found = this.read(this.store.findByHash(digest));
      if (isThenable(found)) {
        return found.then((record) =>
          record !== null
            ? this.matchByHash(record, hasher, digest)
            : i + 1 < this.hashers.length
              ? this.lookupByHash(secret, firstDigest, i + 1)
              : null,
        );
      }
      if (found !== null) return this.matchByHash(found, hasher, digest);
    }
    return null;
  }

  private matchByHash(record: StoredKey, hasher: Hasher, digest: string): StoredKey | null {
    return record.hashVersion === hasher.version && record.hash === digest ? record : null;
  }

  /** Awaits a store answer within `storeTimeout`, and checks the row. */
  private read(value: Awaitable<StoredKey | null>): StoredKey | null | Promise<StoredKey | null> {
    if (!isThenable(value)) return checkRow(value);
    return this.timed(value).then(checkRow);
  }

  /** A store answer, or a rejection after `storeTimeout`. */
  private timed<T>(value: PromiseLike<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the key store did not answer within ${this.storeTimeout} ms`)), this.storeTimeout);
    });
    return Promise.race([value, timeout]).then(
      (answer) => {
        clearTimeout(timer);
        return answer;
      },
      (error: unknown) => {
        clearTimeout(timer);
        throw error;
      },
    );
  }

  private fail(code: KeywardErrorCode, reason?: string, keyId?: string): VerifyFailure {
    return { ok: false, error: new KeywardError(code, { reason, keyId }) };
  }

  private unavailable(cause: unknown): VerifyFailure {
    return {
      ok: false,
      error: new KeywardError('store_unavailable', { cause, retryAfter: this.options.retryAfter ?? 1 }),
    };
  }

  private legacyHeaders(record: StoredKey, sunset: Date | null): Record<string, string> {
    const deprecatedAt = this.legacyDeprecatedAt ?? record.createdAt;
    // RFC 9745 §2.1: an RFC 9651 Date, `@` + Unix seconds. RFC 8594 §3: an HTTP-date.
    const headers: Record<string, string> = { deprecation: `@${Math.floor(deprecatedAt.getTime() / 1000)}` };
    if (sunset !== null) headers.sunset = sunset.toUTCString();
    if (this.options.legacy?.link) headers.link = `<${this.options.legacy.link}>; rel="deprecation"; type="text/html"`;
    return headers;
  }

  private upgradeHash(record: StoredKey, secret: string): void {
    if (this.upgrading.has(record.id) || !this.formatByName.has(record.format)) return;
    const current = this.hashers[0]!;
    // One update of one row: the new digest replaces the old in place (and in the hash index).
    const patch: KeyPatch = { hash: current.hash(secret), hashVersion: current.version, updatedAt: new Date(this.now()) };
    this.upgrading.add(record.id);
    void Promise.resolve()
      .then(() => this.store.update(record.id, patch))
      .then(
        () => this.changed(record.id),
        () => {
          // Best effort: the old hash keeps working and the upgrade is tried again on the next use.
        },
      )
      .finally(() => this.upgrading.delete(record.id));
  }

  /** The public view of a stored key (no hash), frozen and memoized per stored object. */
  private toPublic(record: StoredKey): ApiKey {
    let view = this.publicViews.get(record);
    if (view === undefined) {
      // Field by field (one object shape, no rest/spread): this runs once per store read.
      view = Object.freeze({
        id: record.id,
        workspaceId: record.workspaceId,
        ownerId: record.ownerId,
        name: record.name,
        format: record.format,
        environment: record.environment,
        scopes: Object.freeze(record.scopes.slice()),
        prefix: record.prefix,
        hint: record.hint,
        legacy: record.legacy,
        createdAt: record.createdAt,
        updatedAt: record.updatedAt,
        expiresAt: record.expiresAt,
        revokedAt: record.revokedAt,
        sunsetAt: record.sunsetAt,
        rotatedToId: record.rotatedToId,
        lastUsedAt: record.lastUsedAt,
        metadata: record.metadata,
        createdBy: record.createdBy ?? null,
      });
      this.publicViews.set(record, view);
    }
    return view;
  }

  // ───────────────────────────── lifecycle ─────────────────────────────

  private formatFor(name: string | undefined): KeyFormat {
    if (name === undefined) return this.formats[0]!;
    const format = this.formatByName.get(name);
    if (!format) throw invalidArgument(`unknown key format ${JSON.stringify(name)}; known: ${[...this.formatByName.keys()].join(', ')}`);
    return format;
  }

  private async guarded<T>(action: () => Awaitable<T>): Promise<T> {
    try {
      return await action();
    } catch (cause) {
      if (isKeywardError(cause) || cause instanceof TypeError || cause instanceof RangeError) throw cause;
      throw new KeywardError('store_unavailable', { cause, retryAfter: this.options.retryAfter ?? 1 });
    }
  }

  private async getStored(id: string, guard?: WorkspaceGuard): Promise<StoredKey> {
    if (typeof id !== 'string' || id.length === 0) throw invalidArgument('id must be a non-empty string');
    const record = checkRow(await this.guarded(() => this.store.findById(id)));
    if (record === null || (guard?.workspaceId !== undefined && record.workspaceId !== guard.workspaceId)) {
      throw new KeywardError('not_found', { keyId: id });
    }
    return record;
  }

  /**
   * Issues a new key. The plaintext is in the result only: store it nowhere.
   * @throws {KeywardError} `invalid_argument` for bad input (including an attempt to create a legacy key).
   */
  async create(input: CreateKeyInput): Promise<CreatedKey> {
    if (!input || typeof input !== 'object') throw invalidArgument('create needs { workspaceId, name }');
    if ((input as { legacy?: unknown }).legacy) throw invalidArgument('legacy keys cannot be created, only imported');
    const workspaceId = this.checkWorkspace(input.workspaceId);
    const name = this.checkName(input.name);
    const scopes = this.checkScopes(input.scopes);
    const metadata = this.checkMetadata(input.metadata);
    const format = this.formatFor(input.format);
    const now = this.now();
    const expiresAt = this.expiry(input.expiresAt, input.expiresIn, now);
    for (let attempt = 0; ; attempt++) {
      const generated = (() => {
        try {
          return format.generate(input.environment === undefined ? undefined : { environment: input.environment });
        } catch (e) {
          throw invalidArgument(e instanceof Error ? e.message : 'cannot generate a key');
        }
      })();
      const parsed = format.parse(generated.key);
      if ('error' in parsed) throw new RangeError(`format ${format.name} generated a key it cannot parse (${parsed.detail})`);
      const record: StoredKey = {
        id: generated.id ?? this.newId(),
        workspaceId,
        ownerId: input.ownerId ?? null,
        createdBy: input.actor ?? null,
        name,
        format: format.name,
        environment: generated.environment ?? input.environment ?? null,
        scopes,
        prefix: format.redact(generated.key).split('…')[0] ?? '',
        hint: generated.key.slice(-4),
        hash: this.hashers[0]!.hash(parsed.secret),
        hashVersion: this.hashers[0]!.version,
        legacy: false,
        createdAt: new Date(now),
        updatedAt: new Date(now),
        expiresAt,
        revokedAt: null,
        sunsetAt: null,
        rotatedToId: null,
        lastUsedAt: null,
        metadata,
      };
      try {
        await this.guarded(() => this.store.insert(record));
      } catch (e) {
        // A random id collided: draw again (three times at most, which cannot happen by chance).
        if (isKeywardError(e) && e.code === 'conflict' && attempt < 2) continue;
        throw e;
      }
      this.audit({
        type: 'key.created',
        workspaceId,
        keyId: record.id,
        keyHint: record.hint,
        actor: input.actor,
        details: { name, scopes, expiresAt: expiresAt?.toISOString() ?? null },
      });
      return { key: generated.key, record: this.toPublic(record) };
    }
  }

  /** A lifecycle event for the audit log (buffered; written in the background). */
  private audit(input: AuditInput): void {
    this.auditRecorder?.record(input);
  }

  /**
   * Imports a key whose hash was made elsewhere (another system, a migration), optionally as a
   * legacy key with a sunset.
   */
  async import(input: ImportKeyInput): Promise<ApiKey> {
    if (!input || typeof input !== 'object') throw invalidArgument('import needs { hash, name, hint, ... }');
    const format = this.formatFor(input.format);
    const hash = typeof input.hash === 'string' ? input.hash.toLowerCase() : '';
    if (!HEX64_RE.test(hash)) throw invalidArgument('hash must be 64 hexadecimal characters (a SHA-256 digest)');
    const hashVersion = input.hashVersion ?? 'sha256';
    if (!this.hasherByVersion.has(hashVersion)) {
      throw invalidArgument(
        `hashVersion ${JSON.stringify(hashVersion)} is not one of this engine's hashers (${[...this.hasherByVersion.keys()].join(', ')})`,
      );
    }
    const legacy = input.legacy === true;
    const workspaceId = input.workspaceId === undefined || input.workspaceId === null ? null : this.checkWorkspace(input.workspaceId);
    const ownerId = input.ownerId === undefined || input.ownerId === null ? null : this.checkWorkspace(input.ownerId, 'ownerId');
    if (workspaceId === null && !(legacy && ownerId !== null)) {
      throw invalidArgument('workspaceId is required (only a legacy key may belong to an owner instead)');
    }
    if (format.lookup === 'id' && (typeof input.id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(input.id))) {
      throw invalidArgument(`format ${format.name} looks keys up by id: pass the id inside the key`);
    }
    if (typeof input.hint !== 'string' || input.hint.length > 8) throw invalidArgument('hint must be the last 4 characters of the key');
    const now = this.now();
    const record: StoredKey = {
      id: input.id ?? this.newId(),
      workspaceId,
      ownerId,
      name: this.checkName(input.name),
      format: format.name,
      environment: input.environment ?? null,
      scopes: this.checkScopes(input.scopes),
      prefix: input.prefix ?? (format.lookup === 'id' ? `${input.id}.` : ''),
      createdBy: input.actor ?? null,
      hint: input.hint,
      hash,
      hashVersion,
      legacy,
      createdAt: toDate(input.createdAt, 'createdAt') ?? new Date(now),
      updatedAt: new Date(now),
      expiresAt: toDate(input.expiresAt, 'expiresAt'),
      revokedAt: null,
      sunsetAt: legacy ? toDate(input.sunsetAt, 'sunsetAt') : null,
      rotatedToId: null,
      lastUsedAt: null,
      metadata: this.checkMetadata(input.metadata),
    };
    await this.guarded(() => this.store.insert(record));
    // An id lookup may have remembered this id as unknown.
    await this.changed(record.id);
    this.audit({
      type: 'key.imported',
      workspaceId,
      keyId: record.id,
      keyHint: record.hint,
      actor: input.actor,
      details: { name: record.name, legacy, ...(legacy ? { ownerId, sunsetAt: record.sunsetAt?.toISOString() ?? null } : {}) },
    });
    return this.toPublic(record);
  }

  /** A key by id, or `null`. With `workspaceId`, a key of another workspace is `null` too. */
  async get(id: string, guard?: WorkspaceGuard): Promise<ApiKey | null> {
    try {
      return this.toPublic(await this.getStored(id, guard));
    } catch (e) {
      if (isKeywardError(e) && e.code === 'not_found') return null;
      throw e;
    }
  }

  /** Keys of a workspace (or of a legacy owner), oldest first, without hashes. */
  async list(query: ListQuery): Promise<ListPage<ApiKey>> {
    if (!query || (query.workspaceId === undefined && query.ownerId === undefined)) {
      throw invalidArgument('list needs a workspaceId or an ownerId');
    }
    if (query.limit !== undefined && !(Number.isInteger(query.limit) && query.limit >= 1 && query.limit <= 1000)) {
      throw invalidArgument('limit must be an integer from 1 to 1000');
    }
    const page = await this.guarded(() => this.store.list(query));
    return { items: page.items.map((r) => this.toPublic(checkRow(r)!)), nextCursor: page.nextCursor };
  }

  private readStoreOf<T>(configured: T | null, methods: readonly string[]): T | null {
    if (configured !== null) return configured;
    const store = this.store as unknown as Record<string, unknown>;
    return methods.every((m) => typeof store[m] === 'function') ? (this.store as unknown as T) : null;
  }

  /**
   * Requests per UTC day of one key or of one workspace, from the usage store (the key store
   * unless `usage.store` says otherwise; readable even where this engine does not track). Counts
   * of the last `usage.flushInterval` may not be written yet: `flush()` first for this process's.
   *
   * @example
   * ```ts
   * const { total, days } = await keyward.usage({ workspaceId: 'ws_1', from: '2026-11-01', to: '2026-11-30' });
   * ```
   * @throws {KeywardError} `invalid_argument` for a bad range (more than 400 days, `to` before `from`).
   * @throws {TypeError} when no usage store is configured and the key store is not one.
   */
  async usage(query: UsageQuery): Promise<UsageReport> {
    const store = this.readStoreOf(this.usageStore, ['addUsage', 'touchKeys', 'readUsage']);
    if (store === null)
      throw new TypeError('keyward.usage needs a usage store: createKeyward({ usage: { store } }) or a key store that implements UsageStore');
    if (!query || typeof query !== 'object') throw invalidArgument('usage needs { keyId } or { workspaceId }, and { from, to }');
    const byKey = query.keyId !== undefined;
    if (byKey === (query.workspaceId !== undefined)) throw invalidArgument('usage needs either keyId or workspaceId (not both)');
    if (byKey && (typeof query.keyId !== 'string' || query.keyId.length === 0)) throw invalidArgument('keyId must be a non-empty string');
    const workspaceId = byKey ? undefined : this.checkWorkspace(query.workspaceId);
    const from = parseDay(query.from);
    const to = parseDay(query.to);
    if (from === null || to === null) throw invalidArgument('from and to must be days (YYYY-MM-DD), ISO 8601 times or Dates');
    if (to < from) throw invalidArgument('to must not be before from');
    if (to - from >= 400) throw invalidArgument('a usage query covers at most 400 days');
    const range = { from: dayString(from), to: dayString(to) };
    const rows = await this.guarded(() => store.readUsage(byKey ? { ...range, keyId: query.keyId! } : { ...range, workspaceId: workspaceId! }));
    const perDay = new Map<string, number>();
    const perKey = new Map<string, number>();
    const byKeyAndDay: { keyId: string; day: string; count: number }[] = [];
    let total = 0;
    for (const row of rows) {
      if (row.day < range.from || row.day > range.to) continue;
      byKeyAndDay.push({ keyId: row.keyId, day: row.day, count: row.count });
      total += row.count;
      perDay.set(row.day, (perDay.get(row.day) ?? 0) + row.count);
      perKey.set(row.keyId, (perKey.get(row.keyId) ?? 0) + row.count);
    }
    const days: { day: string; count: number }[] = [];
    for (let d = from; d <= to; d++) {
      const day = dayString(d);
      days.push({ day, count: perDay.get(day) ?? 0 });
    }
    const keys = [...perKey].map(([keyId, count]) => ({ keyId, count })).sort((a, b) => b.count - a.count || (a.keyId < b.keyId ? -1 : 1));
    if (byKey && keys.length === 0) keys.push({ keyId: query.keyId!, count: 0 });
    return { ...range, total, days, keys, byKeyAndDay };
  }

  /**
   * The audit log of one workspace, newest first, from the audit store (the key store unless
   * `audit.store` says otherwise). Events of the last `audit.flushInterval` may not be written yet.
   *
   * @example
   * ```ts
   * let page = await keyward.auditLog({ workspaceId: 'ws_1', from: '2026-11-01' });
   * while (page.nextCursor) page = await keyward.auditLog({ workspaceId: 'ws_1', cursor: page.nextCursor });
   * ```
   * @throws {KeywardError} `invalid_argument` for a bad query or cursor.
   * @throws {TypeError} when no audit store is configured and the key store is not one.
   */
  async auditLog(query: AuditQuery): Promise<AuditPage> {
    const store = this.readStoreOf(this.auditStore, ['appendAudit', 'readAudit']);
    if (store === null)
      throw new TypeError('keyward.auditLog needs an audit store: createKeyward({ audit: { store } }) or a key store that implements AuditStore');
    if (!query || typeof query !== 'object' || query.workspaceId === undefined) {
      throw invalidArgument('auditLog needs { workspaceId } (a workspace id, or null for events without a workspace)');
    }
    const workspaceId = query.workspaceId === null ? null : this.checkWorkspace(query.workspaceId);
    const limit = query.limit ?? 100;
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= 1000)) throw invalidArgument('limit must be an integer from 1 to 1000');
    if (query.cursor !== undefined && (typeof query.cursor !== 'string' || query.cursor.length === 0 || query.cursor.length > 200)) {
      throw invalidArgument('invalid cursor: pass the nextCursor of the previous page unchanged');
    }
    const from = toDate(query.from, 'from');
    const to = toDate(query.to, 'to');
    const filters = auditFilters(query);
    const page = await this.guarded(() =>
      store.readAudit({
        workspaceId,
        limit,
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
        ...filters,
      }),
    );
    return filterAuditPage(page, filters);
  }

  /** Renames a key. Legacy keys cannot be changed. */
  async rename(id: string, name: string, guard?: ChangeOptions): Promise<ApiKey> {
    return this.update(id, { name }, guard);
  }

  /** Changes name, scopes, expiry or metadata of a key. Legacy keys cannot be changed. */
  async update(id: string, input: UpdateKeyInput, guard?: ChangeOptions): Promise<ApiKey> {
    const record = await this.getStored(id, guard);
    if (record.legacy) throw new KeywardError('conflict', { message: 'legacy keys can only be viewed and revoked', keyId: id });
    const patch: { -readonly [K in keyof KeyPatch]: KeyPatch[K] } = { updatedAt: new Date(this.now()) };
    if (input.name !== undefined) patch.name = this.checkName(input.name);
    if (input.scopes !== undefined) patch.scopes = this.checkScopes(input.scopes);
    if (input.expiresAt !== undefined) patch.expiresAt = toDate(input.expiresAt, 'expiresAt');
    if (input.metadata !== undefined) patch.metadata = this.checkMetadata(input.metadata);
    const updated = await this.applyPatch(id, patch);
    if (this.auditRecorder !== null) {
      const base = { workspaceId: record.workspaceId, keyId: id, keyHint: record.hint, actor: guard?.actor };
      if (patch.name !== undefined && patch.name !== record.name) {
        this.audit({ ...base, type: 'key.renamed', details: { name: patch.name, previousName: record.name } });
      }
      const fields = (['scopes', 'expiresAt', 'metadata'] as const).filter((f) => patch[f] !== undefined);
      if (fields.length > 0) this.audit({ ...base, type: 'key.updated', details: { fields } });
    }
    return updated;
  }

  /** Revokes a key at once. Revoking a revoked key changes nothing and returns it. */
  async revoke(id: string, guard?: ChangeOptions): Promise<ApiKey> {
    const record = await this.getStored(id, guard);
    if (record.revokedAt !== null) return this.toPublic(record);
    const now = new Date(this.now());
    const revoked = await this.applyPatch(id, { revokedAt: now, updatedAt: now });
    this.audit({ type: 'key.revoked', workspaceId: record.workspaceId, keyId: id, keyHint: record.hint, actor: guard?.actor });
    return revoked;
  }

  /** Deletes a key for good. Returns whether there was one. */
  async delete(id: string, guard?: ChangeOptions): Promise<boolean> {
    let record: StoredKey;
    try {
      record = await this.getStored(id, guard);
    } catch (e) {
      if (isKeywardError(e) && e.code === 'not_found') return false;
      throw e;
    }
    const deleted = await this.guarded(() => this.store.delete(id));
    await this.changed(id);
    if (deleted !== null) this.audit({ type: 'key.deleted', workspaceId: record.workspaceId, keyId: id, keyHint: record.hint, actor: guard?.actor });
    return deleted !== null;
  }

  /**
   * Replaces a key by a new one with the same settings. The old key stops at once, or at the end of
   * `gracePeriod`. A key is rotated once: a second rotation of the same key is a `conflict`.
   */
  async rotate(id: string, options: RotateOptions = {}): Promise<CreatedKey & { previous: ApiKey }> {
    const grace = toMilliseconds(options.gracePeriod ?? 0, 'gracePeriod');
    const old = await this.getStored(id, options);
    if (old.legacy) throw new KeywardError('conflict', { message: 'legacy keys cannot be rotated: create a workspace key', keyId: id });
    if (old.revokedAt !== null) throw new KeywardError('conflict', { message: 'a revoked key cannot be rotated', keyId: id });
    if (old.rotatedToId !== null) throw new KeywardError('conflict', { message: 'this key was rotated already', keyId: id });
    const format = this.formatFor(old.format);
    const nowMs = this.now();
    const now = new Date(nowMs);
    const generated = format.generate(old.environment !== null ? { environment: old.environment } : undefined);
    const parsed = format.parse(generated.key);
    if ('error' in parsed) throw new RangeError(`format ${format.name} generated a key it cannot parse (${parsed.detail})`);
    const successor: StoredKey = {
      ...old,
      id: generated.id ?? this.newId(),
      prefix: format.redact(generated.key).split('…')[0] ?? '',
      hint: generated.key.slice(-4),
      hash: this.hashers[0]!.hash(parsed.secret),
      hashVersion: this.hashers[0]!.version,
      createdAt: now,
      updatedAt: now,
      revokedAt: null,
      rotatedToId: null,
      lastUsedAt: null,
      metadata: { ...old.metadata },
      // Whoever rotates makes the new secret.
      createdBy: options.actor ?? old.createdBy ?? null,
      scopes: [...old.scopes],
    };
    let oldExpiresAt: Date | undefined;
    if (grace > 0) {
      const end = nowMs + grace;
      oldExpiresAt = new Date(old.expiresAt !== null ? Math.min(old.expiresAt.getTime(), end) : end);
    }
    const previous = await this.guarded(() =>
      this.store.rotate({ oldId: id, successor, revokeOld: grace === 0, now, ...(oldExpiresAt ? { oldExpiresAt } : {}) }),
    );
    await this.changed(id);
    this.audit({
      type: 'key.rotated',
      workspaceId: old.workspaceId,
      keyId: id,
      keyHint: old.hint,
      actor: options.actor,
      details: { successorId: successor.id, successorHint: successor.hint, gracePeriodMs: grace },
    });
    return { key: generated.key, record: this.toPublic(successor), previous: this.toPublic(checkRow(previous)!) };
  }

  private async applyPatch(id: string, patch: KeyPatch): Promise<ApiKey> {
    const updated = checkRow(await this.guarded(() => this.store.update(id, patch)));
    if (updated === null) throw new KeywardError('not_found', { keyId: id });
    await this.changed(id);
    return this.toPublic(updated);
  }

  private newId(): string {
    return this.options.generateId ? this.options.generateId() : `key_${randomString(20)}`;
  }

  private expiry(expiresAt: Date | string | null | undefined, expiresIn: CreateKeyInput['expiresIn'], now: number): Date | null {
    if (expiresAt !== undefined && expiresAt !== null) return toDate(expiresAt, 'expiresAt');
    if (expiresIn === undefined) return null;
    try {
      return new Date(now + toMilliseconds(expiresIn, 'expiresIn'));
    } catch (e) {
      throw invalidArgument((e as Error).message);
    }
  }

  private checkWorkspace(value: unknown, what = 'workspaceId'): string {
    if (typeof value !== 'string' || !WORKSPACE_RE.test(value)) {
      throw invalidArgument(`${what} must be 1-128 characters of letters, digits, "_", "-", ".", ":" or "@"`);
    }
    return value;
  }

  private checkName(value: unknown): string {
    if (typeof value !== 'string' || value.trim().length === 0 || value.length > 200) {
      throw invalidArgument('name must be a non-empty string of at most 200 characters');
    }
    return value.trim();
  }

  private checkScopes(value: readonly unknown[] | undefined): string[] {
    try {
      return normalizeScopes(value);
    } catch (e) {
      throw invalidArgument((e as Error).message);
    }
  }

  private checkMetadata(value: unknown): Record<string, unknown> {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw invalidArgument('metadata must be a plain object');
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch {
      throw invalidArgument('metadata must be serializable as JSON');
    }
    if (json.length > 16_384) throw invalidArgument('metadata must serialize to at most 16 KiB of JSON');
    return JSON.parse(json) as Record<string, unknown>;
  }
}

/**
 * Creates the engine.
 *
 * @example
 * ```ts
 * const keyward = createKeyward({ store: memoryStore(), format: prefixedFormat({ prefix: 'tipar' }) });
 * const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'prod' });
 * const result = await keyward.verify({ authorization: `Bearer ${key}` });
 * ```
 */
export function createKeyward(options: KeywardOptions): Keyward {
  return new Keyward(options);
}

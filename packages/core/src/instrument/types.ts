import type { KeywardErrorCode } from '../errors.js';

/**
 * A point in time: milliseconds since the Unix epoch with sub-millisecond precision
 * (`performance.timeOrigin + performance.now()`). OpenTelemetry takes it as a span's `startTime` /
 * `endTime` as is. On Cloudflare Workers the clock only moves across I/O, so pure CPU steps read 0.
 */
export type Timestamp = number;

/**
 * What a store call was: the method of the store the engine called. Background writes (usage,
 * audit) and the invalidation bus are stores too.
 */
export type StoreOperation =
  | 'findById'
  | 'findByHash'
  | 'findByHashAndConsume'
  | 'consumeCounters'
  | 'insert'
  | 'list'
  | 'update'
  | 'delete'
  | 'rotate'
  | 'addUsage'
  | 'touchKeys'
  | 'readUsage'
  | 'appendAudit'
  | 'readAudit'
  | 'publish';

/** One call to a store, timed. Holds no argument and no answer of the call. */
export interface StoreCallEvent {
  /**
   * The store's `system` (the OpenTelemetry `db.system.name` value: `postgresql`, `redis`, or
   * `memory` for the memory store), `other` when the store names none.
   */
  readonly system: string;
  readonly operation: StoreOperation;
  readonly start: Timestamp;
  readonly end: Timestamp;
  /** `timeout`: no answer within `storeTimeout`; `error`: the call threw or rejected. */
  readonly outcome: 'ok' | 'error' | 'timeout';
  /**
   * The class of the error, never its message: its `code` (`ECONNREFUSED`, `57P01`) or its
   * `name`; `timeout` for a timeout. Absent when the call succeeded.
   */
  readonly errorType?: string;
}

/**
 * How the lookup of a verify was answered: `hit` — by the in-process cache (a record, or a
 * remembered "unknown"); `miss` — by the store; `none` — there was no lookup (refused before it:
 * no header, malformed key), or no cache stands in front of the store (a memory store).
 */
export type CacheResult = 'hit' | 'miss' | 'none';

/** One verify, from the header to the answer. */
export interface VerifyEvent {
  readonly start: Timestamp;
  readonly end: Timestamp;
  readonly ok: boolean;
  /** The refusal's code; `null` when `ok`. */
  readonly code: KeywardErrorCode | null;
  /** The internal reason of an `invalid_key` (`unknown`, `revoked`, `workspace_mismatch`), else `null`. */
  readonly reason: string | null;
  /** The key's id, when the key was found (or its id was read from the token); never the key. */
  readonly keyId: string | null;
  /** The workspace of the key that was found (`null` for an owner's legacy key or no key). */
  readonly workspaceId: string | null;
  /** The workspace the route asked for (`VerifyOptions.workspaceId`), or `null`. */
  readonly routeWorkspaceId: string | null;
  /** The name of the key format that read the token, or `null` when none did. */
  readonly format: string | null;
  readonly cache: CacheResult;
  /** A legacy key was used (or refused after its sunset). */
  readonly legacy: boolean;
  /**
   * The store calls this verify made (lookup, counters), in the order they started. Not the calls
   * of an in-process store (`local: true`, no cache in front) that answered at once without error:
   * no round trip, and timing them would cost more than they do.
   */
  readonly steps: readonly StoreCallEvent[];
}

/** A lifecycle call of the engine. */
export type LifecycleOperation = 'create' | 'import' | 'get' | 'list' | 'update' | 'revoke' | 'delete' | 'rotate' | 'usage' | 'auditLog';

/** One lifecycle call, from its start to its answer or its error. */
export interface LifecycleEvent {
  readonly operation: LifecycleOperation;
  readonly start: Timestamp;
  readonly end: Timestamp;
  readonly ok: boolean;
  /**
   * Why it failed: a `KeywardError` code (`not_found`, `conflict`, `invalid_argument`,
   * `store_unavailable`), or the name of another error (`TypeError`); `null` when `ok`.
   */
  readonly code: string | null;
  /** The key the call was about (for `create`, `import` and `rotate`: the new key), or `null`. */
  readonly keyId: string | null;
  readonly workspaceId: string | null;
  /** `rotate`: the key that was replaced. */
  readonly previousKeyId?: string | null;
  /**
   * What the call changed, for counting: `created` (a new key stored: create, import, the
   * successor of a rotation), `revoked` (revoke, or a rotation without grace period). Empty for
   * a read or a call that changed nothing.
   */
  readonly changes: readonly ('created' | 'revoked' | 'deleted' | 'updated')[];
  readonly steps: readonly StoreCallEvent[];
}

/** Something happened to the in-process cache or the invalidation bus. */
export type CacheEvent =
  | {
      /** An invalidation message reached this instance. */
      readonly type: 'message';
      readonly at: Timestamp;
      readonly keyId: string;
      /**
       * Milliseconds from its publication (the sender's clock) to its arrival (this instance's
       * clock), when the sender stamped it; clocks of two hosts differ, so treat small values as
       * noise.
       */
      readonly lagMs: number | null;
    }
  | {
      /** The entries of one key were dropped (a local change, or a message). */
      readonly type: 'invalidate';
      readonly at: Timestamp;
      readonly keyId: string;
    }
  | {
      /**
       * The whole cache was dropped and is bypassed for one TTL: the bus lost its connection, so
       * messages may have been missed.
       */
      readonly type: 'clear';
      readonly at: Timestamp;
    };

/** Levels of {@link Notice}s, as loggers name them. */
export type NoticeLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * What an operator must know, as structured data: what `logger` receives (with a sentence), and
 * what an instrumentation may record. No field of a notice ever holds a key, a hash, a pepper or
 * an `Authorization` header; error messages are passed through `scrubKeys` and lose every long
 * hexadecimal or base64 run.
 */
export type Notice =
  | {
      /** A store call failed or timed out: verify answers 503 (`store_unavailable`) until it recovers. Once per outage. */
      readonly event: 'keyward.store.unavailable';
      readonly level: 'error';
      readonly system: string;
      readonly operation: StoreOperation;
      readonly errorType: string;
      /** The error's message, redacted. */
      readonly error: string;
    }
  | {
      /** The first successful store call after an outage. */
      readonly event: 'keyward.store.recovered';
      readonly level: 'info';
      readonly system: string;
      /** Milliseconds since the outage began. */
      readonly downMs: number;
    }
  | {
      /** The invalidation bus lost its connection (or could not subscribe): the cache is bypassed until it is back. */
      readonly event: 'keyward.invalidation.lost';
      readonly level: 'warn';
      readonly errorType: string;
      readonly error: string;
    }
  | {
      /** The invalidation bus listens again (after a loss, or after failed first attempts). */
      readonly event: 'keyward.invalidation.resubscribed';
      readonly level: 'info';
    }
  | {
      /** A key stored under an older hasher was re-hashed with the newest one on use. */
      readonly event: 'keyward.hash.upgraded';
      readonly level: 'info';
      readonly keyId: string;
      readonly from: string;
      readonly to: string;
    }
  | {
      /** A legacy key was used (at most once per key per hour and process). */
      readonly event: 'keyward.legacy_key.used';
      readonly level: 'warn';
      readonly keyId: string;
      readonly workspaceId: string | null;
      readonly ownerId: string | null;
      /** Its sunset, ISO 8601, or `null` when it has none. */
      readonly sunsetAt: string | null;
    }
  | {
      /**
       * The configuration cannot do what was asked: a stored key whose hasher or format this
       * engine does not have, a legacy owner key on a workspace route without `ownsWorkspace`, a
       * shared store cached without an invalidation bus. Once per problem and process.
       */
      readonly event: 'keyward.misconfiguration';
      readonly level: 'warn';
      /** A stable name of the problem: `unknown_hash_version`, `unknown_format`, `owns_workspace_missing`, `cache_without_invalidation`. */
      readonly problem: string;
      readonly detail: string;
    };

/**
 * The instrumentation seam: what the engine tells about its work, each as one record with its start
 * and end time, after the fact. Every method is optional; an engine with none attached does no
 * timing at all. Methods are called synchronously, and an exception thrown by one is swallowed (an
 * instrument can never change an answer).
 *
 * `@keyward/otel` turns these records into OpenTelemetry spans and metrics; anything else
 * (Prometheus client, StatsD, a test) can implement it in a few lines.
 *
 * @example
 * ```ts
 * const slow: Instrumentation = {
 *   verify: (e) => { if (e.end - e.start > 50) console.warn('slow verify', e.keyId, e.steps); },
 * };
 * const keyward = createKeyward({ store, instrument: slow });
 * ```
 */
export interface Instrumentation {
  /** Every verify, when it answered. */
  verify?(event: VerifyEvent): void;
  /** Every lifecycle call, when it answered or threw. */
  lifecycle?(event: LifecycleEvent): void;
  /**
   * Store calls made outside a verify or a lifecycle call: background writes of usage and audit,
   * hash upgrades, invalidation messages sent. (Those made for a verify or a lifecycle call are its
   * `steps`.)
   */
  store?(event: StoreCallEvent): void;
  /** Invalidation messages received, entries dropped, and the cache cleared. */
  cache?(event: CacheEvent): void;
  /** What an operator must know (see {@link Notice}); the `logger` option prints these. */
  notice?(notice: Notice): void;
}

/**
 * A structured logger: pino, and `console`, fit as they are (`logger.warn(fields, message)`).
 * A logger without `debug` gets no debug notices.
 */
export interface Logger {
  debug?(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

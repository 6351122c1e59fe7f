import type { Duration } from '../internal/duration.js';

/**
 * Requests of one key on one UTC day: what a store adds up and returns. Counts only grow; a store
 * adds every increment it is given (two engines on one database add up exactly).
 */
export interface UsageCount {
  readonly keyId: string;
  /** The key's workspace (`null` for a legacy key that belongs to an owner). */
  readonly workspaceId: string | null;
  /** UTC day, `YYYY-MM-DD`. */
  readonly day: string;
  /** Requests on that day (an increment when written, the total when read). */
  readonly count: number;
}

/** When a key was last used, written at most once per key per `lastUsedInterval`. */
export interface KeyTouch {
  readonly keyId: string;
  readonly at: Date;
}

/** What a store reads: the days of one key or of one workspace, both ends included. */
export type UsageRange =
  | { readonly keyId: string; readonly workspaceId?: undefined; readonly from: string; readonly to: string }
  | { readonly workspaceId: string; readonly keyId?: undefined; readonly from: string; readonly to: string };

/**
 * Where usage goes. The memory, PostgreSQL and Redis key stores implement it too, so
 * `createKeyward({ store, usage: true })` needs nothing else. Every store passes
 * `describeUsageStore` from `@keyward/core/testing`.
 *
 * The engine calls the writes in the background, with batches it coalesced in memory: never on the
 * path of a request.
 */
export interface UsageStore {
  /**
   * What the store runs on, as OpenTelemetry's `db.system.name` names it (`postgresql`, `redis`;
   * `memory` for the memory store): instrumentation labels its store calls with it.
   */
  readonly system?: string;
  /**
   * Adds each count to the key's total of that day (an upsert that adds, never a read-then-write).
   * A batch holds each (keyId, day) at most once.
   */
  addUsage(counts: readonly UsageCount[]): Promise<void>;
  /**
   * Sets `lastUsedAt` of each key to `at`, unless the stored value is later already. Keys that no
   * longer exist are skipped. `updatedAt` does not change.
   */
  touchKeys(touches: readonly KeyTouch[]): Promise<void>;
  /** Totals per key and day in the range, ordered by day then key id; days without use are absent. */
  readUsage(range: UsageRange): Promise<UsageCount[]>;
}

/** The `usage` option of `createKeyward`. */
export interface UsageOptions {
  /**
   * Where counts and `lastUsedAt` are written.
   * @default the key store (memory, PostgreSQL and Redis stores implement `UsageStore`)
   */
  store?: UsageStore;
  /**
   * `lastUsedAt` of a key is written at most once per this interval (the latest use in it), so a
   * busy key costs one write a minute, not one per request.
   * @default '60s'
   */
  lastUsedInterval?: Duration;
  /**
   * Request counts are added to the store in one batch per this interval (and when 10,000 keys are
   * pending). A crash loses at most this much counting.
   * @default '10s'
   */
  flushInterval?: Duration;
  /** Told about every failed background write (the counts are kept and written again later). */
  onError?: (error: unknown) => void;
}

/** Query of `keyward.usage`: one key or one workspace, over UTC days (both ends included). */
export type UsageQuery =
  | { keyId: string; workspaceId?: undefined; from: Date | string; to: Date | string }
  | { workspaceId: string; keyId?: undefined; from: Date | string; to: Date | string };

/** Answer of `keyward.usage`. */
export interface UsageReport {
  /** First day, `YYYY-MM-DD` (UTC). */
  readonly from: string;
  /** Last day, `YYYY-MM-DD` (UTC), included. */
  readonly to: string;
  /** Requests over the whole range. */
  readonly total: number;
  /** Every day of the range, in order, days without use included (count 0). */
  readonly days: ReadonlyArray<{ readonly day: string; readonly count: number }>;
  /** Requests per key over the range, highest first (one entry for a key query). */
  readonly keys: ReadonlyArray<{ readonly keyId: string; readonly count: number }>;
  /** Requests per key and day, days with use only, ordered by day then key id (a chart per key). */
  readonly byKeyAndDay: ReadonlyArray<{ readonly keyId: string; readonly day: string; readonly count: number }>;
}

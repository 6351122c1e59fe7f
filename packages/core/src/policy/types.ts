import type { ApiKey } from '../engine/types.js';
import type { Duration } from '../internal/duration.js';
import type { Awaitable, StoredKey } from '../store/types.js';

/** Whose requests a limit counts: the key's own, or every key of its workspace together. */
export type LimitScope = 'key' | 'workspace';

/**
 * A rate limit: at most `limit` requests per `window`, enforced with GCRA (the generic cell rate
 * algorithm): smooth, no burst at window edges, one number stored per limit.
 */
export interface RateLimit {
  /** Name in the `RateLimit-Policy` / `RateLimit` headers. @default `"<limit>-per-<window>"`, plus `-workspace` for a workspace limit; names must be distinct */
  name?: string;
  limit: number;
  window: Duration;
  /** @default 'key' */
  per?: LimitScope;
}

/**
 * A quota: `limit` units per calendar period (UTC), or credits refilled to `limit` every `refill`.
 * Each request costs `cost` units (verify option, default 1).
 */
export interface Quota {
  name?: string;
  limit: number;
  /** `'day'` or `'month'` (UTC calendar), or `{ refill: '1h' }` for credits refilled on a period. */
  period: 'day' | 'month' | { refill: Duration };
  /** @default 'key' */
  per?: LimitScope;
  /**
   * Status of an exhausted quota: 402 Payment Required (Keyward's convention — RFC 9110 reserves
   * 402 — with a Problem Details `type` of `https://keyward.dev/problems/quota-exhausted`), or 429
   * with the IETF `quota-exceeded` problem type. @default 402
   */
  status?: 402 | 429;
}

/** The limits of a key: several rate limits and at most one quota. */
export interface Policies {
  rateLimits?: readonly RateLimit[];
  quota?: Quota;
}

/**
 * Policies for every key, or per key (from its metadata, plan, workspace…); `undefined` = none.
 * A function is called on every verify that reaches the limits; each object it returns is checked
 * once and remembered (return a new object to change a plan, don't mutate one). A function that
 * throws, or returns policies that are not valid, refuses the request with 503 (never a pass).
 */
export type PolicyOption = Policies | ((key: ApiKey) => Awaitable<Policies | undefined>);

/** One rate-limit counter of a {@link CounterRequest}. */
export interface RateCounter {
  /** Counter name in the store (scope, id and limit), without any store prefix. */
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
}

/** The quota counter of a {@link CounterRequest}: one counter per period. */
export interface QuotaCounter {
  /** Counter name in the store, including the period it counts. */
  readonly key: string;
  readonly limit: number;
  /** When the period ends (ms since epoch): the counter may be dropped after it. */
  readonly resetAt: number;
}

/**
 * What one request asks of the counters: all of them are checked, and either all are consumed
 * (each rate limit one request, the quota `cost` units) or none is — a request refused by one limit
 * consumes none of the others.
 */
export interface CounterRequest {
  /** Groups the counters of one request (a workspace, or a key without one): Redis hash tag. */
  readonly group: string;
  readonly now: number;
  /** Quota units this request spends (rate limits count one request whatever the cost). */
  readonly cost: number;
  readonly rates: readonly RateCounter[];
  readonly quota: QuotaCounter | null;
  /** Check only: consume nothing. */
  readonly dryRun: boolean;
  /**
   * Aborted when the engine stopped waiting (`storeTimeout`) and answered 503: a store that can
   * should then commit nothing (PostgreSQL rolls its transaction back instead of committing).
   * Absent when no one waits with a bound (a store's own tests).
   */
  readonly signal?: AbortSignal;
}

export interface RateState {
  /** Requests left: after this one when it is admitted, as things are when it is refused. */
  readonly remaining: number;
  /** Milliseconds until the limit is fully available again. */
  readonly resetMs: number;
}

export interface CounterResult {
  /** `null` when admitted; else what refused: a rate limit (its index) or the quota. */
  readonly refused: { readonly rate: number } | { readonly quota: true } | null;
  /** For a refusal: milliseconds until a retry can pass. */
  readonly retryAfterMs: number;
  readonly rates: readonly RateState[];
  readonly quota: { readonly remaining: number } | null;
}

/**
 * Atomic counters for rate limits and quotas. Implemented by the memory, PostgreSQL and Redis key
 * stores; every implementation passes `describeCounterStore` from `@keyward/core/testing`.
 */
export interface CounterStore {
  /**
   * What the store runs on, as OpenTelemetry's `db.system.name` names it (`postgresql`, `redis`;
   * `memory` for the memory store): instrumentation labels its store calls with it.
   */
  readonly system?: string;
  /** Checks every counter of the request and consumes all of them, or none. Atomic across processes. */
  consumeCounters(request: CounterRequest): Promise<CounterResult>;
}

/**
 * GCRA on a stored "theoretical arrival time" (TAT, ms). Shared by the stores so that they agree
 * to the millisecond. Returns the new TAT when admitted, or `null` and the wait when refused.
 */
export function gcra(
  tat: number | null,
  now: number,
  cost: number,
  limit: number,
  windowMs: number,
): { tat: number; remaining: number; resetMs: number; waitMs: number; ok: boolean } {
  const interval = windowMs / limit;
  const next = Math.max(tat ?? now, now) + cost * interval;
  const ok = next - now <= windowMs;
  const effective = ok ? next : Math.max(tat ?? now, now);
  return {
    ok,
    tat: next,
    remaining: Math.max(0, Math.floor((windowMs - (effective - now)) / interval + 1e-9)),
    resetMs: Math.max(0, Math.ceil(effective - now)),
    waitMs: ok ? 0 : Math.max(0, Math.ceil(next - windowMs - now)),
  };
}

/** The state of a GCRA limit without consuming anything. */
export function gcraState(tat: number | null, now: number, limit: number, windowMs: number): { remaining: number; resetMs: number } {
  const interval = windowMs / limit;
  const current = Math.max(tat ?? now, now);
  return { remaining: Math.max(0, Math.floor((windowMs - (current - now)) / interval + 1e-9)), resetMs: Math.max(0, Math.ceil(current - now)) };
}

/**
 * The conditions under which a store may consume a request's counters in the same round trip as
 * the lookup ({@link FusedCounterStore.findByHashAndConsume}): a conservative subset of the
 * engine's checks — whatever passes them passes the engine's too (tested), and anything else is
 * decided by the engine first, with the counters in a second step.
 */
export interface CounterGuard {
  /** The record's `format` must be this one. */
  readonly format: string;
  /** The record's `hashVersion` must be this one (the engine's newest hasher). */
  readonly hashVersion: string;
  /** When not `null`, the record's `workspaceId` must be this one. */
  readonly workspaceId: string | null;
  /** When not `null`, the record's `environment` must be this one. */
  readonly environment: string | null;
  /** Each must be among the record's scopes literally, or the record must hold `*`. */
  readonly scopes: readonly string[];
}

/** A rate limit or quota counter named relative to the key: `<kind>:<k:counter id | w:workspace>:<name>`. */
export interface PlannedCounter {
  readonly per: LimitScope;
  /** The part of the counter's name after the scope: `<limit>/<window ms>`, or the quota period. */
  readonly name: string;
  readonly limit: number;
}

/**
 * A {@link CounterRequest} before the key is known: the counters of a request with fixed
 * policies, completed with the key's id and workspace by {@link counterRequest} (or by a store,
 * the same way, in its lookup).
 */
export interface CounterPlan {
  readonly now: number;
  readonly cost: number;
  readonly dryRun: boolean;
  readonly rates: readonly (PlannedCounter & { readonly windowMs: number })[];
  readonly quota: (PlannedCounter & { readonly resetAt: number }) | null;
  readonly guard: CounterGuard;
}

/** A counter store that can also look a key up and consume its counters in one round trip. */
export interface FusedCounterStore extends CounterStore {
  /**
   * Reads the record stored under `hash` (as `findByHash`) and, only when it passes
   * {@link guardAdmits} for `plan.guard` at `plan.now`, consumes `counterRequest(plan, record)` in
   * the same atomic step. `counters` is `null` when nothing was consumed (no record, or the guard
   * did not pass). Every implementation passes `describeFusedCounterStore` from
   * `@keyward/core/testing`.
   */
  findByHashAndConsume(hash: string, plan: CounterPlan): Promise<{ record: StoredKey | null; counters: CounterResult | null }>;
}

/** What names a key's counters: its workspace, and its counter identity (`counterId`, else `id`). */
export type CounterKey = Pick<StoredKey, 'id' | 'workspaceId' | 'counterId'>;

/**
 * The scope part of a counter's name: the workspace for a workspace limit of a key that has one,
 * else the key's counter identity — its `counterId` (inherited through rotations), else its `id`.
 */
function counterScope(per: LimitScope, key: CounterKey): string {
  return per === 'workspace' && key.workspaceId !== null ? `w:${key.workspaceId}` : `k:${key.counterId ?? key.id}`;
}

/** The counters of `plan` for one key. */
export function counterRequest(plan: CounterPlan, key: CounterKey): CounterRequest {
  return {
    group: key.workspaceId !== null ? `w:${key.workspaceId}` : `k:${key.counterId ?? key.id}`,
    now: plan.now,
    cost: plan.cost,
    dryRun: plan.dryRun,
    rates: plan.rates.map((r) => ({ key: `r:${counterScope(r.per, key)}:${r.name}`, limit: r.limit, windowMs: r.windowMs })),
    quota:
      plan.quota === null
        ? null
        : { key: `q:${counterScope(plan.quota.per, key)}:${plan.quota.name}`, limit: plan.quota.limit, resetAt: plan.quota.resetAt },
  };
}

/** Whether a record passes a {@link CounterGuard} at `now` (ms): the reference the stores follow. */
export function guardAdmits(guard: CounterGuard, now: number, record: StoredKey): boolean {
  if (record.format !== guard.format || record.hashVersion !== guard.hashVersion || record.legacy) return false;
  // Revoked means revoked whatever the clock (a revocation is immediate; see verify/decide.ts).
  if (record.revokedAt !== null) return false;
  if (record.expiresAt !== null && record.expiresAt.getTime() <= now) return false;
  if (guard.workspaceId !== null && record.workspaceId !== guard.workspaceId) return false;
  if (guard.environment !== null && record.environment !== guard.environment) return false;
  if (guard.scopes.length > 0 && !record.scopes.includes('*')) {
    for (const scope of guard.scopes) if (!record.scopes.includes(scope)) return false;
  }
  return true;
}

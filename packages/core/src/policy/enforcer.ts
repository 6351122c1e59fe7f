import { refusedKey } from '../audit/key-facts.js';
import { KeywardError } from '../errors.js';
import type { ApiKey, VerifyResult, VerifySuccess } from '../engine/types.js';
import { toMilliseconds } from '../internal/duration.js';
import { boundedPolicies, consumeWithin } from './bounded-counters.js';
import {
  type CounterGuard,
  type CounterPlan,
  counterRequest,
  type CounterResult,
  type CounterStore,
  type Policies,
  type PolicyOption,
  type Quota,
  type RateLimit,
} from './types.js';

/**
 * The rate-limit headers follow draft-ietf-httpapi-ratelimit-headers-10: `RateLimit-Policy`
 * lists each policy as `"name";q=<quota>;w=<window seconds>`, `RateLimit` its current state as
 * `"name";r=<remaining>;t=<seconds until reset>`.
 */
export const RATELIMIT_DRAFT = 'draft-ietf-httpapi-ratelimit-headers-10';
/** Problem type of a quota refused with 429 (the IETF registry entry of the same draft). */
export const QUOTA_EXCEEDED_TYPE = 'https://iana.org/assignments/http-problem-types#quota-exceeded';
/** Problem type of Keyward's 402 for an exhausted quota (RFC 9110 reserves 402: our convention). */
export const QUOTA_EXHAUSTED_TYPE = 'https://keyward.dev/problems/quota-exhausted';

/** A quota period: its bounds (ms), its counter's name and its `RateLimit-Policy` entry. */
interface PeriodWindow {
  readonly start: number;
  readonly end: number;
  readonly counter: string;
  readonly policy: string;
}

interface Checked {
  rates: { name: string; limit: number; windowMs: number; per: 'key' | 'workspace' }[];
  /** The rate counters of a plan (the same for every request). */
  plannedRates: CounterPlan['rates'];
  /** The `RateLimit-Policy` entries of the rates (the same for every request). */
  ratePolicies: string[];
  quota:
    | (Required<Pick<Quota, 'limit' | 'status'>> & { name: string; per: 'key' | 'workspace'; period: Quota['period']; refillMs: number | null })
    | null;
  /** The quota period last asked for (most requests fall in the same one). */
  window: PeriodWindow | null;
}

const NAME_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

function checkPolicies(policies: Policies): Checked {
  const rates = (policies.rateLimits ?? []).map((r: RateLimit) => {
    if (!Number.isInteger(r.limit) || r.limit < 1) throw new RangeError(`rate limit: limit must be a positive integer, got ${r.limit}`);
    const windowMs = toMilliseconds(r.window, 'rate limit window');
    if (windowMs < 1) throw new RangeError('rate limit: window must be at least 1 ms');
    const per = r.per ?? 'key';
    if (per !== 'key' && per !== 'workspace') throw new RangeError(`rate limit: per must be 'key' or 'workspace'`);
    const name = r.name ?? `${r.limit}-per-${typeof r.window === 'number' ? `${r.window}ms` : r.window}${per === 'workspace' ? '-workspace' : ''}`;
    if (!NAME_RE.test(name)) throw new RangeError(`rate limit name ${JSON.stringify(name)}: 1-64 letters, digits, _ . : -`);
    return { name, limit: r.limit, windowMs, per };
  });
  // One counter per (per, limit, window): two such limits would share it and count twice on some stores.
  const seen = new Set<string>();
  for (const r of rates) {
    const id = `${r.per}:${r.limit}/${r.windowMs}`;
    if (seen.has(id)) throw new RangeError(`rate limit ${JSON.stringify(r.name)}: another rate limit has the same per, limit and window`);
    seen.add(id);
  }
  let quota: Checked['quota'] = null;
  const q = policies.quota;
  if (q !== undefined) {
    if (!Number.isInteger(q.limit) || q.limit < 0) throw new RangeError(`quota: limit must be a non-negative integer, got ${q.limit}`);
    const refillMs = typeof q.period === 'object' && q.period !== null ? toMilliseconds(q.period.refill, 'quota refill') : null;
    if (refillMs === null && q.period !== 'day' && q.period !== 'month')
      throw new RangeError(`quota: period must be 'day', 'month' or { refill: duration }`);
    const status = q.status ?? 402;
    if (status !== 402 && status !== 429) throw new RangeError('quota: status must be 402 or 429');
    const name = q.name ?? 'quota';
    if (!NAME_RE.test(name)) throw new RangeError(`quota name ${JSON.stringify(name)}: 1-64 letters, digits, _ . : -`);
    const per = q.per ?? 'key';
    if (per !== 'key' && per !== 'workspace') throw new RangeError(`quota: per must be 'key' or 'workspace'`);
    quota = { name, limit: q.limit, status, per, period: q.period, refillMs };
  }
  const names = [...rates.map((r) => r.name), ...(quota ? [quota.name] : [])];
  if (new Set(names).size !== names.length)
    throw new RangeError('policies: every rate limit and the quota need distinct names (they name the RateLimit headers)');
  const plannedRates = Object.freeze(
    rates.map((r) => Object.freeze({ per: r.per, name: `${r.limit}/${r.windowMs}`, limit: r.limit, windowMs: r.windowMs })),
  );
  const ratePolicies = rates.map((r) => `"${r.name}";q=${r.limit};w=${Math.max(1, Math.ceil(r.windowMs / 1000))}`);
  return { rates, plannedRates, ratePolicies, quota, window: null };
}

/** Start and end (ms) of the quota period that contains `now`. */
function period(quota: NonNullable<Checked['quota']>, now: number): [number, number] {
  if (quota.refillMs !== null) {
    const start = Math.floor(now / quota.refillMs) * quota.refillMs;
    return [start, start + quota.refillMs];
  }
  const d = new Date(now);
  if (quota.period === 'day') {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return [start, start + 86_400_000];
  }
  return [Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)];
}

/** The quota period of checked policies that contains `now` (remembered while it lasts). */
function windowOf(checked: Checked, now: number): PeriodWindow {
  const last = checked.window;
  if (last !== null && now >= last.start && now < last.end) return last;
  const q = checked.quota!;
  const [start, end] = period(q, now);
  const window = {
    start,
    end,
    counter: `${q.refillMs ?? (q.period as string)}:${start}`,
    policy: `"${q.name}";q=${q.limit};w=${Math.ceil((end - start) / 1000)}`,
  };
  checked.window = window;
  return window;
}

/** The counters of checked policies at `now`, named relative to the key (see `counterRequest`). */
function planOf(checked: Checked, now: number, cost: number, dryRun: boolean, guard: CounterGuard | null): CounterPlan {
  let quota: CounterPlan['quota'] = null;
  const q = checked.quota;
  if (q !== null) {
    const window = windowOf(checked, now);
    quota = { per: q.per, name: window.counter, limit: q.limit, resetAt: window.end };
  }
  return { now, cost, dryRun, guard: guard ?? NO_GUARD, rates: checked.plannedRates, quota };
}

/** The guard of a plan that is consumed after the engine's own checks (never by a store). */
const NO_GUARD: CounterGuard = Object.freeze({ format: '', hashVersion: '', workspaceId: null, environment: null, scopes: [] });

/**
 * Applies rate limits and quotas after a key passed every other check (DESIGN.md: … scopes →
 * rate limit → quota → success), through a {@link CounterStore}.
 */
export class PolicyEnforcer {
  private readonly fixed: Checked | null;
  private readonly resolveFor: ((key: ApiKey) => PromiseLike<Policies | undefined> | Policies | undefined) | null;
  /** Checked policies of the objects a resolver returned (plans are usually a few shared objects). */
  private readonly checkedOf = new WeakMap<Policies, Checked>();

  /**
   * @param timeoutMs bounds every counter call and the resolver (`storeTimeout`; `null` for a store
   * in process memory, which cannot hang), whichever counters a verify passes (an observed one too).
   */
  constructor(
    option: PolicyOption,
    private readonly counters: CounterStore,
    private readonly timeoutMs: number | null = null,
  ) {
    if (typeof option === 'function') {
      this.fixed = null;
      this.resolveFor = timeoutMs === null ? option : boundedPolicies(option, timeoutMs);
    } else {
      this.fixed = checkPolicies(option);
      this.resolveFor = null;
    }
  }

  /**
   * The counters a request will need, before its key is known — for a store that consumes them in
   * the lookup's round trip — or `null` when they depend on the key (a resolver) or there are none.
   */
  plan(now: number, cost: number, dryRun: boolean, guard: CounterGuard): CounterPlan | null {
    const checked = this.fixed;
    if (checked === null || (checked.rates.length === 0 && checked.quota === null)) return null;
    return planOf(checked, now, cost, dryRun, guard);
  }

  /**
   * Runs the limits of `success.key` and returns the success with its headers, or the refusal:
   * at once for fixed policies whose counters were already consumed (`counted`), else a promise.
   */
  apply(
    success: VerifySuccess,
    now: number,
    cost: number,
    dryRun: boolean,
    counted?: { plan: CounterPlan; result: CounterResult },
    counters: CounterStore = this.counters,
  ): VerifyResult | Promise<VerifyResult> {
    if (this.fixed !== null) return this.applyChecked(this.fixed, success, now, cost, dryRun, counted, counters);
    return this.applyResolved(success, now, cost, dryRun, counters);
  }

  /** {@link apply} with the policies a resolver returns for the key. */
  private async applyResolved(success: VerifySuccess, now: number, cost: number, dryRun: boolean, counters: CounterStore): Promise<VerifyResult> {
    const key = success.key;
    let checked: Checked | null;
    try {
      const policies = await this.resolveFor!(key);
      if (policies === undefined || policies === null) return success;
      checked = this.checkedOf.get(policies) ?? null;
      if (checked === null) {
        checked = checkPolicies(policies);
        this.checkedOf.set(policies, checked);
      }
    } catch (cause) {
      // A resolver that fails (or returns policies that are not valid) must not let the request
      // through unlimited: fail closed, like a counter store that fails.
      return unavailable(cause, key.id);
    }
    return this.applyChecked(checked, success, now, cost, dryRun, undefined, counters);
  }

  private applyChecked(
    checked: Checked,
    success: VerifySuccess,
    now: number,
    cost: number,
    dryRun: boolean,
    counted: { plan: CounterPlan; result: CounterResult } | undefined,
    counters: CounterStore,
  ): VerifyResult | Promise<VerifyResult> {
    if (checked.rates.length === 0 && checked.quota === null) return success;
    if (counted !== undefined) return this.outcome(checked, success, counted.plan, counted.result);
    const plan = planOf(checked, now, cost, dryRun, null);
    let pending: Promise<CounterResult>;
    try {
      const request = counterRequest(plan, success.key);
      pending = this.timeoutMs === null ? counters.consumeCounters(request) : consumeWithin(counters, request, this.timeoutMs);
    } catch (cause) {
      return unavailable(cause, success.key.id);
    }
    // A counter store that fails is an outage: never a pass.
    return Promise.resolve(pending).then(
      (result) => this.outcome(checked, success, plan, result),
      (cause: unknown) => unavailable(cause, success.key.id),
    );
  }

  /** The success with its headers, or the refusal, for the counters of `plan`. */
  private outcome(checked: Checked, success: VerifySuccess, plan: CounterPlan, result: CounterResult): VerifyResult {
    const key = success.key;
    const headers = this.headers(checked, result, plan.now);
    if (result.refused === null) return { ok: true, key, headers: { ...success.headers, ...headers } };
    const retryAfter = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
    if ('rate' in result.refused) {
      return { ok: false, error: refusedKey(new KeywardError('rate_limited', { retryAfter, headers, keyId: key.id }), key) };
    }
    const quota = checked.quota!;
    return {
      ok: false,
      error: refusedKey(
        new KeywardError('quota_exceeded', {
          retryAfter,
          headers,
          keyId: key.id,
          status: quota.status,
          type: quota.status === 429 ? QUOTA_EXCEEDED_TYPE : QUOTA_EXHAUSTED_TYPE,
        }),
        key,
      ),
    };
  }

  private headers(checked: Checked, result: CounterResult, now: number): Record<string, string> {
    let policy = '';
    let state = '';
    const rates = checked.rates;
    for (let i = 0; i < rates.length; i++) {
      policy += i === 0 ? checked.ratePolicies[i] : `, ${checked.ratePolicies[i]}`;
      const s = result.rates[i];
      if (s) state += `${state === '' ? '' : ', '}"${rates[i]!.name}";r=${s.remaining};t=${Math.ceil(s.resetMs / 1000)}`;
    }
    if (checked.quota && result.quota) {
      const window = windowOf(checked, now);
      policy += `${policy === '' ? '' : ', '}${window.policy}`;
      state += `${state === '' ? '' : ', '}"${checked.quota.name}";r=${result.quota.remaining};t=${Math.max(0, Math.ceil((window.end - now) / 1000))}`;
    }
    return policy === '' ? {} : { 'ratelimit-policy': policy, ratelimit: state };
  }
}

function unavailable(cause: unknown, keyId: string): VerifyResult {
  return { ok: false, error: new KeywardError('store_unavailable', { cause, retryAfter: 1, keyId }) };
}

import { describe, expect, it } from 'vitest';
import { createKeyward } from '../engine/keyward.js';
import type { Keyward } from '../engine/keyward.js';
import type { VerifyResult } from '../engine/types.js';
import { isKeywardError } from '../errors.js';
import type { KeyStore } from '../store/types.js';

/** A store on a server of its own, which the suite freezes (SIGSTOP) and lets go (SIGCONT). */
export interface HungStore {
  /** A key store that keeps counters, usage and the audit log (PostgreSQL, Redis). */
  readonly store: KeyStore;
  /** Freezes the server: connections stay open, nothing answers. */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export interface HungStoreSuiteOptions {
  /** Name shown in the test titles. */
  name: string;
  /** A store on a throwaway server of its own: never a server other tests share. */
  start: () => Promise<HungStore>;
  /**
   * What a counter call or a rotation that reached the server before it froze does when it comes
   * back: `'nothing'` (PostgreSQL: the transaction of a caller who was answered 503 rolls back), or
   * `'runs-whole'` (Redis: a script runs whole once it reached the server; counters may spend a unit
   * for a request answered 503 and never admit one, a rotation answered 503 may have happened).
   */
  late: 'nothing' | 'runs-whole';
}

const STORE_TIMEOUT = 300;
/** Scheduling slack on a busy two-core machine (the bound is what is tested, not the speed). */
const MARGIN = 900;
const QUOTA = 5;

/** `call`'s answer, or its error, and how long it took. */
async function timedCall<T>(call: () => Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const started = Date.now();
  try {
    const value = await call();
    return { value, ms: Date.now() - started };
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
}

function expectUnavailable(what: string, answer: { value?: unknown; error?: unknown; ms: number }): void {
  const result = answer.value as VerifyResult | undefined;
  const error = answer.error ?? (result !== undefined && !result.ok ? result.error : undefined);
  expect(isKeywardError(error) ? `${what}: ${error.code} ${error.status}` : `${what}: ${String(error ?? 'answered')}`).toBe(
    `${what}: store_unavailable 503`,
  );
  expect(answer.ms, `${what} answered after ${answer.ms} ms`).toBeLessThan(STORE_TIMEOUT + MARGIN);
}

/** Units of the quota left (a dry run's `RateLimit` header says what would be left after it). */
const quotaLeft = async (keyward: Keyward, key: string) => {
  const check = await keyward.verify({ authorization: `Bearer ${key}` }, { dryRun: true, cost: 0 });
  const header = check.ok ? check.headers.ratelimit : check.error.headers?.ratelimit;
  return Number(/r=(\d+)/.exec(header ?? '')?.[1]);
};

/**
 * A hung server (frozen with SIGSTOP, connections open): every call of the engine answers 503
 * `store_unavailable` within `storeTimeout` — a verify with a quota (its record cached, so that the
 * counters are what hangs; and one not cached), `get`, `create`, `rotate`, `usage`, `auditLog` —
 * none admits a request, and once the server is back the counters and the key hold what `late` says.
 */
export function describeHungStore(options: HungStoreSuiteOptions): void {
  describe(`a hung server: ${options.name}`, () => {
    it('every call answers 503 within storeTimeout, nothing is admitted, and the counters hold after', { timeout: 60_000 }, async () => {
      const hung = await options.start();
      const keyward = createKeyward({
        store: hung.store,
        storeTimeout: STORE_TIMEOUT,
        policies: { quota: { limit: QUOTA, period: 'month' } },
        usage: true,
        audit: true,
      });
      try {
        const cached = await keyward.create({ workspaceId: 'ws_hung', name: 'cached' });
        const uncached = await keyward.create({ workspaceId: 'ws_hung', name: 'uncached' });
        const toRotate = await keyward.create({ workspaceId: 'ws_hung', name: 'to rotate' });
        const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
        expect((await keyward.verify(bearer(cached.key))).ok).toBe(true);
        expect(await quotaLeft(keyward, cached.key)).toBe(QUOTA - 1);

        const today = new Date().toISOString().slice(0, 10);
        let answers: Record<string, { value?: unknown; error?: unknown; ms: number }>;
        hung.pause();
        try {
          const calls: Record<string, () => Promise<unknown>> = {
            'verify (cached key: the counters hang)': () => keyward.verify(bearer(cached.key)),
            'verify again': () => keyward.verify(bearer(cached.key), { cost: 2 }),
            'verify (a lookup)': () => keyward.verify(bearer(uncached.key)),
            get: () => keyward.get(toRotate.record.id),
            create: () => keyward.create({ workspaceId: 'ws_hung', name: 'created while hung' }),
            rotate: () => keyward.rotate(toRotate.record.id),
            usage: () => keyward.usage({ workspaceId: 'ws_hung', from: today, to: today }),
            auditLog: () => keyward.auditLog({ workspaceId: 'ws_hung' }),
          };
          const names = Object.keys(calls);
          const settled = await Promise.all(names.map((name) => timedCall(calls[name]!)));
          answers = Object.fromEntries(names.map((name, i) => [name, settled[i]!]));
        } finally {
          hung.resume();
        }
        for (const [name, answer] of Object.entries(answers)) expectUnavailable(name, answer);

        // Back: the store answers again; what reached it while it was frozen has landed by then.
        const deadline = Date.now() + 15_000;
        while (
          Date.now() < deadline &&
          (await keyward.get(toRotate.record.id).then(
            () => false,
            () => true,
          ))
        ) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
        const left = await quotaLeft(keyward, cached.key);
        if (options.late === 'nothing') {
          // The two verifies were answered 503: their transactions rolled back.
          expect(left).toBe(QUOTA - 1);
        } else {
          // Each script that reached the server ran whole: at most the 1 + 2 units of the two verifies.
          expect(left).toBeGreaterThanOrEqual(QUOTA - 1 - 3);
          expect(left).toBeLessThanOrEqual(QUOTA - 1);
        }
        if (options.late === 'nothing') {
          // The rotation answered 503 did not happen: the caller never got the successor's key.
          expect((await keyward.get(toRotate.record.id))?.rotatedToId).toBeNull();
          expect((await keyward.verify(bearer(toRotate.key))).ok).toBe(true);
        }
        // And the quota still counts: what is left is admitted, then 402.
        for (let i = 0; i < left; i++) expect((await keyward.verify(bearer(cached.key))).ok).toBe(true);
        const over = await keyward.verify(bearer(cached.key));
        expect(over.ok ? 'admitted' : over.error.code).toBe('quota_exceeded');
      } finally {
        hung.resume();
        await keyward.close();
        await hung.close();
      }
    });
  });
}

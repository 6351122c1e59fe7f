import { memoryStore } from '@keyward/store-memory';
import { describe, expect, it } from 'vitest';
import { createKeyward } from '../engine/keyward.js';
import { bearer } from '../engine/test-support.js';
import type { KeyStore } from '../store/types.js';
import type { CounterRequest, CounterStore } from './types.js';

const BOUND = 50;
const never = () => new Promise<never>(() => {});

/** A memory store that answers as a network store would (not `local`), so the engine bounds it. */
function remote(store = memoryStore()): KeyStore {
  return new Proxy(store, { get: (t, p, r) => (p === 'local' ? false : Reflect.get(t, p, r)) });
}

async function within<T>(call: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const answer = await call();
  expect(Date.now() - started).toBeLessThan(BOUND + 1000);
  return answer;
}

describe('storeTimeout bounds every store call, not only the lookup', () => {
  for (const observed of [false, true]) {
    it(`counters that never answer: 503, and their request is aborted so that the store commits nothing${observed ? ' (an instrumented engine)' : ''}`, async () => {
      const seen: CounterRequest[] = [];
      const counters: CounterStore = {
        consumeCounters: (request) => {
          seen.push(request);
          return never();
        },
      };
      const events: string[] = [];
      const keyward = createKeyward({
        store: remote(),
        counters,
        storeTimeout: BOUND,
        policies: { quota: { limit: 5, period: 'day' } },
        ...(observed ? { instrument: { verify: (event) => void events.push(event.code ?? 'ok') } } : {}),
      });
      const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
      const result = await within(() => keyward.verify(bearer(key)));
      expect(result.ok ? 'admitted' : `${result.error.code} ${result.error.status}`).toBe('store_unavailable 503');
      expect(seen).toHaveLength(1);
      expect(seen[0]!.signal?.aborted).toBe(true);
      if (observed) expect(events).toEqual(['store_unavailable']);
    });
  }

  it('a once-gate on counters that never answer: reportLeak fails with store_unavailable (to be retried)', async () => {
    const counters: CounterStore = { consumeCounters: () => never() };
    const keyward = createKeyward({ store: remote(), counters, storeTimeout: BOUND });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    const error = await within(() =>
      keyward.reportLeak({ token: key, url: 'https://example.com/leak', source: 'test' }).then(
        () => null,
        (e: unknown) => e,
      ),
    );
    expect((error as { code?: string } | null)?.code).toBe('store_unavailable');
  });

  it('a policy resolver that never answers: 503, never a request let through unlimited', async () => {
    const keyward = createKeyward({ store: remote(), storeTimeout: BOUND, policies: () => never() });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    const result = await within(() => keyward.verify(bearer(key)));
    expect(result.ok ? 'admitted' : result.error.code).toBe('store_unavailable');
  });

  it('lifecycle calls and reports on a store that stops answering: store_unavailable', async () => {
    const inner = memoryStore();
    let hung = false;
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'local') return false;
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => (hung ? never() : (value as (...a: unknown[]) => unknown).apply(target, args));
      },
    });
    const keyward = createKeyward({ store, storeTimeout: BOUND, usage: true, audit: true, policies: { quota: { limit: 5, period: 'day' } } });
    const { key, record } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    hung = true;
    const calls: Record<string, () => Promise<unknown>> = {
      get: () => keyward.get(record.id),
      list: () => keyward.list({ workspaceId: 'ws' }),
      create: () => keyward.create({ workspaceId: 'ws', name: 'k2' }),
      update: () => keyward.update(record.id, { name: 'renamed' }),
      rotate: () => keyward.rotate(record.id),
      revoke: () => keyward.revoke(record.id),
      delete: () => keyward.delete(record.id),
      usage: () => keyward.usage({ workspaceId: 'ws', from: '2026-11-01', to: '2026-11-02' }),
      auditLog: () => keyward.auditLog({ workspaceId: 'ws' }),
      expiring: () => keyward.expiring({ workspaceId: 'ws', within: '7d' }),
      inspect: () => keyward.inspect(key),
      reportLeak: () => keyward.reportLeak({ token: key, url: 'https://example.com/leak', source: 'test' }),
    };
    for (const [name, call] of Object.entries(calls)) {
      const error = await within(() =>
        call().then(
          () => null,
          (e: unknown) => e,
        ),
      );
      expect(`${name}: ${(error as { code?: string } | null)?.code}`).toBe(`${name}: store_unavailable`);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { memoryStore } from '@keyward/store-memory';
import { createKeyward } from '../engine/keyward.js';
import type { VerifyResult } from '../engine/types.js';
import { prefixedFormat } from '../format/prefixed.js';
import type { CounterStore, Policies } from './types.js';
import { QUOTA_EXCEEDED_TYPE, QUOTA_EXHAUSTED_TYPE } from './enforcer.js';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const code = (r: VerifyResult) => (r.ok ? 'ok' : r.error.code);

async function setup(
  policies: Policies | ((key: { metadata: Record<string, unknown> }) => Policies | undefined),
  clock = { now: Date.UTC(2026, 10, 20, 12) },
) {
  const store = memoryStore();
  const keyward = createKeyward({ store, policies, now: () => clock.now, format: prefixedFormat({ prefix: 'tipar' }) });
  const { key, record } = await keyward.create({ workspaceId: 'ws_a', name: 'k', scopes: ['pdf:generate'] });
  return { store, keyward, key, record, clock };
}

describe('rate limits', () => {
  it('answer 429 with Retry-After and the RateLimit headers (draft-10); successes carry the headers too', async () => {
    const { keyward, key, clock } = await setup({
      rateLimits: [
        { name: 'burst', limit: 2, window: '1s' },
        { name: 'hourly', limit: 1000, window: '1h' },
      ],
    });
    const first = await keyward.verify(bearer(key));
    expect(first.ok && first.headers).toEqual({
      'ratelimit-policy': '"burst";q=2;w=1, "hourly";q=1000;w=3600',
      ratelimit: '"burst";r=1;t=1, "hourly";r=999;t=4',
    });
    expect(code(await keyward.verify(bearer(key)))).toBe('ok');
    const refused = await keyward.verify(bearer(key));
    expect(code(refused)).toBe('rate_limited');
    const rendered = keyward.render(!refused.ok ? refused.error : (undefined as never));
    expect(rendered.status).toBe(429);
    expect(rendered.headers['retry-after']).toBe('1');
    expect(rendered.headers.ratelimit).toMatch(/^"burst";r=0;t=1, "hourly";r=998;t=\d+$/);
    clock.now += 500;
    expect(code(await keyward.verify(bearer(key)))).toBe('ok');
  });

  it('a request refused by one limit consumes none of the others', async () => {
    const { keyward, key } = await setup({
      rateLimits: [
        { name: 'tight', limit: 1, window: '1m' },
        { name: 'roomy', limit: 10, window: '1m' },
      ],
      quota: { limit: 100, period: 'month' },
    });
    expect(code(await keyward.verify(bearer(key)))).toBe('ok');
    for (let i = 0; i < 5; i++) expect(code(await keyward.verify(bearer(key)))).toBe('rate_limited');
    const check = await keyward.verify(bearer(key), { dryRun: true });
    expect(!check.ok && check.error.headers?.ratelimit).toBe(
      `"tight";r=0;t=60, "roomy";r=9;t=6, "quota";r=99;t=${String(Math.ceil((Date.UTC(2026, 11, 1) - Date.UTC(2026, 10, 20, 12)) / 1000))}`,
    );
  });

  it('per workspace: two keys share one limit; per key: each its own', async () => {
    const { keyward, key } = await setup({
      rateLimits: [
        { name: 'ws', limit: 3, window: '1m', per: 'workspace' },
        { name: 'key', limit: 2, window: '1m' },
      ],
    });
    const other = (await keyward.create({ workspaceId: 'ws_a', name: 'other' })).key;
    expect([await keyward.verify(bearer(key)), await keyward.verify(bearer(key)), await keyward.verify(bearer(key))].map(code)).toEqual([
      'ok',
      'ok',
      'rate_limited',
    ]);
    expect(code(await keyward.verify(bearer(other)))).toBe('ok');
    expect(code(await keyward.verify(bearer(other)))).toBe('rate_limited');
  });
});

describe('quotas', () => {
  it('answer 402 Problem Details when exhausted (Keyward convention), with the reset as Retry-After', async () => {
    const { keyward, key } = await setup({ quota: { limit: 3, period: 'month' } });
    for (let i = 0; i < 3; i++) expect(code(await keyward.verify(bearer(key)))).toBe('ok');
    const refused = await keyward.verify(bearer(key));
    expect(code(refused)).toBe('quota_exceeded');
    const rendered = keyward.render(!refused.ok ? refused.error : (undefined as never));
    expect([rendered.status, JSON.parse(rendered.body).type]).toEqual([402, QUOTA_EXHAUSTED_TYPE]);
    expect(Number(rendered.headers['retry-after'])).toBe((Date.UTC(2026, 11, 1) - Date.UTC(2026, 10, 20, 12)) / 1000);
  });

  it('or 429 with the IETF quota-exceeded problem type, by option; a cost per request; a new period refills', async () => {
    const { keyward, key, clock } = await setup({ quota: { limit: 10, period: 'day', status: 429 } });
    expect(code(await keyward.verify(bearer(key), { cost: 8 }))).toBe('ok');
    const refused = await keyward.verify(bearer(key), { cost: 3 });
    const rendered = keyward.render(!refused.ok ? refused.error : (undefined as never));
    expect([rendered.status, JSON.parse(rendered.body).type]).toEqual([429, QUOTA_EXCEEDED_TYPE]);
    expect(code(await keyward.verify(bearer(key), { cost: 2 }))).toBe('ok');
    clock.now += 12 * 3_600_000; // next UTC day
    expect(code(await keyward.verify(bearer(key), { cost: 10 }))).toBe('ok');
  });

  it('credits refill on a period; per-key policies come from a function of the key', async () => {
    const clock = { now: Date.UTC(2026, 10, 20, 12) };
    const store = memoryStore();
    const keyward = createKeyward({
      store,
      now: () => clock.now,
      policies: (key) => (key.metadata.plan === 'free' ? { quota: { limit: 2, period: { refill: '1h' } } } : undefined),
    });
    const free = (await keyward.create({ workspaceId: 'ws', name: 'free', metadata: { plan: 'free' } })).key;
    const paid = (await keyward.create({ workspaceId: 'ws', name: 'paid', metadata: { plan: 'pro' } })).key;
    expect([1, 2, 3].map(() => 0).length).toBe(3);
    const results = [];
    for (let i = 0; i < 3; i++) results.push(code(await keyward.verify(bearer(free))));
    expect(results).toEqual(['ok', 'ok', 'quota_exceeded']);
    for (let i = 0; i < 5; i++) expect(code(await keyward.verify(bearer(paid)))).toBe('ok');
    clock.now += 3_600_000;
    expect(code(await keyward.verify(bearer(free)))).toBe('ok');
  });
});

describe('order and fairness (DESIGN.md: … scopes → rate limit → quota)', () => {
  const policies: Policies = { rateLimits: [{ name: 'r', limit: 5, window: '1m' }], quota: { limit: 5, period: 'month' } };
  const left = async (keyward: ReturnType<typeof createKeyward>, key: string) => {
    const r = await keyward.verify(bearer(key), { dryRun: true });
    return r.ok ? r.headers.ratelimit : 'refused';
  };

  it('a failed authentication consumes no quota and no rate limit', async () => {
    const { keyward, key } = await setup(policies);
    const before = await left(keyward, key);
    for (const bad of [`${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`, 'tipar_live_nope', `${key}x`])
      expect(code(await keyward.verify(bearer(bad)))).not.toBe('ok');
    const { record } = await keyward.create({ workspaceId: 'ws_a', name: 'revoked' });
    await keyward.revoke(record.id);
    expect(await left(keyward, key)).toBe(before);
  });

  it('a missing scope consumes no quota (nor rate limit)', async () => {
    const { keyward, key } = await setup(policies);
    const before = await left(keyward, key);
    for (let i = 0; i < 3; i++) expect(code(await keyward.verify(bearer(key), { scopes: ['admin:all'] }))).toBe('insufficient_scope');
    expect(await left(keyward, key)).toBe(before);
  });

  it('a rate-limit refusal consumes no quota', async () => {
    const { keyward, key } = await setup({ rateLimits: [{ name: 'r', limit: 1, window: '1m' }], quota: { limit: 5, period: 'month' } });
    expect(code(await keyward.verify(bearer(key)))).toBe('ok');
    for (let i = 0; i < 4; i++) expect(code(await keyward.verify(bearer(key)))).toBe('rate_limited');
    const r = await keyward.verify(bearer(key), { dryRun: true });
    expect(!r.ok && r.error.headers?.ratelimit).toMatch(/"quota";r=4;/);
  });

  it('a dry run consumes nothing', async () => {
    const { keyward, key } = await setup({ quota: { limit: 1, period: 'month' } });
    for (let i = 0; i < 5; i++) expect(code(await keyward.verify(bearer(key), { dryRun: true }))).toBe('ok');
    expect(code(await keyward.verify(bearer(key)))).toBe('ok');
    expect(code(await keyward.verify(bearer(key)))).toBe('quota_exceeded');
  });

  it('counters that fail answer 503, never a pass', async () => {
    const store = memoryStore();
    const broken: CounterStore = { consumeCounters: () => Promise.reject(new Error('counters down')) };
    const keyward = createKeyward({ store, policies, counters: broken });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    const result = await keyward.verify(bearer(key));
    expect(result.ok ? 'ok' : `${result.error.code} ${result.error.status}`).toBe('store_unavailable 503');
  });

  it('a resolver that throws or returns bad policies answers 503, never a pass; a resolved object is checked once', async () => {
    const store = memoryStore();
    const plans: Record<string, Policies> = { good: { quota: { limit: 1, period: 'day' } }, bad: { rateLimits: [{ limit: -1, window: '1s' }] } };
    let calls = 0;
    const keyward = createKeyward({
      store,
      policies: (key) => {
        calls++;
        if (key.metadata.plan === 'boom') throw new Error('plans unavailable');
        return plans[String(key.metadata.plan)];
      },
    });
    const make = async (plan: string) => (await keyward.create({ workspaceId: 'ws', name: plan, metadata: { plan } })).key;
    for (const plan of ['boom', 'bad']) {
      const r = await keyward.verify(bearer(await make(plan)));
      expect(r.ok ? 'ok' : `${r.error.code} ${r.error.status}`).toBe('store_unavailable 503');
    }
    const good = await make('good');
    expect([code(await keyward.verify(bearer(good))), code(await keyward.verify(bearer(good)))]).toEqual(['ok', 'quota_exceeded']);
    expect(code(await keyward.verify(bearer(await make('none'))))).toBe('ok');
    expect(calls).toBe(5);
  });

  it('refuses bad policies and a store without counters at construction', () => {
    const store = memoryStore();
    expect(() =>
      createKeyward({
        store,
        policies: {
          rateLimits: [
            { name: 'a', limit: 5, window: '1s' },
            { name: 'b', limit: 5, window: '1000ms' as never },
          ],
        },
      }),
    ).toThrow(/same per, limit and window/);
    expect(() =>
      createKeyward({ store, policies: { rateLimits: [{ name: 'x', limit: 5, window: '1s' }], quota: { name: 'x', limit: 5, period: 'day' } } }),
    ).toThrow(/distinct names/);
    expect(() =>
      createKeyward({
        store,
        policies: {
          rateLimits: [
            { limit: 5, window: '1s', per: 'key' },
            { limit: 5, window: '1s', per: 'workspace' },
          ],
        },
      }),
    ).not.toThrow();
    expect(() => createKeyward({ store, policies: { rateLimits: [{ limit: 0, window: '1s' }] } })).toThrow(RangeError);
    expect(() => createKeyward({ store, policies: { quota: { limit: 1, period: 'week' as never } } })).toThrow(RangeError);
    const { consumeCounters: _c, ...noCounters } = store;
    expect(() => createKeyward({ store: noCounters, policies })).toThrow(/needs counters/);
  });
});

describe('with usage and audit', () => {
  it('an exhausted quota is audited as verify.quota_exceeded with the key id; refusals and dry runs are not counted as usage', async () => {
    const clock = { now: Date.UTC(2026, 10, 20, 12) };
    const events: { type: string; keyId: string | null; code: string | null }[] = [];
    const keyward = createKeyward({
      store: memoryStore(),
      now: () => clock.now,
      usage: true,
      audit: { onEvent: (e) => events.push({ type: e.type, keyId: e.keyId, code: e.code }) },
      policies: { quota: { limit: 2, period: 'day' } },
    });
    const { key, record } = await keyward.create({ workspaceId: 'ws_q', name: 'k' });
    expect((await keyward.verify(bearer(key), { dryRun: true })).ok).toBe(true);
    for (let i = 0; i < 2; i++) expect(code(await keyward.verify(bearer(key)))).toBe('ok');
    const refused = await keyward.verify(bearer(key));
    expect(!refused.ok && refused.error.keyId).toBe(record.id);
    await keyward.flush();
    expect(events.filter((e) => e.type.startsWith('verify.'))).toEqual([{ type: 'verify.quota_exceeded', keyId: record.id, code: 'quota_exceeded' }]);
    const usage = await keyward.usage({ keyId: record.id, from: '2026-11-20', to: '2026-11-20' });
    expect(usage.total).toBe(2);
    await keyward.close();
  });
});

describe('cost', () => {
  it('spends quota units; a rate limit counts the request once whatever its cost', async () => {
    const { keyward, key } = await setup({ rateLimits: [{ name: 'r', limit: 3, window: '1m' }], quota: { limit: 100, period: 'month' } });
    const first = await keyward.verify(bearer(key), { cost: 40 });
    expect(first.ok && first.headers.ratelimit).toMatch(/^"r";r=2;t=20, "quota";r=60;t=\d+$/);
    const free = await keyward.verify(bearer(key), { cost: 0 });
    expect(free.ok && free.headers.ratelimit).toMatch(/^"r";r=1;t=40, "quota";r=60;t=\d+$/);
    expect(code(await keyward.verify(bearer(key), { cost: 1.5 }))).toBe('invalid_argument');
  });
});

describe('scoped tokens (Tooken): two credential kinds on one engine', () => {
  it('management keys issue tokens with scopes and expiry; a token without the scope gets 403, an expired one 401', async () => {
    let now = Date.UTC(2026, 10, 20);
    const keyward = createKeyward({
      store: memoryStore(),
      now: () => now,
      format: [prefixedFormat({ prefix: 'tok' }), prefixedFormat({ prefix: 'tkn' })],
      header: { spaces: 'single' },
    });
    const management = await keyward.create({ workspaceId: 'ws', name: 'ci', scopes: ['*'], format: 'tok' });
    expect(management.key).toMatch(/^tok_live_/);
    const manager = await keyward.verify(bearer(management.key), { scopes: ['tokens:write'] });
    expect(manager.ok).toBe(true);
    const token = await keyward.create({
      workspaceId: manager.ok ? manager.key.workspaceId! : '',
      name: 'reader',
      scopes: ['tokens:read'],
      format: 'tkn',
      expiresIn: '1h',
    });
    expect(token.key).toMatch(/^tkn_live_/);
    expect(code(await keyward.verify(bearer(token.key), { scopes: ['tokens:read'] }))).toBe('ok');
    const denied = await keyward.verify(bearer(token.key), { scopes: ['tokens:write'] });
    expect(!denied.ok && [denied.error.status, denied.error.missingScopes]).toEqual([403, ['tokens:write']]);
    now += 3_600_000;
    const expired = await keyward.verify(bearer(token.key), { scopes: ['tokens:read'] });
    expect(!expired.ok && [expired.error.code, expired.error.status]).toEqual(['expired_key', 401]);
  });
});

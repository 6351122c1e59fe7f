import { fileURLToPath } from 'node:url';
import { createKeyward, type Policies } from '@keyward/core';
import { describeCounterStore } from '@keyward/core/testing';
import { postgresStore } from '@keyward/store-postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
// The Redis store from source (no package dependency of store-postgres on store-redis).
import { redisStore } from '@keyward/store-redis';
import { raceAcrossProcesses } from '@keyward/test-services';
import { databaseUrl, newPool, randomSchema } from './helpers.js';

const pool = newPool();
const schema = randomSchema('counters');
const store = postgresStore({ pool }, { schema });

beforeAll(() => store.migrate());
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describeCounterStore({ name: 'postgres', store: () => store });

describe('PostgreSQL counters', () => {
  it('keeps the counters of two schemas on one pool apart (their prepared statements do not collide)', async () => {
    const other = randomSchema('counters2');
    const second = postgresStore({ pool }, { schema: other });
    await second.migrate();
    try {
      const request = (key: string) => ({
        group: 'g',
        now: Date.now(),
        cost: 1,
        dryRun: false,
        rates: [{ key: `r:${key}`, limit: 10, windowMs: 60_000 }],
        quota: { key: `q:${key}`, limit: 1, resetAt: Date.now() + 60_000 },
      });
      // Many at once, so that both statements are prepared on the same connections.
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? store : second).consumeCounters(request(`same_${i % 2}`))));
      expect(results.filter((r) => r.refused === null)).toHaveLength(2);
      expect((await second.consumeCounters(request('same_0'))).refused).toEqual({ quota: true });
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${other}" CASCADE`);
    }
  });

  it('with 1 unit left, 50 concurrent requests from two processes admit exactly one, and the quota never goes below zero', {
    timeout: 60_000,
  }, async () => {
    const policies: Policies = { quota: { limit: 5, period: 'month' }, rateLimits: [{ name: 'r', limit: 1000, window: '1m' }] };
    const keyward = createKeyward({ store, policies, cache: false });
    const { key, record } = await keyward.create({ workspaceId: 'ws_race', name: 'race' });
    for (let i = 0; i < 4; i++) expect((await keyward.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
    const engineModule = fileURLToPath(new URL('./propagation-engine.ts', import.meta.url));
    const runs = await raceAcrossProcesses({
      engineModule,
      key,
      env: { DATABASE_URL: databaseUrl(), KEYWARD_PG_SCHEMA: schema, KEYWARD_BUS: 'none', KEYWARD_POLICIES: JSON.stringify(policies) },
    });
    expect(runs.reduce((n, r) => n + r.admitted, 0)).toBe(1);
    for (const r of runs) expect(Object.keys(r.codes).filter((c) => c !== 'ok')).toEqual(['quota_exceeded']);
    const { rows } = await pool.query<{ value: number }>(`SELECT value FROM "${schema}".keyward_counters WHERE key LIKE $1`, [`q:k:${record.id}:%`]);
    expect(rows.map((r) => Number(r.value))).toEqual([5]);
    const after = await keyward.verify({ authorization: `Bearer ${key}` }, { dryRun: true });
    expect(after.ok ? 'ok' : after.error.code).toBe('quota_exceeded');
  });

  it('keys on PostgreSQL, counters on Redis (`counters` option): nothing is counted in PostgreSQL', async () => {
    const url = inject('redisUrl') || process.env.REDIS_URL;
    if (!url) throw new Error('no Redis for the tests: run them with the root vitest config (globalSetup) or set REDIS_URL');
    const prefix = `kwpgc:${Date.now().toString(36)}:`;
    const counters = redisStore({ redis: { url }, prefix });
    try {
      const keyward = createKeyward({
        store,
        counters,
        cache: false,
        policies: { rateLimits: [{ name: 'r', limit: 2, window: '1m' }], quota: { limit: 10, period: 'day' } },
      });
      const { key, record } = await keyward.create({ workspaceId: 'ws_split', name: 'split' });
      const results = [];
      for (let i = 0; i < 3; i++) {
        const r = await keyward.verify({ authorization: `Bearer ${key}` });
        results.push(r.ok ? r.headers.ratelimit : r.error.code);
      }
      expect(results).toEqual([
        expect.stringMatching(/^"r";r=1;t=30, "quota";r=9;t=\d+$/),
        expect.stringMatching(/^"r";r=0;t=60, "quota";r=8;t=\d+$/),
        'rate_limited',
      ]);
      const { rows } = await pool.query(`SELECT key FROM "${schema}".keyward_counters WHERE key LIKE $1`, [`%${record.id}%`]);
      expect(rows).toEqual([]);
      const keys = await counters.redis.keys(`${prefix}*`);
      expect(keys).toHaveLength(2);
      // Escaped key names (`:` is %3A): one rate counter and one quota counter of this key.
      expect(
        keys
          .map((k) =>
            decodeURIComponent(k.slice(k.indexOf('}') + 1))
              .replace(record.id, '<id>')
              .split(':')
              .slice(0, 3)
              .join(':'),
          )
          .sort(),
      ).toEqual(['q:k:<id>', 'r:k:<id>']);
    } finally {
      const keys = await counters.redis.keys(`${prefix}*`);
      if (keys.length) await counters.redis.del(...keys);
      await counters.close();
    }
  });

  it('prunes counters whose window or period has ended', async () => {
    const now = Date.now();
    await store.consumeCounters({
      group: 'w:prune',
      now: now - 120_000,
      cost: 1,
      dryRun: false,
      rates: [{ key: 'r:prune', limit: 10, windowMs: 1000 }],
      quota: { key: 'q:prune', limit: 5, resetAt: now - 60_000 },
    });
    expect(await store.pruneCounters(new Date(now))).toBeGreaterThanOrEqual(2);
  });

  it('answers 503 for the verify when the counters table is unreachable, never a pass', async () => {
    const broken = postgresStore({ pool }, { schema: randomSchema('nocounters') });
    const keyward = createKeyward({ store, counters: broken, policies: { quota: { limit: 5, period: 'day' } } });
    const { key } = await keyward.create({ workspaceId: 'ws_broken', name: 'k' });
    const result = await keyward.verify({ authorization: `Bearer ${key}` });
    expect(result.ok ? 'ok' : `${result.error.code} ${result.error.status}`).toBe('store_unavailable 503');
  });
});

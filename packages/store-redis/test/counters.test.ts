import { fileURLToPath } from 'node:url';
import { createKeyward, type Policies } from '@keyward/core';
import { describeCounterStore, describeFusedCounterStore } from '@keyward/core/testing';
import { redisStore } from '@keyward/store-redis';
import { afterAll, describe, expect, it } from 'vitest';
import { raceAcrossProcesses } from '@keyward/test-services';
import { newCluster, newRedis, redisUrl, uniquePrefix } from './helpers.js';

const redis = newRedis();
const cluster = newCluster();
afterAll(async () => {
  await Promise.all([redis.quit(), cluster.quit()]);
});

const standalone = redisStore({ redis, prefix: uniquePrefix('counters') });
const onCluster = redisStore({ redis: cluster, prefix: uniquePrefix('counters') });
describeCounterStore({ name: 'redis', store: () => standalone });
describeCounterStore({ name: 'redis (3-master cluster)', store: () => onCluster });
describeFusedCounterStore({
  name: 'redis',
  store: () => standalone as typeof standalone & Required<Pick<typeof standalone, 'findByHashAndConsume'>>,
});

/** A client that records the name of every command it sends. */
function recordingClient() {
  const client = newRedis();
  const sent: string[] = [];
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((command: { name: string }) => {
    sent.push(command.name);
    return send(command as Parameters<typeof send>[0]);
  }) as typeof client.sendCommand;
  return { client, sent };
}

describe('Redis lookup and counters in one round trip', () => {
  it('is offered on a standalone server only (on a Cluster the snapshot and the counters live on different slots)', () => {
    expect(typeof standalone.findByHashAndConsume).toBe('function');
    expect(onCluster.findByHashAndConsume).toBeUndefined();
    expect(redisStore({ redis, prefix: uniquePrefix('two'), singleRoundTrip: false }).findByHashAndConsume).toBeUndefined();
  });

  it('a verify with policies is one command on a cache miss, one on a hit; a refusal by the engine consumes nothing', async () => {
    const { client, sent } = recordingClient();
    try {
      const store = redisStore({ redis: client, prefix: uniquePrefix('fused') });
      const policies: Policies = { quota: { limit: 3, period: 'month' } };
      const cold = createKeyward({ store, policies, cache: false });
      const warm = createKeyward({ store, policies, cache: { ttl: 60_000 } });
      const { key } = await cold.create({ workspaceId: 'ws_fused', name: 'fused', scopes: ['notes:read'] });
      const verify = async (engine: typeof cold, options?: { scopes: string[] }) => {
        sent.length = 0;
        const result = await engine.verify({ authorization: `Bearer ${key}` }, options);
        return { code: result.ok ? 'ok' : result.error.code, commands: sent.length, remaining: result.ok ? result.headers.ratelimit : undefined };
      };
      expect(await verify(cold)).toMatchObject({ code: 'ok', commands: 1, remaining: expect.stringContaining('"quota";r=2;') });
      // Missing scope: the guard does not admit it, the engine refuses it, nothing is counted.
      expect(await verify(cold, { scopes: ['notes:write'] })).toMatchObject({ code: 'insufficient_scope', commands: 1 });
      expect(await verify(warm)).toMatchObject({ code: 'ok', commands: 1, remaining: expect.stringContaining('"quota";r=1;') });
      expect(await verify(warm)).toMatchObject({ code: 'ok', commands: 1, remaining: expect.stringContaining('"quota";r=0;') });
      expect(await verify(cold)).toMatchObject({ code: 'quota_exceeded', commands: 1 });
    } finally {
      await client.quit();
    }
  });

  it('scripts the server forgot (SCRIPT FLUSH, a restart) are sent again, once', async () => {
    const { client, sent } = recordingClient();
    try {
      const store = redisStore({ redis: client, prefix: uniquePrefix('flush') });
      const engine = createKeyward({ store, policies: { quota: { limit: 5, period: 'month' } }, cache: false });
      const { key } = await engine.create({ workspaceId: 'ws_flush', name: 'flush' });
      expect((await engine.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
      await client.script('FLUSH');
      sent.length = 0;
      const result = await engine.verify({ authorization: `Bearer ${key}` });
      expect(result.ok && result.headers.ratelimit).toContain('"quota";r=3;');
      // EVALSHA answered NOSCRIPT; the script's body followed.
      expect(sent).toHaveLength(2);
      sent.length = 0;
      expect((await engine.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
      expect(sent).toEqual(['evalsha']);
      // A write script too.
      await client.script('FLUSH');
      expect((await engine.create({ workspaceId: 'ws_flush', name: 'after flush' })).key).toMatch(/\S/);
    } finally {
      await client.quit();
    }
  });

  it('a snapshot without its guard header (not written by the store) is counted in a second step, never skipped', async () => {
    const prefix = uniquePrefix('noheader');
    const store = redisStore({ redis, prefix });
    const engine = createKeyward({ store, policies: { quota: { limit: 2, period: 'month' } }, cache: false });
    const { key, record } = await engine.create({ workspaceId: 'ws_noheader', name: 'no header' });
    const stored = await store.findById(record.id);
    const snapshotKey = `${prefix}{hash:${stored!.hash}}s`;
    const snapshot = (await redis.getBuffer(snapshotKey))!;
    const header = /^2:_g(\d+):/.exec(snapshot.toString('latin1'));
    expect(header).not.toBeNull();
    await redis.set(snapshotKey, snapshot.subarray(header![0].length + Number(header![1])));
    expect(
      await store.findByHashAndConsume!(stored!.hash, {
        now: Date.now(),
        cost: 1,
        dryRun: false,
        rates: [],
        quota: null,
        guard: { format: stored!.format, hashVersion: stored!.hashVersion, workspaceId: null, environment: null, scopes: [] },
      }),
    ).toEqual({
      record: stored,
      counters: null,
    });
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await engine.verify({ authorization: `Bearer ${key}` });
      codes.push(result.ok ? 'ok' : result.error.code);
    }
    expect(codes).toEqual(['ok', 'ok', 'quota_exceeded']);
  });
});

describe('Redis counters', () => {
  it('with 1 unit left, 50 concurrent requests from two processes admit exactly one, and the quota never goes below zero', {
    timeout: 60_000,
  }, async () => {
    const prefix = uniquePrefix('race');
    const store = redisStore({ redis, prefix });
    const policies: Policies = { quota: { limit: 5, period: 'month' }, rateLimits: [{ name: 'r', limit: 1000, window: '1m' }] };
    const keyward = createKeyward({ store, policies, cache: false });
    const { key, record } = await keyward.create({ workspaceId: 'ws_race', name: 'race' });
    for (let i = 0; i < 4; i++) expect((await keyward.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
    const engineModule = fileURLToPath(new URL('./propagation-engine.ts', import.meta.url));
    const runs = await raceAcrossProcesses({
      engineModule,
      key,
      env: { REDIS_URL: redisUrl(), KEYWARD_REDIS_PREFIX: prefix, KEYWARD_BUS: 'none', KEYWARD_POLICIES: JSON.stringify(policies) },
    });
    expect(runs.reduce((n, r) => n + r.admitted, 0)).toBe(1);
    for (const r of runs) expect(Object.keys(r.codes).filter((c) => c !== 'ok')).toEqual(['quota_exceeded']);
    const [quotaKey] = await redis.keys(`${prefix}{c:*}q*${record.id}*`);
    expect(await redis.get(quotaKey!)).toBe('5');
    const ttl = await redis.pttl(quotaKey!);
    expect(ttl).toBeGreaterThan(0);
  });

  it('puts a TTL on every counter it writes', async () => {
    const prefix = uniquePrefix('ttl');
    const store = redisStore({ redis, prefix });
    const now = Date.now();
    await store.consumeCounters({
      group: 'w:ws',
      now,
      cost: 1,
      dryRun: false,
      rates: [
        { key: 'r:a', limit: 10, windowMs: 5000 },
        { key: 'r:b', limit: 100, windowMs: 3_600_000 },
      ],
      quota: { key: 'q:a', limit: 5, resetAt: now + 86_400_000 },
    });
    const keys = await redis.keys(`${prefix}*`);
    expect(keys).toHaveLength(3);
    for (const key of keys) expect(await redis.pttl(key)).toBeGreaterThan(0);
  });
});

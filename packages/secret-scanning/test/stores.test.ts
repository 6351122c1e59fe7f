import { fileURLToPath } from 'node:url';
import { createKeyward, type Keyward } from '@keyward/core';
import { secretScanningHandler } from '@keyward/secret-scanning';
import { postgresInvalidation, postgresStore, type PostgresStore } from '@keyward/store-postgres';
import { redisInvalidation, redisStore, type RedisStore } from '@keyward/store-redis';
import { measureRevocation } from '@keyward/test-services';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FakeGitHub } from './fake-github.js';
import { describeSecretScanning, format, match } from './scenarios.js';
import { serveFetch } from './serve.js';

const unique = (label: string) => `kw_${label}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
const engineModule = fileURLToPath(new URL('./propagation-engine.ts', import.meta.url));

const pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 10 });
pool.on('error', () => undefined);
const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
redis.on('error', () => undefined);
const schemas: string[] = [];

afterAll(async () => {
  for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
  await redis.quit();
});

describeSecretScanning({
  name: 'PostgreSQL',
  createStore: async () => {
    const schema = unique('scan');
    schemas.push(schema);
    const store = postgresStore({ pool }, { schema });
    await store.migrate();
    return store;
  },
});

describeSecretScanning({ name: 'Redis', createStore: () => redisStore({ redis, prefix: `kwtest:${unique('scan')}:` }) });

/**
 * A key reported by GitHub to instance A stops working in instance B, another OS process with its
 * own cache (60 s) and the store's invalidation bus, within the propagation bound (1 s).
 */
function describePropagation(label: string, setup: () => Promise<{ keyward: Keyward; env: Record<string, string>; close: () => Promise<void> }>) {
  describe(`a leaked key on ${label}, across processes`, () => {
    const github = new FakeGitHub();
    let a: Awaited<ReturnType<typeof setup>>;
    let server: Awaited<ReturnType<typeof serveFetch>>;
    const errors: unknown[] = [];
    beforeAll(async () => {
      await github.start();
      a = await setup();
      await a.keyward.ready();
      server = await serveFetch(secretScanningHandler(a.keyward, { keysUrl: github.keysUrl, onError: (e) => errors.push(e) }));
    });
    afterAll(async () => {
      await server.close();
      await a.close();
      await github.stop();
    });

    it('is refused by the other process within 1 second of GitHub’s alert', { timeout: 60_000 }, async () => {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const { key } = await a.keyward.create({ workspaceId: 'ws_leak_prop', name: `leak ${i}` });
        const seen = await measureRevocation({
          engineModule,
          key,
          env: a.env,
          revoke: async () => {
            const sent = await github.send(server.url, [match(key)]);
            expect(sent.status).toBe(200);
          },
        });
        expect(seen.code).toBe('invalid_key');
        times.push(seen.ms);
      }
      console.log(`${label}: GitHub alert → refused in the other process: ${times.join(' ms, ')} ms`);
      for (const ms of times) expect(ms).toBeLessThan(1000);
      expect(errors).toEqual([]);
    });
  });
}

describePropagation('PostgreSQL (LISTEN/NOTIFY)', async () => {
  const schema = unique('leakprop');
  const channel = unique('ch');
  schemas.push(schema);
  const store: PostgresStore = postgresStore({ pool }, { schema });
  await store.migrate();
  const invalidation = postgresInvalidation({ pool, channel });
  const keyward = createKeyward({ store, invalidation, format, cache: { ttl: 60_000 } });
  return {
    keyward,
    env: { DATABASE_URL: inject('databaseUrl'), KEYWARD_PG_SCHEMA: schema, KEYWARD_PG_CHANNEL: channel },
    close: async () => {
      await keyward.close();
      await invalidation.close();
    },
  };
});

describePropagation('Redis (pub/sub)', async () => {
  const prefix = `kwtest:${unique('leakprop')}:`;
  const channel = `${prefix}invalidate`;
  const store: RedisStore = redisStore({ redis, prefix });
  const invalidation = redisInvalidation({ redis: { url: inject('redisUrl') }, channel });
  const keyward = createKeyward({ store, invalidation, format, cache: { ttl: 60_000 } });
  return {
    keyward,
    env: { REDIS_URL: inject('redisUrl'), KEYWARD_REDIS_PREFIX: prefix, KEYWARD_REDIS_CHANNEL: channel },
    close: async () => {
      await keyward.close();
      await invalidation.close();
    },
  };
});

import { fileURLToPath } from 'node:url';
import { createKeyward, type KeyStore } from '@keyward/core';
import { postgresStore } from '@keyward/store-postgres';
// The Redis store from source (no package dependency of store-postgres on store-redis).
import { redisStore } from '@keyward/store-redis';
import { raceAcrossProcesses } from '@keyward/test-services';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { databaseUrl, newPool, randomSchema } from './helpers.js';

const engineModule = fileURLToPath(new URL('./expiry-engine.ts', import.meta.url));
const pool = newPool();
const schema = randomSchema('expwarn');
const redisPrefix = `kwtest:${randomSchema('expwarn')}:`;

afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

const stores: { label: string; store: () => Promise<KeyStore & { close(): Promise<void> }>; env: () => Record<string, string> }[] = [
  {
    label: 'PostgreSQL',
    store: async () => {
      const store = postgresStore({ pool }, { schema });
      await store.migrate();
      return store;
    },
    env: () => ({ DATABASE_URL: databaseUrl(), KEYWARD_PG_SCHEMA: schema }),
  },
  {
    label: 'Redis',
    store: async () => redisStore({ redis: { url: inject('redisUrl') }, prefix: redisPrefix }),
    env: () => ({ REDIS_URL: inject('redisUrl'), KEYWARD_REDIS_PREFIX: redisPrefix }),
  },
];

for (const { label, store: open, env } of stores) {
  describe(`expiry warnings on ${label}`, () => {
    it('record key.expiring once when three processes use an expiring key at the same instant', { timeout: 60_000 }, async () => {
      const store = await open();
      const keyward = createKeyward({ store, audit: { flushInterval: '1h' } });
      try {
        const ws = `ws_expwarn_${Math.random().toString(36).slice(2, 8)}`;
        const { key, record } = await keyward.create({ workspaceId: ws, name: 'expiring', expiresIn: '12h' });
        const runs = await raceAcrossProcesses({ engineModule, key, env: env(), processes: 3, perProcess: 20 });
        expect(runs.reduce((n, r) => n + r.admitted, 0)).toBe(60);
        // And a sweep in this process finds it warned about already.
        expect(await keyward.sweepExpiring({ workspaceId: ws })).toEqual({ keys: 1, warned: 0 });
        const events = (await keyward.auditLog({ workspaceId: ws, limit: 100 })).items.filter((e) => e.type === 'key.expiring');
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({ keyId: record.id, details: { threshold: 86_400_000, expiresAt: record.expiresAt!.toISOString() } });
        // Listed as expiring, soonest first, with a key that expires later and one that does not.
        await keyward.create({ workspaceId: ws, name: 'later', expiresIn: '20d' });
        await keyward.create({ workspaceId: ws, name: 'never' });
        expect((await keyward.expiring({ within: '30d', workspaceId: ws })).items.map((k) => k.name)).toEqual(['expiring', 'later']);
      } finally {
        await keyward.close();
        await store.close();
      }
    });
  });
}

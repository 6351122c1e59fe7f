import { fileURLToPath } from 'node:url';
import { createKeyward } from '@keyward/core';
import { postgresInvalidation, postgresStore } from '@keyward/store-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureRevocation } from '../../../test/support/propagation.js';
import { databaseUrl, newPool, randomSchema } from './helpers.js';

const engineModule = fileURLToPath(new URL('./propagation-engine.ts', import.meta.url));
const pool = newPool();
const schema = randomSchema('prop');
const channel = randomSchema('ch');
const invalidation = postgresInvalidation({ pool, channel });
const store = postgresStore({ pool }, { schema });
// Instance A: this process.
const keyward = createKeyward({ store, invalidation, cache: { ttl: 60_000 } });
const env = { DATABASE_URL: databaseUrl(), KEYWARD_PG_SCHEMA: schema, KEYWARD_PG_CHANNEL: channel };

beforeAll(async () => {
  await store.migrate();
  await keyward.ready();
});

afterAll(async () => {
  await keyward.close();
  await invalidation.close();
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe('revocation across two processes on one PostgreSQL (LISTEN/NOTIFY)', () => {
  it('is refused by the other process within 1 second of revoke', { timeout: 60_000 }, async () => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { key, record } = await keyward.create({ workspaceId: 'ws_prop', name: `propagation ${i}` });
      const seen = await measureRevocation({ engineModule, key, env, revoke: () => keyward.revoke(record.id).then(() => undefined) });
      expect(seen.code).toMatch(/^(invalid_key|revoked_key)$/);
      times.push(seen.ms);
    }
    console.log(`PostgreSQL LISTEN/NOTIFY: revoke → refused in the other process: ${times.join(' ms, ')} ms`);
    for (const ms of times) expect(ms).toBeLessThan(1000);
  });

  it('without the bus, the other process keeps serving the revoked key from its cache (the bus is what works)', { timeout: 60_000 }, async () => {
    const { key, record } = await keyward.create({ workspaceId: 'ws_prop', name: 'no bus' });
    await expect(
      measureRevocation({
        engineModule,
        key,
        env: { ...env, KEYWARD_BUS: 'none' },
        refuseTimeoutMs: 2000,
        revoke: () => keyward.revoke(record.id).then(() => undefined),
      }),
    ).rejects.toThrow(/did not report "refused"/);
  });
});

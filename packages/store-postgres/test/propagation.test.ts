import { fileURLToPath } from 'node:url';
import { createKeyward } from '@keyward/core';
import { postgresInvalidation, postgresStore } from '@keyward/store-postgres';
import { afterAll, beforeAll } from 'vitest';
import { describeRevocationPropagation } from '@keyward/test-services';
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

describeRevocationPropagation({ label: 'one PostgreSQL (LISTEN/NOTIFY)', keyward: () => keyward, engineModule, env: () => env });

// @keyward/otel on @keyward/store-postgres (the test run's PostgreSQL server).
import { postgresInvalidation, postgresStore } from '@keyward/store-postgres';
import pg from 'pg';
import { afterAll, describe, inject } from 'vitest';
import { describeStoreTelemetry } from './shared-store.js';

const url = inject('databaseUrl') || process.env.DATABASE_URL!;
const pool = new pg.Pool({ connectionString: url, max: 6 });
pool.on('error', () => undefined);
const tag = `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe('@keyward/otel on PostgreSQL', () => {
  describeStoreTelemetry({
    system: 'postgresql',
    store: async () => {
      const schema = `kw_otel_${tag}_${schemas.length}`;
      schemas.push(schema);
      const store = postgresStore({ pool }, { schema });
      await store.migrate();
      return store;
    },
    bus: async () => postgresInvalidation({ connectionString: url, channel: `kw_otel_${tag}` }),
    policyCalls: ['findByHash', 'consumeCounters'],
  });
});

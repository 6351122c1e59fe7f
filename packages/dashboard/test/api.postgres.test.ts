import { postgresStore, type PostgresStore } from '@keyward/store-postgres';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { describeDashboardApi } from './support/api-suite.js';

const pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 10 });
pool.on('error', () => undefined);
const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describeDashboardApi({
  name: 'PostgreSQL',
  createStore: async (): Promise<PostgresStore> => {
    const schema = `kw_dash_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    schemas.push(schema);
    const store = postgresStore({ pool }, { schema });
    await store.migrate();
    return store;
  },
});

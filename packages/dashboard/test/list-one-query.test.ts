// Listing a workspace of 1,000 keys on PostgreSQL is one query, created-by included.
import { createKeyward } from '@keyward/core';
import { createDashboard } from '@keyward/dashboard';
import { postgresStore } from '@keyward/store-postgres';
import pg from 'pg';
import { afterAll, expect, inject, it } from 'vitest';

const pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 4 });
pool.on('error', () => undefined);
const schema = `kw_dash_list_${Date.now().toString(36)}`;
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

it('lists 1,000 keys of a workspace, with who created each, in one PostgreSQL query', async () => {
  const store = postgresStore({ pool }, { schema });
  await store.migrate();
  const keyward = createKeyward({ store });
  const creators = ['user_a', 'user_b', 'user_c'];
  for (let i = 0; i < 1000; i++) await keyward.create({ workspaceId: 'ws_big', name: `key ${i}`, actor: creators[i % 3] });
  await keyward.create({ workspaceId: 'ws_other', name: 'elsewhere' });
  let lookups = 0;
  const dashboard = createDashboard(keyward, {
    authorize: () => ({ id: 'user_a', name: 'A', role: 'admin' }),
    resolveNames: (ids) => {
      lookups++;
      return Object.fromEntries(ids.map((id) => [id, id.toUpperCase()]));
    },
  });
  // Every statement any client of any pool sends (a transaction's too).
  const queries: string[] = [];
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text: string };
    queries.push(typeof first === 'string' ? first : first.text);
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    const response = await dashboard(new Request('http://localhost/keyward/api/workspaces/ws_big/keys?limit=1000'));
    const body = (await response.json()) as { items: { name: string; createdBy: { id: string; name: string } }[]; nextCursor: string | null };
    expect(response.status).toBe(200);
    expect(body.items).toHaveLength(1000);
    expect(body.nextCursor).toBeNull();
    expect(body.items.find((k) => k.name === 'key 4')!.createdBy).toEqual({ id: 'user_b', name: 'USER_B' });
    expect(queries, queries.join('\n')).toHaveLength(1);
    expect(queries[0]).toMatch(/^SELECT .* FROM "kw_dash_list_\w+"\."keyward_keys" WHERE workspace_id = \$1 ORDER BY created_at, id LIMIT \$2$/);
    expect(lookups).toBe(1);
  } finally {
    pg.Client.prototype.query = query;
  }
});

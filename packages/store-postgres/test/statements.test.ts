// Named statements are prepared once per connection under their name: two stores that share a pool
// must never give one name to two texts (other schemas, other table prefixes), or the second store's
// statement runs the first one's text — or PostgreSQL refuses it, and every call is a 503.
import { createKeyward, type Policies } from '@keyward/core';
import { postgresStore } from '@keyward/store-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPool, randomSchema } from './helpers.js';

// One connection: every statement of both stores is prepared on the same session.
const pool = newPool(undefined, 1);
const schemas = [randomSchema('stmt_a'), randomSchema('stmt_b')];
const stores = [
  postgresStore({ pool }, { schema: schemas[0] }),
  postgresStore({ pool }, { schema: schemas[1] }),
  postgresStore({ pool }, { schema: schemas[1], tablePrefix: 'other_' }),
];

beforeAll(async () => {
  for (const store of stores) await store.migrate();
});
afterAll(async () => {
  for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe('PostgreSQL stores sharing a pool', () => {
  it('on other schemas or prefixes, each counts its own quota and rate limit (no statement name collides)', async () => {
    const policies: Policies = { quota: { limit: 2, period: 'month' }, rateLimits: [{ name: 'burst', limit: 100, window: '1m' }] };
    const engines = stores.map((store) => createKeyward({ store, policies, cache: false }));
    const keys = await Promise.all(engines.map((engine, i) => engine.create({ workspaceId: `ws_${i}`, name: 'shared pool' })));
    const codes: string[][] = engines.map(() => []);
    // Interleaved, so that each store's statements run after the others' on the one connection.
    for (let round = 0; round < 3; round++) {
      for (const [i, engine] of engines.entries()) {
        const result = await engine.verify({ authorization: `Bearer ${keys[i]!.key}` });
        codes[i]!.push(result.ok ? 'ok' : result.error.code);
      }
    }
    expect(codes).toEqual(engines.map(() => ['ok', 'ok', 'quota_exceeded']));
    for (const [i, schema] of [schemas[0], schemas[1], schemas[1]].entries()) {
      const table = `"${schema}".${i === 2 ? 'other_' : 'keyward_'}counters`;
      const { rows } = await pool.query<{ value: number }>(`SELECT value FROM ${table} WHERE key LIKE 'q:%'`);
      expect(rows.map((r) => Number(r.value))).toEqual([2]);
    }
  });
});

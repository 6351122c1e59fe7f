// The promises of issue 3 for PostgreSQL, each checked on a real server: the shared guarantees
// (concurrent rotations from two instances retire a key once, a rotation with a grace period never
// leaves a moment without a valid key, a bad row is a 503), and one indexed read per verify.
import { createKeyward, idSecretFormat, prefixedFormat, type Keyward } from '@keyward/core';
import { describeStoreGuarantees } from '@keyward/core/testing';
import { postgresStore, type PostgresStore } from '@keyward/store-postgres';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPool, nullHashVersion, randomSchema } from './helpers.js';

const poolA = newPool();
const poolB = newPool();
const schema = randomSchema('guar');
const formats = [prefixedFormat({ prefix: 'kw' }), idSecretFormat()];
let storeA: PostgresStore;
let a: Keyward;

beforeAll(async () => {
  storeA = postgresStore({ pool: poolA }, { schema });
  await storeA.migrate();
  a = createKeyward({ store: storeA, format: formats, cache: false });
});

afterAll(async () => {
  await poolA.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await poolA.end();
  await poolB.end();
});

describeStoreGuarantees<PostgresStore>({
  name: 'PostgreSQL, two pools',
  createStores: async () => {
    const guarantees = randomSchema('guar');
    const a = postgresStore({ pool: poolA }, { schema: guarantees });
    await a.migrate();
    return {
      a,
      b: postgresStore({ pool: poolB }, { schema: guarantees }),
      close: async () => void (await poolA.query(`DROP SCHEMA IF EXISTS "${guarantees}" CASCADE`)),
    };
  },
  corruptions: [nullHashVersion],
});

/** A real pool that records the SQL text of every query the store sends through it. */
function recordingPool(pool: pg.Pool): { pool: pg.Pool; sent: string[] } {
  const sent: string[] = [];
  const proxy = new Proxy(pool, {
    get(target, property, receiver) {
      if (property === 'query') {
        return (config: unknown, ...rest: unknown[]) => {
          sent.push(typeof config === 'string' ? config : (config as { text: string }).text);
          return (target.query as (...args: unknown[]) => unknown)(config, ...rest);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { pool: proxy, sent };
}

/** The plan PostgreSQL uses for a named statement after a few runs (the generic plan). */
async function genericPlan(sql: string, value: string): Promise<string> {
  const client = await poolA.connect();
  try {
    await client.query('SET plan_cache_mode = force_generic_plan');
    await client.query(`PREPARE kw_plan_check(text) AS ${sql}`);
    const result = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE kw_plan_check('${value.replaceAll("'", "''")}')`);
    return JSON.stringify(result.rows[0]);
  } finally {
    await client.query('DEALLOCATE kw_plan_check').catch(() => undefined);
    await client.query('RESET plan_cache_mode');
    client.release();
  }
}

describe('PostgreSQL verify path', () => {
  it('sends one statement per verify, planned as one index scan (by hash, and by id)', async () => {
    // Enough rows that a sequential scan would cost more than the index.
    await poolA.query(
      `INSERT INTO ${storeA.tables.keys} (id, workspace_id, name, format, hash, hash_version)
       SELECT 'key_fill_' || g, 'ws_fill', 'n', 'kw', md5('fill' || g), 'sha256' FROM generate_series(1, 20000) g`,
    );
    await poolA.query(`ANALYZE ${storeA.tables.keys}`);
    const recorded = recordingPool(poolA);
    const keyward = createKeyward({ store: postgresStore({ pool: recorded.pool }, { schema }), format: formats, cache: false });
    const opaque = await a.create({ workspaceId: 'ws_path', name: 'opaque' });
    const tiro = await a.create({ workspaceId: 'ws_path', name: 'tiro', format: 'id-secret' });

    for (const [created, index] of [
      [opaque, 'keyward_keys_hash_key'],
      [tiro, 'keyward_keys_pkey'],
    ] as const) {
      recorded.sent.length = 0;
      const result = await keyward.verify({ authorization: `Bearer ${created.key}` });
      expect(result.ok).toBe(true);
      expect(recorded.sent).toHaveLength(1);
      const stored = (await storeA.findById(created.record.id))!;
      const plan = await genericPlan(recorded.sent[0]!, index.endsWith('pkey') ? stored.id : stored.hash);
      expect(plan).toContain(`"Index Name":"${index}"`);
      expect(plan).toMatch(/"Node Type":"Index (Only )?Scan"/);
      expect(plan).not.toContain('Seq Scan');
    }
    // An unknown key costs the same single read.
    recorded.sent.length = 0;
    const unknown = await keyward.verify({ authorization: `Bearer ${prefixedFormat({ prefix: 'kw' }).generate().key}` });
    expect(unknown.ok).toBe(false);
    expect(recorded.sent).toHaveLength(1);
  });
});

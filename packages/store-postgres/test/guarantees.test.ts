// The promises of issue 3 for PostgreSQL, each checked on a real server: one indexed read per
// verify, concurrent rotations from two instances retire a key once, a rotation with a grace
// period never leaves a moment without a valid key, a bad row is a 503.
import { createKeyward, idSecretFormat, prefixedFormat, type Keyward } from '@keyward/core';
import { postgresStore, type PostgresStore } from '@keyward/store-postgres';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPool, randomSchema } from './helpers.js';

const poolA = newPool();
const poolB = newPool();
const schema = randomSchema('guar');
const formats = [prefixedFormat({ prefix: 'kw' }), idSecretFormat()];
let storeA: PostgresStore;
let storeB: PostgresStore;
let a: Keyward;
let b: Keyward;

beforeAll(async () => {
  storeA = postgresStore({ pool: poolA }, { schema });
  storeB = postgresStore({ pool: poolB }, { schema });
  await storeA.migrate();
  // Two instances on two pools; no cache, so that every verify reads the database.
  a = createKeyward({ store: storeA, format: formats, cache: false });
  b = createKeyward({ store: storeB, format: formats, cache: false });
});

afterAll(async () => {
  await poolA.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await poolA.end();
  await poolB.end();
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

describe('PostgreSQL rotation', () => {
  it('retires a key once when two instances rotate it at the same time', async () => {
    for (let round = 0; round < 3; round++) {
      const workspaceId = `ws_race_${round}`;
      const old = await a.create({ workspaceId, name: 'raced' });
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).rotate(old.record.id, { gracePeriod: '1h' })),
      );
      const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toBe('conflict');
      const rows = await poolA.query<{ id: string; rotated_to_id: string | null }>(
        `SELECT id, rotated_to_id FROM ${storeA.tables.keys} WHERE workspace_id = $1 ORDER BY created_at, id`,
        [workspaceId],
      );
      expect(rows.rows).toHaveLength(2);
      expect(rows.rows.find((r) => r.id === old.record.id)?.rotated_to_id).toBe(won[0]!.record.id);
    }
  });

  it('with a grace period, never leaves a moment without a valid key', async () => {
    for (let round = 0; round < 5; round++) {
      const old = await a.create({ workspaceId: 'ws_grace', name: `graceful ${round}` });
      let running = true;
      let checks = 0;
      const failures: string[] = [];
      // Instance B verifies the old key without pause while instance A rotates it.
      const watcher = (async () => {
        while (running && checks < 100_000) {
          const result = await b.verify({ authorization: `Bearer ${old.key}` });
          checks++;
          if (!result.ok) failures.push(result.error.code);
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const rotated = await a.rotate(old.record.id, { gracePeriod: '1h' });
      // The successor works on the other instance from the moment rotate returns.
      const successor = await b.verify({ authorization: `Bearer ${rotated.key}` });
      await new Promise((resolve) => setTimeout(resolve, 20));
      running = false;
      await watcher;
      expect(successor.ok).toBe(true);
      expect(failures).toEqual([]);
      expect(checks).toBeGreaterThan(5);
      expect((await b.verify({ authorization: `Bearer ${old.key}` })).ok).toBe(true);
    }
  });
});

describe('PostgreSQL bad rows', () => {
  it('answers 503 store_unavailable for a bad row found by id, with the cache on, and never caches it', async () => {
    const s = postgresStore({ pool: poolA }, { schema: randomSchema('badid') });
    await s.migrate();
    try {
      const keyward = createKeyward({ store: s, format: formats, cache: { ttl: 60_000 } });
      const { key, record } = await keyward.create({ workspaceId: 'ws_bad', name: 'bad', format: 'id-secret' });
      await poolA.query(`ALTER TABLE ${s.tables.keys} ALTER COLUMN hash_version DROP NOT NULL`);
      await poolA.query(`UPDATE ${s.tables.keys} SET hash_version = NULL WHERE id = $1`, [record.id]);
      for (let i = 0; i < 3; i++) {
        const result = await keyward.verify({ authorization: `Bearer ${key}` });
        expect(result.ok ? 'ok' : `${result.error.code} ${result.error.status}`).toBe('store_unavailable 503');
      }
      // Repaired: it passes again at once (the failure was never cached as "unknown").
      await poolA.query(`UPDATE ${s.tables.keys} SET hash_version = 'sha256' WHERE id = $1`, [record.id]);
      expect((await keyward.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
    } finally {
      await poolA.query(`DROP SCHEMA IF EXISTS ${s.tables.keys.split('.')[0]} CASCADE`);
    }
  });
});

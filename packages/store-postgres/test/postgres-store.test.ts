import { createKeyward, isKeywardError, prefixedFormat } from '@keyward/core';
import { describeKeyStore, sampleStoredKey } from '@keyward/core/testing';
import { MIGRATIONS, postgresStore, type PostgresStore } from '@keyward/store-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl, newPool, randomSchema } from './helpers.js';

const pool = newPool();
const schemas: string[] = [];

async function freshStore(options: { tablePrefix?: string } = {}): Promise<PostgresStore> {
  const schema = randomSchema('store');
  schemas.push(schema);
  const store = postgresStore({ pool }, { schema, ...options });
  await store.migrate();
  return store;
}

afterAll(async () => {
  for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describeKeyStore({
  name: 'postgres',
  createStore: () => freshStore(),
  dumpRaw: async (store) =>
    (await pool.query<{ row: string }>(`SELECT k::text AS row FROM ${store.tables.keys} k`)).rows.map((r) => r.row).join('\n'),
});

describe('postgresStore options', () => {
  it('refuses schema and prefix values that are not SQL identifiers (RangeError)', () => {
    for (const schema of ['', 'a b', 'x"; DROP TABLE t; --', '1abc', 'a'.repeat(64), 'sch.ema']) {
      expect(() => postgresStore({ pool }, { schema })).toThrow(RangeError);
    }
    for (const tablePrefix of ['a-b', 'x"', '9_', 'p'.repeat(46)]) {
      expect(() => postgresStore({ pool }, { tablePrefix })).toThrow(RangeError);
    }
    expect(() => postgresStore({ pool }, { schema: 5 as unknown as string })).toThrow(TypeError);
    expect(() => postgresStore({} as never)).toThrow(TypeError);
    expect(() => postgresStore({ pool: {} as never })).toThrow(TypeError);
  });

  it('uses the schema and table prefix it is given, with quoted (case-sensitive) names', async () => {
    const schema = `Mixed_${randomSchema('case')}`;
    schemas.push(schema);
    const store = postgresStore({ pool }, { schema, tablePrefix: 'Api_' });
    expect(store.tables.keys).toBe(`"${schema}"."Api_keys"`);
    expect((await store.migrate()).applied).toEqual(MIGRATIONS.map((m) => m.version));
    const bare = postgresStore({ pool }, { schema, tablePrefix: '' });
    expect((await bare.migrate()).applied).toEqual(MIGRATIONS.map((m) => m.version));
    const tables = await pool.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['Api_keys', 'Api_migrations', 'keys', 'migrations']));
    expect(tables.rows.every((r) => /^(Api_)?[a-z_]+$/.test(r.table_name))).toBe(true);
    const key = sampleStoredKey();
    await store.insert(key);
    expect(await store.findById(key.id)).toEqual(key);
    expect(await bare.findById(key.id)).toBeNull();
  });

  it('ends a pool it created from a connection string, and never a pool it was given', async () => {
    const own = postgresStore({ connectionString: databaseUrl() });
    await own.pool.query('SELECT 1');
    await own.close();
    expect(own.pool.ended).toBe(true);
    await own.close();
    const given = postgresStore({ pool });
    await given.close();
    expect(pool.ended).toBe(false);
  });
});

describe('postgresStore storage', () => {
  let store: PostgresStore;
  beforeAll(async () => {
    store = await freshStore();
  });

  it('round-trips timestamps to the millisecond, including far dates and the epoch', async () => {
    const dates = [new Date(0), new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999)), new Date(Date.UTC(9999, 0, 1, 0, 0, 0, 1))];
    for (const d of dates) {
      const key = sampleStoredKey({ createdAt: d, expiresAt: d, lastUsedAt: d });
      await store.insert(key);
      const found = await store.findById(key.id);
      expect(found!.createdAt.getTime()).toBe(d.getTime());
      expect(found!.expiresAt!.getTime()).toBe(d.getTime());
      expect(found!.lastUsedAt!.getTime()).toBe(d.getTime());
    }
  });

  it('reads timestamps right whatever the session time zone, even offsets with seconds (LMT)', async () => {
    const paris = new (await import('pg')).default.Pool({ connectionString: databaseUrl(), max: 1, options: '-c TimeZone=Europe/Paris' });
    try {
      const s = postgresStore({ pool: paris }, { schema: store.tables.keys.split('.')[0]!.replaceAll('"', '') });
      for (const d of [new Date(Date.UTC(1890, 0, 1, 12, 0, 0, 7)), new Date(Date.UTC(2026, 6, 1, 22, 30, 0, 999))]) {
        const key = sampleStoredKey({ createdAt: d, updatedAt: d });
        await s.insert(key);
        expect((await s.findById(key.id))!.createdAt.getTime()).toBe(d.getTime());
        expect((await store.findById(key.id))!.createdAt.getTime()).toBe(d.getTime());
      }
    } finally {
      await paris.end();
    }
  });

  it('turns unique violations into conflict errors that carry no hash', async () => {
    const key = sampleStoredKey();
    await store.insert(key);
    const error = await store.insert(sampleStoredKey({ hash: key.hash })).catch((e: unknown) => e);
    expect(isKeywardError(error) && error.code).toBe('conflict');
    expect(JSON.stringify(error) + String(error) + (error as Error).stack).not.toContain(key.hash);
    const other = sampleStoredKey();
    await store.insert(other);
    const moved = await store.update(other.id, { hash: key.hash, updatedAt: new Date() }).catch((e: unknown) => e);
    expect(isKeywardError(moved) && moved.code).toBe('conflict');
  });

  it('answers rotate of a missing key with not_found', async () => {
    const error = await store
      .rotate({ oldId: 'key_missing_for_rotate', successor: sampleStoredKey(), revokeOld: true, now: new Date() })
      .catch((e: unknown) => e);
    expect(isKeywardError(error) && error.code).toBe('not_found');
  });

  it('keeps the successor out when the rotation fails (one transaction)', async () => {
    const old = sampleStoredKey();
    const taken = sampleStoredKey();
    await store.insert(old);
    await store.insert(taken);
    const error = await store
      .rotate({ oldId: old.id, successor: sampleStoredKey({ hash: taken.hash }), revokeOld: true, now: new Date() })
      .catch((e: unknown) => e);
    expect(isKeywardError(error) && error.code).toBe('conflict');
    const after = await store.findById(old.id);
    expect(after!.rotatedToId).toBeNull();
    expect(after!.revokedAt).toBeNull();
  });

  it('pages by exact timestamps, even for rows written by other tools with microseconds', async () => {
    const s = await freshStore();
    // Four rows inside the same millisecond, microseconds apart, ids in the opposite order.
    await pool.query(
      `INSERT INTO ${s.tables.keys} (id, workspace_id, name, format, hash, hash_version, created_at)
       SELECT 'key_' || (10 - g), 'ws_micro', 'n', 'kw', md5(g::text || random()::text), 'sha256', timestamptz '2026-01-01 00:00:00.123001+00' + g * interval '1 microsecond'
       FROM generate_series(1, 4) g`,
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await s.list({ workspaceId: 'ws_micro', limit: 1, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((k) => k.id));
      cursor = page.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(seen).toEqual(['key_9', 'key_8', 'key_7', 'key_6']);
  });

  it('refuses an invalid cursor or limit', async () => {
    await expect(store.list({ workspaceId: 'x', cursor: 'nope' })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(store.list({ workspaceId: 'x', limit: 0 })).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('answers every lookup and listing with one index scan', async () => {
    const s = await freshStore();
    await pool.query(
      `INSERT INTO ${s.tables.keys} (id, workspace_id, owner_id, name, format, hash, hash_version, created_at)
       SELECT 'key_' || g, 'ws_' || (g % 50), 'owner_' || (g % 70), 'n', 'kw', md5(g::text), 'sha256', now() - g * interval '1 second'
       FROM generate_series(1, 5000) g`,
    );
    await pool.query(`ANALYZE ${s.tables.keys}`);
    const plan = async (sql: string, values: unknown[]) => {
      const client = await pool.connect();
      try {
        // A generic plan, as a named statement gets after a few executions.
        await client.query('SET plan_cache_mode = force_generic_plan');
        const name = `explain_${Math.random().toString(36).slice(2)}`;
        await client.query(`PREPARE ${name} AS ${sql}`);
        const result = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE ${name}(${values.map((v) => `'${String(v)}'`).join(', ')})`);
        await client.query(`DEALLOCATE ${name}`);
        return JSON.stringify(result.rows[0]);
      } finally {
        await client.query('RESET plan_cache_mode');
        client.release();
      }
    };
    const t = s.tables.keys;
    expect(await plan(`SELECT * FROM ${t} WHERE id = $1`, ['key_7'])).toContain('"Index Name":"keyward_keys_pkey"');
    expect(await plan(`SELECT * FROM ${t} WHERE hash = $1`, ['abc'])).toContain('"Index Name":"keyward_keys_hash_key"');
    const list = await plan(
      `SELECT * FROM ${t} WHERE workspace_id = $1 AND (created_at, id) > (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3) ORDER BY created_at, id LIMIT $4`,
      ['ws_3', '0', 'a', 26],
    );
    expect(list).toContain('"Index Name":"keyward_keys_workspace_idx"');
    expect(list).not.toContain('"Node Type":"Sort"');
    const byOwner = await plan(`SELECT * FROM ${t} WHERE owner_id = $1 ORDER BY created_at, id LIMIT $2`, ['owner_3', 26]);
    expect(byOwner).toContain('"Index Name":"keyward_keys_owner_idx"');
    expect(byOwner).not.toContain('"Node Type":"Sort"');
  });

  it('prepares the hot lookups once per connection (named statements)', async () => {
    const single = newPool(databaseUrl(), 1);
    try {
      const s = postgresStore({ pool: single }, { schema: store.tables.keys.split('.')[0]!.replaceAll('"', '') });
      await s.findById('a');
      await s.findByHash('b');
      await s.findById('c');
      const prepared = await single.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name');
      expect(prepared.rows.filter((r) => r.name.startsWith('keyward_'))).toHaveLength(2);
    } finally {
      await single.end();
    }
  });
});

describe('postgresStore bad rows', () => {
  it('lets the schema refuse rows it could not map', async () => {
    const s = await freshStore();
    const insert = (columns: string, values: string) =>
      pool.query(
        `INSERT INTO ${s.tables.keys} (id, workspace_id, name, format, hash, hash_version${columns}) VALUES ('key_bad', 'ws', 'n', 'kw', 'h', 'sha256'${values})`,
      );
    await expect(insert(', scopes', ', NULL')).rejects.toMatchObject({ code: '23502' });
    await expect(insert(', scopes', ", ARRAY['a', NULL]")).rejects.toMatchObject({ code: '23514' });
    await expect(insert(', metadata', ", '[1, 2]'")).rejects.toMatchObject({ code: '23514' });
    await expect(insert(', metadata', ", 'null'")).rejects.toMatchObject({ code: '23514' });
    await expect(insert(', created_at', ', NULL')).rejects.toMatchObject({ code: '23502' });
    await expect(
      pool.query(`INSERT INTO ${s.tables.keys} (id, name, format, hash, hash_version) VALUES ('key_bad', 'n', 'kw', 'h2', 'sha256')`),
    ).rejects.toMatchObject({ code: '23514' });
  });

  it('answers store_unavailable (503), never a pass, for a row that drifted from the schema', async () => {
    const s = await freshStore();
    const keyward = createKeyward({ store: s, format: prefixedFormat({ prefix: 'kw' }), cache: false });
    const { key, record } = await keyward.create({ workspaceId: 'ws_bad', name: 'drift' });
    expect((await keyward.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
    // Someone changed the schema by hand and wrote a row the store cannot read.
    await pool.query(
      `ALTER TABLE ${s.tables.keys} DROP CONSTRAINT keyward_keys_scopes_check, DROP CONSTRAINT keyward_keys_metadata_check, ALTER COLUMN scopes DROP NOT NULL`,
    );
    await pool.query(`UPDATE ${s.tables.keys} SET scopes = NULL WHERE id = $1`, [record.id]);
    const result = await keyward.verify({ authorization: `Bearer ${key}` });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('store_unavailable');
    expect(!result.ok && result.error.status).toBe(503);
    await pool.query(`UPDATE ${s.tables.keys} SET scopes = '{}', metadata = '"text"' WHERE id = $1`, [record.id]);
    const again = await keyward.verify({ authorization: `Bearer ${key}` });
    expect(!again.ok && again.error.code).toBe('store_unavailable');
    // The lifecycle fails the same way.
    await expect(keyward.get(record.id)).rejects.toMatchObject({ code: 'store_unavailable' });
  });
});

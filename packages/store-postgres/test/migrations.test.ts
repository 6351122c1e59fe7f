import { sampleStoredKey } from '@keyward/core/testing';
import { MIGRATIONS, migrate, postgresStore } from '@keyward/store-postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { databaseUrl, newPool, randomSchema } from './helpers.js';

const pool = newPool();
const schemas: string[] = [];
const fresh = (label: string) => {
  const schema = randomSchema(label);
  schemas.push(schema);
  return schema;
};

afterAll(async () => {
  for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

const latest = Math.max(...MIGRATIONS.map((m) => m.version));

describe('migrate', () => {
  it('numbers its migrations in increasing order from 1', () => {
    // Strictly increasing (a version may be reserved by a feature that lands later).
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions[0]).toBe(1);
  });

  it('creates the schema, applies every migration once, and does nothing the second time', async () => {
    const schema = fresh('mig');
    const first = await migrate({ pool, schema });
    expect(first).toEqual({ applied: MIGRATIONS.map((m) => m.version), version: latest });
    const second = await migrate({ pool, schema });
    expect(second).toEqual({ applied: [], version: latest });
    const recorded = await pool.query<{ version: number; name: string }>(`SELECT version, name FROM "${schema}".keyward_migrations ORDER BY version`);
    expect(recorded.rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
  });

  it('is safe when two processes run it at once (advisory lock)', async () => {
    const schema = fresh('race');
    const other = newPool();
    try {
      const results = await Promise.all([
        migrate({ pool, schema }),
        migrate({ pool: other, schema }),
        migrate({ connectionString: databaseUrl(), schema }),
      ]);
      const applied = results.map((r) => r.applied);
      expect(applied.filter((a) => a.length > 0)).toEqual([MIGRATIONS.map((m) => m.version)]);
      expect(results.every((r) => r.version === latest)).toBe(true);
    } finally {
      await other.end();
    }
  });

  it('migrates prefixes side by side in one schema', async () => {
    const schema = fresh('prefix');
    await migrate({ pool, schema, tablePrefix: 'a_' });
    await migrate({ pool, schema, tablePrefix: 'b_' });
    const tables = await pool.query<{ t: string }>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [
      schema,
    ]);
    expect(tables.rows.map((r) => r.t)).toEqual(expect.arrayContaining(['a_keys', 'a_migrations', 'b_keys', 'b_migrations']));
    expect(tables.rows.every((r) => /^[ab]_/.test(r.t))).toBe(true);
  });

  it('brings a version 3 database with keys to version 4: its keys read createdBy null, new keys keep theirs', async () => {
    const schema = fresh('v3');
    const quoted = `"${schema}"`;
    const names = {
      schema,
      prefix: 'keyward_',
      keys: `${quoted}.keyward_keys`,
      migrations: `${quoted}.keyward_migrations`,
      counters: `${quoted}.keyward_counters`,
      usage: `${quoted}.keyward_usage`,
      audit: `${quoted}.keyward_audit`,
      object: (name: string) => `keyward_${name}`,
    };
    await pool.query(`CREATE SCHEMA ${quoted}`);
    await pool.query(
      `CREATE TABLE ${names.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    for (const m of MIGRATIONS.filter((m) => m.version <= 3)) {
      await pool.query(m.sql(names as never));
      await pool.query(`INSERT INTO ${names.migrations} (version, name) VALUES ($1, $2)`, [m.version, m.name]);
    }
    await pool.query(
      `INSERT INTO ${names.keys} (id, workspace_id, name, format, hash, hash_version) VALUES ('key_old', 'ws_1', 'old', 'kw', repeat('a', 64), 'sha256')`,
    );
    expect(await migrate({ pool, schema })).toEqual({ applied: MIGRATIONS.filter((m) => m.version > 3).map((m) => m.version), version: latest });
    const store = postgresStore({ pool }, { schema });
    expect((await store.findById('key_old'))?.createdBy).toBeNull();
    const key = sampleStoredKey({ createdBy: 'user:alice' });
    await store.insert(key);
    expect((await store.findById(key.id))?.createdBy).toBe('user:alice');
  });

  it('refuses bad options before touching the database', async () => {
    await expect(migrate({ pool, schema: 'no way' })).rejects.toThrow(RangeError);
    await expect(migrate({ pool, tablePrefix: 'x;' })).rejects.toThrow(RangeError);
    await expect(migrate({} as never)).rejects.toThrow(TypeError);
  });
});

// The embedded store (PGlite in this process) against every shared suite: one database for the
// whole file, a fresh schema per store.
import { createKeyward } from '@keyward/core';
import {
  describeAuditStore,
  describeCounterStore,
  describeInvalidationBus,
  describeKeyStore,
  describeStoreGuarantees,
  describeUsageStore,
} from '@keyward/core/testing';
import { embeddedInvalidation, embeddedStore, type EmbeddedStore } from '@keyward/store-postgres/embedded';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDir } from '@keyward/test-services';
import { nullHashVersion, randomSchema } from '../helpers.js';

const data = await embeddedDir('suites');
const opened: EmbeddedStore[] = [];
/** Holds the database open for the whole file, so that suites closing their stores do not reopen it. */
let anchor: EmbeddedStore;

beforeAll(async () => {
  anchor = await embeddedStore({ dir: data.dir });
});
afterAll(async () => {
  for (const store of opened) await store.close();
  await anchor.close();
  data.remove();
});

async function freshStore(label = 'suite'): Promise<EmbeddedStore> {
  const store = await embeddedStore({ dir: data.dir, schema: randomSchema(label) });
  opened.push(store);
  return store;
}

const rows = async (store: EmbeddedStore, table: string) =>
  (await store.pool.query<{ row: string }>(`SELECT t::text AS row FROM ${table} t`)).rows.map((r) => r.row).join('\n');

describeKeyStore({ name: 'embedded (PGlite)', createStore: () => freshStore('keys'), dumpRaw: (store) => rows(store, store.tables.keys) });

let counters: EmbeddedStore;
beforeAll(async () => {
  counters = await freshStore('counters');
});
describeCounterStore({ name: 'embedded (PGlite)', store: () => counters });

describeUsageStore({
  name: 'embedded (PGlite)',
  createStore: () => freshStore('usage'),
  // What a second engine of this process sees: the same schema, through a second store.
  openTwin: async (store) => {
    const twin = await embeddedStore({ dir: data.dir, schema: store.tables.keys.split('.')[0]!.replaceAll('"', '') });
    opened.push(twin);
    return twin;
  },
});

describeAuditStore({
  name: 'embedded (PGlite)',
  createStore: () => freshStore('audit'),
  dumpRaw: async (store) => `${await rows(store, store.tables.audit)}\n${await rows(store, store.tables.usage)}`,
});

describeStoreGuarantees<EmbeddedStore>({
  name: 'embedded (PGlite), two engines of one process',
  createStores: async () => {
    const a = await freshStore('guar');
    return { a, b: a };
  },
  corruptions: [nullHashVersion],
});

describeInvalidationBus({
  name: 'embedded (PGlite) LISTEN/NOTIFY',
  createPair: async () => {
    const channel = randomSchema('ch');
    const bus = embeddedInvalidation(anchor, { channel });
    // A second bus on the same channel: two engines of the process, each with its own.
    return { publisher: bus, subscriber: embeddedInvalidation(anchor, { channel }), close: () => bus.close() };
  },
  createStores: async () => {
    const a = await freshStore('inv');
    return { a, b: a };
  },
});

describe('embeddedStore', () => {
  it('keeps its keys when the directory is closed and opened again', async () => {
    const here = await embeddedDir('reopen');
    try {
      let store = await embeddedStore({ dir: here.dir });
      const keyward = createKeyward({ store });
      const { key } = await keyward.create({ workspaceId: 'ws_reopen', name: 'kept' });
      await store.close();
      store = await embeddedStore({ dir: here.dir });
      expect((await createKeyward({ store }).verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
      await store.close();
    } finally {
      here.remove();
    }
  });

  it('serializes transactions on its one connection: concurrent rotations and reads never interleave', async () => {
    const store = await freshStore('serial');
    const keyward = createKeyward({ store, cache: false });
    const keys = await Promise.all(Array.from({ length: 10 }, (_, i) => keyward.create({ workspaceId: 'ws_serial', name: `k${i}` })));
    const work = keys.flatMap((k) => [
      keyward.rotate(k.record.id, { gracePeriod: '1h' }),
      keyward.verify({ authorization: `Bearer ${k.key}` }).then((r) => r.ok),
      store.pool.query('SELECT 1'),
    ]);
    const results = await Promise.all(work);
    expect(results.filter((r) => r === true)).toHaveLength(10);
    expect((await keyward.list({ workspaceId: 'ws_serial' })).items).toHaveLength(20);
    // No transaction is left open on the shared connection.
    expect((await store.pool.query<{ s: string }>('SELECT now() = statement_timestamp() AS s')).rows[0]!.s).toBe(true);
  });

  it('gives its connection back after failures: a bad statement, a query pg refuses at once, a transaction left open', async () => {
    const store = await freshStore('fail');
    const inTransaction = async () => (await store.pool.query<{ s: boolean }>('SELECT now() <> statement_timestamp() AS s')).rows[0]!.s;
    await expect(store.pool.query('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
    await expect(store.pool.query(null as never)).rejects.toThrow();
    // A holder that errs (or forgets) inside a transaction: its work is rolled back on release.
    const client = await store.pool.connect();
    await client.query('BEGIN');
    await client.query(`INSERT INTO ${store.tables.keys.replace(/keys"$/, 'counters"')} (key, value, expires_at) VALUES ('left_open', 1, now())`);
    client.release(new Error('the holder failed'));
    expect(await inTransaction()).toBe(false);
    const left = await store.pool.query(`SELECT 1 FROM ${store.tables.keys.replace(/keys"$/, 'counters"')} WHERE key = 'left_open'`);
    expect(left.rows).toEqual([]);
    const forgot = await store.pool.connect();
    await forgot.query('BEGIN');
    forgot.release();
    expect(await inTransaction()).toBe(false);
  });

  it('refuses a missing dir and a dir whose pgdata is not a database', async () => {
    await expect(embeddedStore({} as never)).rejects.toThrow(TypeError);
    const here = await embeddedDir('notdb');
    try {
      const { rmSync, writeFileSync, mkdirSync } = await import('node:fs');
      rmSync(`${here.dir}/pgdata`, { recursive: true });
      mkdirSync(`${here.dir}/pgdata`);
      writeFileSync(`${here.dir}/pgdata/notes.txt`, 'mine');
      await expect(embeddedStore({ dir: here.dir })).rejects.toThrow(/holds no PostgreSQL data directory/);
    } finally {
      here.remove();
    }
  });
});

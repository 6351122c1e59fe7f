// A hung PostgreSQL (SIGSTOP, connections open) on a server of this file's own — never the shared
// one of the test run, which other files use at the same time.
import { createKeyward } from '@keyward/core';
import { describeHungStore } from '@keyward/core/testing';
import { postgresStore } from '@keyward/store-postgres';
import { startPostgres } from '@keyward/test-services';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

describeHungStore({
  name: 'PostgreSQL',
  late: 'nothing',
  start: async () => {
    const server = await startPostgres();
    // The client settings packages/store-postgres/README.md shows.
    const store = postgresStore({
      connectionString: server.url,
      poolConfig: {
        max: 10,
        connectionTimeoutMillis: 2000,
        query_timeout: 5000,
        statement_timeout: 5000,
        idle_in_transaction_session_timeout: 10_000,
      },
    });
    await store.migrate();
    return {
      store,
      pause: () => server.pause(),
      resume: () => server.resume(),
      close: async () => {
        await store.close();
        await server.stop();
      },
    };
  },
});

describe('a rotation the engine gave up on (PostgreSQL)', () => {
  it('never commits later: the caller got a 503 and no successor key, so the old key stays as it was', async () => {
    const server = await startPostgres();
    const store = postgresStore({ connectionString: server.url });
    const locker = new pg.Client({ connectionString: server.url });
    try {
      await store.migrate();
      await locker.connect();
      const keyward = createKeyward({ store, storeTimeout: 300, cache: false });
      const { key, record } = await keyward.create({ workspaceId: 'ws_rotate', name: 'rotated while locked' });
      // The row locked by another transaction: the rotation's UPDATE waits for it, past storeTimeout
      // (the read of the key before it does not wait for a row lock).
      await locker.query('BEGIN');
      await locker.query(`SELECT id FROM ${store.tables.keys} WHERE id = $1 FOR UPDATE`, [record.id]);
      const started = Date.now();
      const error = await keyward.rotate(record.id).then(
        () => null,
        (e: unknown) => e,
      );
      expect((error as { code?: string } | null)?.code).toBe('store_unavailable');
      expect(Date.now() - started).toBeLessThan(300 + 900);
      await locker.query('COMMIT');
      // Long enough for a rotation that went on to commit.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await keyward.get(record.id))?.rotatedToId).toBeNull();
      expect((await keyward.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
      expect((await keyward.list({ workspaceId: 'ws_rotate' })).items).toHaveLength(1);
      await keyward.close();
    } finally {
      await locker.end().catch(() => undefined);
      await store.close();
      await server.stop();
    }
  });
});

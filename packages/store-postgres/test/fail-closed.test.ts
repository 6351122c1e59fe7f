import { createKeyward, type VerifyResult } from '@keyward/core';
import { postgresStore, type PostgresStore } from '@keyward/store-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '@keyward/test-services';
import { newPool, waitUntil } from './helpers.js';

const STORE_TIMEOUT = 300;
/** Scheduling slack on a busy two-core machine. */
const MARGIN = 700;

let server: PostgresServer;
let store: PostgresStore;

beforeAll(async () => {
  server = await startPostgres();
  store = postgresStore({ connectionString: server.url });
  await store.migrate();
});

afterAll(async () => {
  await store?.close();
  await server?.stop();
});

function expectUnavailable(result: VerifyResult, elapsed: number): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe('store_unavailable');
  expect(result.error.status).toBe(503);
  expect(result.error.retryAfter).toBeGreaterThan(0);
  expect(elapsed).toBeLessThan(STORE_TIMEOUT + MARGIN);
}

describe('fail-closed with PostgreSQL', () => {
  it('answers 503 store_unavailable while the server is down (never ok, never 401), then recovers', async () => {
    const keyward = createKeyward({ store, storeTimeout: STORE_TIMEOUT, cache: false });
    const { key } = await keyward.create({ workspaceId: 'ws_down', name: 'outage' });
    const headers = { authorization: `Bearer ${key}` };
    expect((await keyward.verify(headers)).ok).toBe(true);

    await server.stopServer();
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      const result = await keyward.verify(headers);
      expectUnavailable(result, Date.now() - started);
    }

    await server.startServer();
    await waitUntil('verify to pass again', 10_000, async () => (await keyward.verify(headers)).ok);
  });

  it('answers 503 within storeTimeout when the server hangs (table locked), then recovers', async () => {
    const keyward = createKeyward({ store, storeTimeout: STORE_TIMEOUT, cache: false });
    const { key } = await keyward.create({ workspaceId: 'ws_hang', name: 'hang' });
    const headers = { authorization: `Bearer ${key}` };
    expect((await keyward.verify(headers)).ok).toBe(true);

    const locker = newPool(server.url, 1);
    const client = await locker.connect();
    try {
      await client.query('BEGIN');
      await client.query(`LOCK TABLE ${store.tables.keys} IN ACCESS EXCLUSIVE MODE`);
      const started = Date.now();
      const result = await keyward.verify(headers);
      const elapsed = Date.now() - started;
      expectUnavailable(result, elapsed);
      expect(elapsed).toBeGreaterThanOrEqual(STORE_TIMEOUT - 5);
      await client.query('ROLLBACK');
    } finally {
      client.release();
      await locker.end();
    }
    await waitUntil('verify to pass again', 5000, async () => (await keyward.verify(headers)).ok);
  });
});

// The redaction guarantee of the `logger` option on PostgreSQL: the shared conformance suites with
// a logger that records any key, digest, Authorization header or pepper, and a real outage (the
// server stopped and started again) that makes the store and bus notices.
import { createKeyward, hmacSha256Hasher, idSecretFormat, prefixedFormat } from '@keyward/core';
import { describeAuditStore, describeKeyStore, describeUsageStore, strictLogger } from '@keyward/core/testing';
import { postgresInvalidation, postgresStore, type PostgresStore } from '@keyward/store-postgres';
import { runOutage, startPostgres } from '@keyward/test-services';
import { afterAll, describe, expect, it } from 'vitest';
import { newPool, schemaStores } from './helpers.js';

const PEPPER = `pepper-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const format = prefixedFormat({ prefix: 'tst' });
const logger = strictLogger({ formats: [prefixedFormat({ prefix: 'kw' }), idSecretFormat(), format], secrets: [PEPPER] });
const keyward = { logger };
const pool = newPool();
const stores = schemaStores(pool, 'redact');
const freshStore = () => stores.fresh();

afterAll(async () => {
  await stores.drop();
  await pool.end();
  expect(logger.violations).toEqual([]);
});

const dump = async (store: PostgresStore) =>
  (await pool.query<{ row: string }>(`SELECT k::text AS row FROM ${store.tables.keys} k`)).rows.map((r) => r.row).join('\n');
describeKeyStore({ name: 'postgres, strict logger', createStore: freshStore, dumpRaw: dump, keyward });
describeUsageStore({ name: 'postgres, strict logger', createStore: freshStore, keyward });
const dumpAudit = async (store: PostgresStore) =>
  (await pool.query<{ row: string }>(`SELECT a::text AS row FROM ${store.tables.audit} a UNION ALL SELECT u::text FROM ${store.tables.usage} u`)).rows
    .map((r) => r.row)
    .join('\n');
describeAuditStore({ name: 'postgres, strict logger', createStore: freshStore, dumpRaw: dumpAudit, keyward });

describe('a PostgreSQL outage, through a strict logger', () => {
  it('tells store unavailable and recovered, bus lost and resubscribed, and nothing secret', { timeout: 30_000 }, async () => {
    const server = await startPostgres();
    const hash = hmacSha256Hasher({ pepper: PEPPER });
    const store = postgresStore({ connectionString: server.url, poolConfig: { max: 2, connectionTimeoutMillis: 1000 } }, { schema: 'outage' });
    const bus = postgresInvalidation({
      connectionString: server.url,
      channel: 'outage',
      reconnectDelay: { min: 50, max: 300 },
      heartbeatInterval: 0,
    });
    const engine = createKeyward({ store, format, hash, invalidation: bus, logger, storeTimeout: 1500 });
    try {
      await store.migrate();
      await engine.ready();
      const { key } = await engine.create({ workspaceId: 'ws_a', name: 'prod' });
      expect((await engine.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
      const lines = await runOutage({ engine, key, logger, stopServer: () => server.stopServer(), startServer: () => server.startServer() });
      expect(lines.filter((l) => l.fields.event === 'keyward.store.unavailable')).toHaveLength(1);
      expect(lines.find((l) => l.fields.event === 'keyward.store.unavailable')!.fields).toMatchObject({
        system: 'postgresql',
        operation: 'findByHash',
      });
      expect(logger.violations).toEqual([]);
    } finally {
      await engine.close();
      await bus.close();
      await store.close();
      await server.stop();
    }
  });
});

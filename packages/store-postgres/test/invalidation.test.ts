import { createKeyward } from '@keyward/core';
import type { InvalidationMessage } from '@keyward/core/store';
import { postgresInvalidation, postgresStore } from '@keyward/store-postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres } from '@keyward/test-services';
import { databaseUrl, newPool, randomSchema, waitUntil } from './helpers.js';

const poolA = newPool();
const poolB = newPool();
const closers: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await poolA.end();
  await poolB.end();
});

function bus(options: Parameters<typeof postgresInvalidation>[0]) {
  const b = postgresInvalidation(options);
  closers.push(() => b.close());
  return b;
}

describe('postgresInvalidation', () => {
  it('delivers a publish from one pool to a subscriber on another within a second', async () => {
    const channel = randomSchema('ch');
    const received: InvalidationMessage[] = [];
    const subscriber = bus({ pool: poolB, channel });
    await subscriber.subscribe((m) => received.push(m));
    const publisher = bus({ pool: poolA, channel });
    const sent = Date.now();
    await publisher.publish({ keyId: 'key_abc' });
    await waitUntil('the message', 1000, () => received.length > 0);
    expect(Date.now() - sent).toBeLessThan(1000);
    expect(received).toEqual([{ keyId: 'key_abc' }]);
  });

  it('sends only {"keyId"} and ignores foreign or malformed payloads', async () => {
    const channel = randomSchema('ch');
    const raw: string[] = [];
    const spy = await poolA.connect();
    closers.push(async () => spy.release());
    spy.on('notification', (n) => raw.push(n.payload ?? ''));
    await spy.query(`LISTEN "${channel}"`);
    const received: InvalidationMessage[] = [];
    const b = bus({ connectionString: databaseUrl(), channel });
    await b.subscribe((m) => received.push(m));
    await poolA.query('SELECT pg_notify($1, $2)', [channel, 'not json']);
    await poolA.query('SELECT pg_notify($1, $2)', [channel, '{"hash":"abc"}']);
    await b.publish({ keyId: 'key_1' });
    await waitUntil('the message', 1000, () => received.length > 0 && raw.length >= 3);
    expect(received).toEqual([{ keyId: 'key_1' }]);
    expect(raw[2]).toBe('{"keyId":"key_1"}');
    await expect(b.publish({ keyId: '' })).rejects.toThrow(TypeError);
    await spy.query(`UNLISTEN "${channel}"`);
  });

  it('stops delivering after unsubscribe, and shares one connection between subscribers', async () => {
    const channel = randomSchema('ch');
    const b = bus({ pool: poolB, channel });
    const first: string[] = [];
    const second: string[] = [];
    const stopFirst = await b.subscribe((m) => first.push(m.keyId));
    const stopSecond = await b.subscribe((m) => second.push(m.keyId));
    const listeners = async () =>
      (await poolA.query<{ n: string }>('SELECT count(*)::text AS n FROM pg_stat_activity WHERE query = $1', [`LISTEN "${channel}"`])).rows[0]!.n;
    expect(await listeners()).toBe('1');
    await b.publish({ keyId: 'key_a' });
    await waitUntil('both', 1000, () => first.length === 1 && second.length === 1);
    await stopFirst();
    await b.publish({ keyId: 'key_b' });
    await waitUntil('second', 1000, () => second.length === 2);
    expect(first).toEqual(['key_a']);
    await stopSecond();
    await waitUntil('the LISTEN connection to close', 2000, async () => (await listeners()) === '0');
  });

  it('refuses a channel that is not an identifier', () => {
    expect(() => postgresInvalidation({ pool: poolA, channel: 'bad channel' })).toThrow(RangeError);
  });

  it('survives the server being stopped and started again, telling onError both times', async () => {
    const server = await startPostgres();
    closers.push(() => server.stop());
    const channel = 'keyward_invalidation';
    const received: string[] = [];
    const errors: string[] = [];
    const subscriber = bus({ connectionString: server.url, channel, reconnectDelay: { min: 50, max: 400 } });
    await subscriber.subscribe(
      (m) => received.push(m.keyId),
      (e) => errors.push(e instanceof Error ? e.message : String(e)),
    );
    const publisher = bus({ connectionString: server.url, channel });
    await publisher.publish({ keyId: 'key_before' });
    await waitUntil('the first message', 1000, () => received.length === 1);

    await server.stopServer();
    await waitUntil('onError after the drop', 2000, () => errors.length > 0);
    await server.startServer();
    await waitUntil('onError after the reconnection', 5000, () => errors.some((e) => e.includes('restored')));
    await publisher.publish({ keyId: 'key_after' });
    await waitUntil('a message after the restart', 1000, () => received.includes('key_after'));
    expect(received).toEqual(['key_before', 'key_after']);
  });

  it('lets a revoke on one instance reach the cache of another within a second', async () => {
    const schema = randomSchema('inv');
    closers.push(() => poolA.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    const storeA = postgresStore({ pool: poolA }, { schema });
    await storeA.migrate();
    const channel = randomSchema('ch');
    const a = createKeyward({ store: storeA, invalidation: bus({ pool: poolA, channel }), cache: { ttl: 60_000 } });
    const b = createKeyward({
      store: postgresStore({ pool: poolB }, { schema }),
      invalidation: bus({ pool: poolB, channel }),
      cache: { ttl: 60_000 },
    });
    closers.push(
      () => a.close(),
      () => b.close(),
    );
    await a.ready();
    await b.ready();
    const { key, record } = await a.create({ workspaceId: 'ws_inv', name: 'cached' });
    expect((await b.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
    expect((await b.verify({ authorization: `Bearer ${key}` })).ok).toBe(true); // from the cache now
    await a.revoke(record.id);
    const revokedAt = Date.now();
    await waitUntil('instance B to refuse the revoked key', 1000, async () => !(await b.verify({ authorization: `Bearer ${key}` })).ok);
    expect(Date.now() - revokedAt).toBeLessThan(1000);
  });
});

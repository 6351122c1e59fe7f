import type { InvalidationMessage } from '@keyward/core/store';
import { describeInvalidationBus } from '@keyward/core/testing';
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

describeInvalidationBus({
  name: 'PostgreSQL LISTEN/NOTIFY',
  createPair: () => {
    const channel = randomSchema('ch');
    return { publisher: bus({ pool: poolA, channel }), subscriber: bus({ pool: poolB, channel }) };
  },
  createInterruptiblePair: async () => {
    const server = await startPostgres();
    closers.push(() => server.stop());
    return {
      publisher: bus({ connectionString: server.url }),
      subscriber: bus({ connectionString: server.url, reconnectDelay: { min: 50, max: 400 } }),
      down: () => server.stopServer(),
      up: () => server.startServer(),
    };
  },
  createStores: async () => {
    const schema = randomSchema('inv');
    closers.push(() => poolA.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    const a = postgresStore({ pool: poolA }, { schema });
    await a.migrate();
    return { a, b: postgresStore({ pool: poolB }, { schema }) };
  },
});

describe('postgresInvalidation', () => {
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
});

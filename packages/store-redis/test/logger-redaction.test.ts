// The redaction guarantee of the `logger` option on Redis: the shared conformance suites with a
// logger that records any key, digest, Authorization header or pepper, and a real outage (the
// server stopped and started again) that makes the store and bus notices.
import { createKeyward, hmacSha256Hasher, idSecretFormat, prefixedFormat } from '@keyward/core';
import { describeAuditStore, describeKeyStore, describeUsageStore, strictLogger } from '@keyward/core/testing';
import { redisInvalidation, redisStore, type RedisStore } from '@keyward/store-redis';
import { runOutage, startRedis } from '@keyward/test-services';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { newRedis, uniquePrefix } from './helpers.js';

const PEPPER = `pepper-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const format = prefixedFormat({ prefix: 'tst' });
const logger = strictLogger({ formats: [prefixedFormat({ prefix: 'kw' }), idSecretFormat(), format], secrets: [PEPPER] });
const keyward = { logger };
const redis = newRedis();

afterAll(async () => {
  await redis.quit();
  expect(logger.violations).toEqual([]);
});

/** What the store holds under its prefix: records and snapshots, or (`audit`) only audit streams and usage counters. */
async function dump(store: RedisStore, audit = false): Promise<string> {
  const out: string[] = [];
  for (const key of await redis.keys(`${store.prefix}*`)) {
    const type = await redis.type(key);
    if (type === 'stream') out.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    else if (audit) {
      if (type === 'hash' && !/k:/.test(key)) out.push(JSON.stringify(await redis.hgetall(key)));
    } else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === 'string') out.push(String(await redis.get(key)));
    else out.push(key);
  }
  return out.join('\n');
}
describeKeyStore<RedisStore>({
  name: 'redis, strict logger',
  createStore: () => redisStore({ redis, prefix: uniquePrefix('redact') }),
  dumpRaw: (store) => dump(store),
  keyward,
});
describeUsageStore<RedisStore>({ name: 'redis, strict logger', createStore: () => redisStore({ redis, prefix: uniquePrefix('redact') }), keyward });
describeAuditStore<RedisStore>({
  name: 'redis, strict logger',
  createStore: () => redisStore({ redis, prefix: uniquePrefix('redact') }),
  dumpRaw: (store) => dump(store, true),
  keyward,
});

describe('a Redis outage, through a strict logger', () => {
  it('tells store unavailable and recovered, bus lost and resubscribed, and nothing secret', { timeout: 30_000 }, async () => {
    const server = await startRedis();
    const client = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50, enableOfflineQueue: false });
    client.on('error', () => undefined);
    // Without the offline queue a command fails until the connection is up: wait for it (a
    // loaded machine connects later than the first command otherwise).
    if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
    const hash = hmacSha256Hasher({ pepper: PEPPER });
    const store = redisStore({ redis: client, prefix: 'outage:' });
    const bus = redisInvalidation({ redis: client, channel: 'outage:bus' });
    const engine = createKeyward({ store, format, hash, invalidation: bus, logger, storeTimeout: 1000 });
    try {
      await engine.ready();
      const { key } = await engine.create({ workspaceId: 'ws_a', name: 'prod' });
      expect((await engine.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
      const lines = await runOutage({ engine, key, logger, stopServer: () => server.stopServer(), startServer: () => server.startServer() });
      expect(lines.find((l) => l.fields.event === 'keyward.store.unavailable')!.fields).toMatchObject({ system: 'redis', operation: 'findByHash' });
      expect(logger.violations).toEqual([]);
    } finally {
      await engine.close();
      await bus.close();
      client.disconnect();
      await server.stop();
    }
  });
});

import { once } from 'node:events';
import { createKeyward, type VerifyResult } from '@keyward/core';
import type { StoredKey } from '@keyward/core/store';
import { redisStore, type RedisStore } from '@keyward/store-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '@keyward/test-services';
import { waitUntil } from './helpers.js';

const STORE_TIMEOUT = 300;
/** Scheduling slack on a busy two-core machine. */
const MARGIN = 700;

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
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

async function outage(store: RedisStore): Promise<void> {
  const keyward = createKeyward({ store, storeTimeout: STORE_TIMEOUT, cache: false });
  const { key, record } = await keyward.create({ workspaceId: 'ws_down', name: 'outage', format: undefined });
  const stored = (await store.findById(record.id)) as StoredKey;
  const headers = { authorization: `Bearer ${key}` };
  expect((await keyward.verify(headers)).ok).toBe(true);

  await server.stopServer();
  for (let i = 0; i < 6; i++) {
    const started = Date.now();
    expectUnavailable(await keyward.verify(headers), Date.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  await server.startServer();
  // The test server keeps no data (like a cache without persistence): the key is gone, which is
  // a 401, never a pass; put it back and it verifies again.
  await waitUntil('the store to answer again', 10_000, async () => {
    const result = await keyward.verify(headers);
    expect(result.ok).toBe(false);
    return !result.ok && result.error.code === 'invalid_key';
  });
  await store.insert(stored);
  expect((await keyward.verify(headers)).ok).toBe(true);
}

describe('fail-closed with Redis', () => {
  it('a client without offline queue: 503 at once while the server is down, then recovers', async () => {
    const redis = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1000 });
    redis.on('error', () => undefined);
    await once(redis, 'ready');
    try {
      await outage(redisStore({ redis, prefix: 'fc1:' }));
    } finally {
      redis.disconnect();
    }
  });

  it('a client opened from a URL (fail-fast defaults): 503 within the store timeout, then recovers', async () => {
    const store = redisStore({ redis: { url: server.url }, prefix: 'fc2:' });
    store.redis.on('error', () => undefined);
    try {
      await outage(store);
    } finally {
      await store.close();
    }
  });

  it('a server that hangs: 503 after storeTimeout, then recovers', async () => {
    const store = redisStore({ redis: { url: server.url }, prefix: 'fc3:' });
    store.redis.on('error', () => undefined);
    const admin = new Redis(server.url);
    try {
      const keyward = createKeyward({ store, storeTimeout: STORE_TIMEOUT, cache: false });
      const { key } = await keyward.create({ workspaceId: 'ws_hang', name: 'hang' });
      const headers = { authorization: `Bearer ${key}` };
      expect((await keyward.verify(headers)).ok).toBe(true);
      await admin.call('CLIENT', 'PAUSE', '800', 'ALL');
      const started = Date.now();
      const result = await keyward.verify(headers);
      const elapsed = Date.now() - started;
      expectUnavailable(result, elapsed);
      expect(elapsed).toBeGreaterThanOrEqual(STORE_TIMEOUT - 5);
      await waitUntil('verify to pass again', 5000, async () => (await keyward.verify(headers)).ok);
    } finally {
      admin.disconnect();
      await store.close();
    }
  });
});

import { Cluster, Redis } from 'ioredis';
import { inject } from 'vitest';
import type { RedisStore } from '../src/index.js';
import { withSnapshots } from '../src/internal/script-wrappers.js';

const SET_FIELD_BODY = `if ARGV[2] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end return 1`;
const SET_FIELD = withSnapshots({ name: 'kwTestSetField', keys: 1, writesRecords: true, lua: SET_FIELD_BODY });

/**
 * Changes one field of a record by hand (`null` deletes it), as someone could with redis-cli —
 * but atomically with its snapshots on a standalone server, as the store's own writes are: what a
 * test then reads is the changed record, whichever way the store looks it up.
 */
export async function setField(client: Redis | Cluster, recordKey: string, field: string, value: string | null): Promise<void> {
  await client.eval(client.isCluster ? SET_FIELD_BODY : SET_FIELD.lua, 1, recordKey, field, value ?? '');
}

/** The Redis server of the test run (started by test/global-setup.ts, or REDIS_URL). */
export function redisUrl(): string {
  const url = inject('redisUrl') || process.env.REDIS_URL;
  if (!url) throw new Error('no Redis for the tests: run them with the root vitest config (globalSetup) or set REDIS_URL');
  return url;
}

/** The masters of the test Redis Cluster (REDIS_CLUSTER_NODES, `host:port,host:port,…`). */
export function clusterNodes(): { host: string; port: number }[] {
  const value = inject('redisClusterNodes') || process.env.REDIS_CLUSTER_NODES;
  if (!value) throw new Error('no Redis Cluster for the tests: run them with the root vitest config (globalSetup) or set REDIS_CLUSTER_NODES');
  return value.split(',').map((s) => {
    const sep = s.lastIndexOf(':');
    return { host: s.slice(0, sep), port: Number(s.slice(sep + 1)) };
  });
}

export function newRedis(url = redisUrl()): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  return redis;
}

export function newCluster(): Cluster {
  const cluster = new Cluster(clusterNodes(), { redisOptions: { maxRetriesPerRequest: 1 } });
  cluster.on('error', () => undefined);
  return cluster;
}

/** A prefix no other test uses. */
export function uniquePrefix(label = 't'): string {
  return `kwtest:${label}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:`;
}

/** Every key under the store's prefix and its value, read with SCAN on every master. */
export async function dumpRaw(store: RedisStore): Promise<string> {
  const client = store.redis;
  const nodes: Redis[] = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  const out: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${store.prefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await node.type(key);
        const value =
          type === 'hash'
            ? await node.hgetall(key)
            : type === 'zset'
              ? await node.zrange(key, 0, -1)
              : type === 'string'
                ? await node.get(key)
                : type;
        out.push(`${key} ${JSON.stringify(value)}`);
      }
    } while (cursor !== '0');
  }
  return out.sort().join('\n');
}

export async function waitUntil(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

import { type AuditEvent, createKeyward } from '@keyward/core';
import { describeAuditStore, describeUsageStore } from '@keyward/core/testing';
import { redisStore, type RedisStore } from '@keyward/store-redis';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { newCluster, newRedis, uniquePrefix } from './helpers.js';

const redis = newRedis();
const twin = newRedis();
const cluster = newCluster();
const clusterTwin = newCluster();
afterAll(async () => {
  await Promise.all([redis.quit(), twin.quit(), cluster.quit(), clusterTwin.quit()]);
});

/** Every stream entry and usage counter under the store's prefix, on every master. */
async function dumpAuditAndUsage(store: RedisStore): Promise<string> {
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
        if (type === 'stream') out.push(`${key} ${JSON.stringify(await node.xrange(key, '-', '+'))}`);
        else if (type === 'hash' && !/k:/.test(key)) out.push(`${key} ${JSON.stringify(await node.hgetall(key))}`);
      }
    } while (cursor !== '0');
  }
  return out.sort().join('\n');
}

for (const [label, client, other] of [
  ['redis', redis, twin],
  ['redis (3-master cluster)', cluster, clusterTwin],
] as const) {
  describeUsageStore<RedisStore>({
    name: label,
    createStore: () => redisStore({ redis: client, prefix: uniquePrefix('usage') }),
    openTwin: (store) => redisStore({ redis: other, prefix: store.prefix }),
  });
  describeAuditStore<RedisStore>({
    name: label,
    createStore: () => redisStore({ redis: client, prefix: uniquePrefix('audit') }),
    dumpRaw: dumpAuditAndUsage,
  });
}

/** An audit event with nothing but what a test sets. */
function auditEvent(fields: Pick<AuditEvent, 'id' | 'time' | 'workspaceId'> & Partial<AuditEvent>): AuditEvent {
  return {
    type: 'key.created',
    keyId: null,
    keyHint: null,
    actor: null,
    code: null,
    reason: null,
    ip: null,
    userAgent: null,
    count: 1,
    details: {},
    ...fields,
  };
}

describe('redis usage and audit retention', () => {
  it('puts a TTL on every usage counter and audit stream', async () => {
    const store = redisStore({ redis, prefix: uniquePrefix('ttl'), usageTtlDays: 400, auditRetentionDays: 30 });
    const keyward = createKeyward({ store, usage: true, audit: true });
    const created = await keyward.create({ workspaceId: 'ws_ttl', name: 'ttl' });
    expect((await keyward.verify({ authorization: `Bearer ${created.key}` })).ok).toBe(true);
    expect((await keyward.verify({ authorization: 'Bearer kw_live_unknown' })).ok).toBe(false);
    await keyward.close();
    const keys = await redis.keys(`${store.prefix}*`);
    const temporary = keys.filter((k) => /u:|\}audit$|\{uk:/.test(k));
    expect(temporary.length).toBeGreaterThanOrEqual(4);
    for (const key of temporary) {
      const ttl = await redis.pttl(key);
      const days = key.endsWith('audit') ? 30 : 400;
      expect(ttl, key).toBeGreaterThan((days - 1) * 86_400_000);
      expect(ttl, key).toBeLessThanOrEqual(days * 86_400_000);
    }
  });

  it('trims a workspace stream to about auditMaxLength entries', async () => {
    const store = redisStore({ redis, prefix: uniquePrefix('trim'), auditMaxLength: 100 });
    const keyward = createKeyward({ store, audit: { flushInterval: '1h' } });
    for (let i = 0; i < 600; i++) await keyward.create({ workspaceId: 'ws_trim', name: `k${i}` });
    await keyward.close();
    const length = await redis.xlen(`${store.prefix}{ws:ws_trim}audit`);
    // MAXLEN ~ trims whole radix-tree nodes (100 entries each by default): approximate by design.
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThanOrEqual(300);
    const page = await keyward.auditLog({ workspaceId: 'ws_trim', limit: 1 });
    expect(page.items[0]!.details).toMatchObject({ name: 'k599' });
  });

  it('keeps events that arrive late (another instance, a skewed clock) readable in order of arrival', async () => {
    const store = redisStore({ redis, prefix: uniquePrefix('late') });
    const base = Date.now() - 3_600_000;
    await store.appendAudit([auditEvent({ id: 'a', time: new Date(base + 5000), workspaceId: 'ws_late' })]);
    await store.appendAudit([auditEvent({ id: 'b', time: new Date(base + 1000), workspaceId: 'ws_late' })]);
    const page = await store.readAudit({ workspaceId: 'ws_late', limit: 10 });
    expect(page.items.map((e) => [e.id, e.time.getTime()])).toEqual([
      ['b', base + 1000],
      ['a', base + 5000],
    ]);
  });

  it('reads at most 5000 entries per filtered call: a short page with a cursor, and every match once in the end', async () => {
    const store = redisStore({ redis, prefix: uniquePrefix('scan'), auditMaxLength: 100_000 });
    const base = Date.now() - 3_600_000;
    const event = (i: number, keyId: string) =>
      auditEvent({ id: `evt_${i}`, type: 'key.updated', time: new Date(base + i), workspaceId: 'ws_scan', keyId });
    // The one match is the oldest entry, behind 7000 others.
    await store.appendAudit([event(0, 'key_needle')]);
    for (let i = 1; i <= 7000; i += 1000) await store.appendAudit(Array.from({ length: 1000 }, (_, j) => event(i + j, 'key_hay')));
    const first = await store.readAudit({ workspaceId: 'ws_scan', limit: 10, keyId: 'key_needle' });
    expect(first.items).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    const second = await store.readAudit({ workspaceId: 'ws_scan', limit: 10, keyId: 'key_needle', cursor: first.nextCursor! });
    expect(second.items.map((e) => e.id)).toEqual(['evt_0']);
    expect(second.nextCursor).toBeNull();
  });
});

import type { KeyTouch, UsageCount, UsageRange, UsageStore } from '@keyward/core/store';
import type { Cluster, Redis } from 'ioredis';
import { esc, idPointerSuffix, parsePointer, workspaceTag } from './internal/codec.js';
import { TOUCH, USAGE_HINCR, USAGE_INCR, defineUsageScripts } from './internal/usage-scripts.js';

/** Requests in flight at once while writing a batch. */
const PARALLEL = 64;

async function inChunks<T>(items: readonly T[], run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL) await Promise.all(items.slice(i, i + PARALLEL).map(run));
}

function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end && days.length < 1000; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * Usage on Redis. Two counters per key and day, each with a TTL (`ttlDays`), so nothing grows
 * without bound:
 * - `{ws:<workspace>}u:<day>`: a HASH of key id → requests (read by workspace, on the slot of the
 *   workspace's keys);
 * - `{uk:<key id>}<day>`: a HASH with the requests (`n`) and the workspace (`ws`), read by key
 *   with one pipeline (every day of a key shares its tag).
 */
export function redisUsage(client: Redis | Cluster, prefix: string, ttlDays: number): UsageStore {
  const call = defineUsageScripts(client);
  const ttl = Math.round(ttlDays * 86_400);
  const workspaceDay = (workspaceId: string, day: string) => `${prefix}${workspaceTag(workspaceId)}u:${day}`;
  const keyDay = (keyId: string, day: string) => `${prefix}{uk:${esc(keyId)}}${day}`;

  return {
    async addUsage(counts: readonly UsageCount[]): Promise<void> {
      const perWorkspaceDay = new Map<string, (string | number)[]>();
      for (const row of counts) {
        if (row.workspaceId === null) continue;
        const key = workspaceDay(row.workspaceId, row.day);
        let args = perWorkspaceDay.get(key);
        if (args === undefined) {
          args = [ttl];
          perWorkspaceDay.set(key, args);
        }
        args.push(row.keyId, row.count);
      }
      await Promise.all([
        inChunks([...perWorkspaceDay], ([key, args]) => call(USAGE_HINCR, [key], args)),
        inChunks(counts, (row) => call(USAGE_INCR, [keyDay(row.keyId, row.day)], [row.count, ttl, row.workspaceId ?? ''])),
      ]);
    },

    async touchKeys(touches: readonly KeyTouch[]): Promise<void> {
      await inChunks(touches, async ({ keyId, at }) => {
        const value = await client.get(prefix + idPointerSuffix(keyId));
        const pointer = value === null ? null : parsePointer(value);
        if (pointer !== null) await call(TOUCH, [prefix + pointer.record], [keyId, at.getTime()]);
      });
    },

    async readUsage(range: UsageRange): Promise<UsageCount[]> {
      const days = daysOf(range.from, range.to);
      if (days.length === 0) return [];
      const out: UsageCount[] = [];
      if (range.keyId !== undefined) {
        const keyId = range.keyId;
        // Every day of a key shares its hash tag: one pipeline, on one slot.
        const pipeline = client.pipeline();
        for (const day of days) pipeline.hmget(keyDay(keyId, day), 'n', 'ws');
        const replies = (await pipeline.exec()) ?? [];
        days.forEach((day, i) => {
          const [error, value] = replies[i] ?? [null, [null, null]];
          if (error) throw error;
          const [n, ws] = value as [string | null, string | null];
          if (n !== null) out.push({ keyId, workspaceId: ws, day, count: Number(n) });
        });
        return out;
      }
      const workspaceId = range.workspaceId;
      const pipeline = client.pipeline();
      for (const day of days) pipeline.hgetall(workspaceDay(workspaceId, day));
      const replies = (await pipeline.exec()) ?? [];
      days.forEach((day, i) => {
        const [error, hash] = replies[i] ?? [null, {}];
        if (error) throw error;
        const fields = hash as Record<string, string>;
        for (const keyId of Object.keys(fields).sort()) out.push({ keyId, workspaceId, day, count: Number(fields[keyId]) });
      });
      return out;
    },
  };
}

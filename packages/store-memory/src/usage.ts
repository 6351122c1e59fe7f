import type { UsageCount, UsageRange } from '@keyward/core/store';

/** Request counts per key and UTC day, in a `Map` (kept until the process ends). */
export function memoryUsageCounts() {
  const counts = new Map<string, { keyId: string; workspaceId: string | null; day: string; count: number }>();
  return {
    async addUsage(rows: readonly UsageCount[]): Promise<void> {
      for (const row of rows) {
        const id = `${row.keyId}\u0000${row.day}`;
        const known = counts.get(id);
        if (known) known.count += row.count;
        else counts.set(id, { keyId: row.keyId, workspaceId: row.workspaceId, day: row.day, count: row.count });
      }
    },
    async readUsage(range: UsageRange): Promise<UsageCount[]> {
      const out: UsageCount[] = [];
      for (const row of counts.values()) {
        if (row.day < range.from || row.day > range.to) continue;
        if (range.keyId !== undefined ? row.keyId !== range.keyId : row.workspaceId !== range.workspaceId) continue;
        out.push({ ...row });
      }
      return out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
    },
  };
}

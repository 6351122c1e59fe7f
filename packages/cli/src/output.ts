import type { ApiKey } from '@keyward/core';

/** What the command shows of a key: never the key, never its hash. */
export function view(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    workspaceId: key.workspaceId,
    ownerId: key.ownerId,
    environment: key.environment,
    scopes: key.scopes,
    display: `${key.prefix}…${key.hint}`,
    legacy: key.legacy,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    sunsetAt: key.sunsetAt?.toISOString() ?? null,
    rotatedToId: key.rotatedToId,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    metadata: key.metadata,
  };
}

/** A plain-text table of `columns`, `(none)` for no rows. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)\n';
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : Array.isArray(v) ? v.join(',') : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n')}\n`;
}

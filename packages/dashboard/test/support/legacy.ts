import { type Keyward, prefixedFormat } from '@keyward/core';

/**
 * Imports a legacy personal key (as a migration would: only the hash of a key made elsewhere) and
 * returns its plaintext and id. The key is made here, at run time.
 */
export async function importLegacyKey(
  keyward: Keyward,
  options: { ownerId: string; name: string; workspaceId?: string | null; scopes?: readonly string[]; createdAt?: string },
): Promise<{ key: string; id: string }> {
  const { key } = prefixedFormat({ prefix: 'acme' }).generate();
  const hasher = keyward.hashers[0]!;
  const record = await keyward.import({
    hash: hasher.hash(key),
    hashVersion: hasher.version,
    hint: key.slice(-4),
    prefix: 'acme_live_',
    name: options.name,
    legacy: true,
    ownerId: options.ownerId,
    workspaceId: options.workspaceId ?? null,
    actor: 'migration',
    ...(options.scopes ? { scopes: options.scopes } : {}),
    ...(options.createdAt ? { createdAt: options.createdAt } : {}),
  });
  return { key, id: record.id };
}

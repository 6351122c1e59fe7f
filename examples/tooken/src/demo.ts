import type { Keyward } from '@keyward/core';
import { createManagementKey, TOKEN } from './app.js';

/**
 * Two workspaces with a management key each, tokens of workspace A (read-only, full, expired), and
 * a deleted management key. Returns the plaintext keys by label (for the demo output only).
 */
export interface DemoKeys {
  workspace_a: string;
  workspace_b: string;
  token_read_only: string;
  token_read_write: string;
  expired: string;
  revoked: string;
}

export async function seedDemo(keyward: Keyward): Promise<DemoKeys> {
  const a = await createManagementKey(keyward, 'ws_acme', 'CI pipeline');
  const b = await createManagementKey(keyward, 'ws_globex', 'backend');
  const readOnly = await keyward.create({ workspaceId: 'ws_acme', name: 'billing reader', scopes: ['tokens:read'], format: TOKEN });
  const writer = await keyward.create({
    workspaceId: 'ws_acme',
    name: 'provisioner',
    scopes: ['tokens:read', 'tokens:write'],
    format: TOKEN,
    expiresIn: '30d',
  });
  const expired = await keyward.create({
    workspaceId: 'ws_acme',
    name: 'old partner',
    scopes: ['tokens:read'],
    format: TOKEN,
    expiresAt: new Date(Date.now() - 86_400_000),
  });
  const deleted = await createManagementKey(keyward, 'ws_acme', 'leaked laptop key');
  await keyward.delete(deleted.record.id);
  return {
    workspace_a: a.key,
    workspace_b: b.key,
    token_read_only: readOnly.key,
    token_read_write: writer.key,
    expired: expired.key,
    revoked: deleted.key,
  };
}

import type { Keyward } from '@keyward/core';
import { type DemoPerson, type DemoSessions, demoSessions } from '@keyward/example-support/demo-session';
import { createManagementKey, TOKEN } from './app.js';

/** The dashboard's demo-only sign-in: Dana administers both workspaces, Sam is a member of Acme. */
export function demoPeople(): DemoSessions {
  return demoSessions({
    cookie: 'tooken_demo_session',
    people: new Map<string, DemoPerson>([
      ['user_dana', { name: 'Dana Admin', roles: { ws_acme: 'admin', ws_globex: 'admin' } }],
      ['user_sam', { name: 'Sam Member', roles: { ws_acme: 'member' } }],
    ]),
    signIns: { admin: 'user_dana', member: 'user_sam' },
    workspaceNames: new Map([
      ['ws_acme', 'Acme'],
      ['ws_globex', 'Globex'],
    ]),
  });
}

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

// A provider whose API keys may call the management API: its `authorize` verifies the key and
// hands it over as the principal's actingKey; every change is then bounded by that key.
import { createKeyward, prefixedFormat } from '@keyward/core';
import { createDashboard } from '@keyward/dashboard';
import { memoryStore } from '@keyward/store-memory';
import { describe, expect, it } from 'vitest';

const DAY = 86_400_000;

async function setup() {
  const keyward = createKeyward({ store: memoryStore(), format: prefixedFormat({ prefix: 'acme' }) });
  const dashboard = createDashboard(keyward, {
    scopes: ['keys:manage', 'reports:read', 'billing:write'],
    authorize: async (request, { workspaceId }) => {
      const result = await keyward.verify(request.headers, { scopes: ['keys:manage'] });
      if (!result.ok) return null;
      const key = result.key;
      return { id: `key:${key.id}`, name: key.name, role: workspaceId === key.workspaceId ? 'admin' : null, actingKey: key };
    },
  });
  const manager = await keyward.create({ workspaceId: 'ws', name: 'manager', scopes: ['keys:manage', 'reports:read'], expiresIn: '30d' });
  const billing = await keyward.create({ workspaceId: 'ws', name: 'billing', scopes: ['billing:write'] });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await dashboard(
      new Request(`https://app.example.test/keyward/api/workspaces/ws${path}`, {
        method,
        headers: { authorization: `Bearer ${manager.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    return { status: response.status, body: (await response.json().catch(() => null)) as any };
  };
  return { keyward, manager, billing, call };
}

describe('the management API called with an API key (Principal.actingKey)', () => {
  it('refuses what goes beyond the key: scopes it lacks, keys more powerful than it, a later expiry', async () => {
    const { keyward, manager, billing, call } = await setup();
    const refused = [
      await call('POST', '/keys', { name: 'escalated', scopes: ['billing:write'] }),
      await call('POST', `/keys/${billing.record.id}/rotate`, {}),
      await call('POST', `/keys/${billing.record.id}/revoke`, {}),
      await call('PATCH', `/keys/${billing.record.id}`, { name: 'mine now' }),
      await call('DELETE', `/keys/${billing.record.id}`),
      await call('POST', '/keys', { name: 'outlives', scopes: ['reports:read'], expiresAt: new Date(Date.now() + 60 * DAY).toISOString() }),
    ];
    for (const answer of refused) expect([answer.status, answer.body?.code]).toEqual([403, 'forbidden']);
    expect((await keyward.get(billing.record.id))?.rotatedToId).toBeNull();
    expect((await keyward.list({ workspaceId: 'ws' })).items).toHaveLength(2);
    // Within the key: it works, and what it makes expires with it.
    const made = await call('POST', '/keys', { name: 'reporter', scopes: ['reports:read'] });
    expect(made.status).toBe(201);
    expect(made.body.record.expiresAt).toBe(manager.record.expiresAt!.toISOString());
  });
});

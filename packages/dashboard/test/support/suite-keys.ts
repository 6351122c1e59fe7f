import { expect, it } from 'vitest';
import type { Fresh } from './api-suite.js';
import type { Harness } from './harness.js';
import { importLegacyKey } from './legacy.js';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function create(h: Harness, body: Record<string, unknown>, as: 'olivia' | 'adam' | 'bob' = 'olivia', ws = h.ws.a) {
  const answer = await h.call('POST', `/workspaces/${ws}/keys`, { as, body });
  expect(answer.status, answer.text).toBe(201);
  return answer.body as { key: string; record: { id: string } & Record<string, unknown> };
}

/** Imports a legacy key (as a migration would) and returns its plaintext and id. */
export function importLegacy(h: Harness, owner: string, workspaceId: string | null = null) {
  return importLegacyKey(h.keyward, { ownerId: owner, name: `legacy of ${owner}`, workspaceId });
}

export function keyTests(fresh: Fresh): void {
  it('creates a key shown once, and lists it with prefix…last4, environment, scopes, creator and dates', async () => {
    const h = await fresh();
    const expiresAt = new Date(h.clock + 90 * 86_400_000).toISOString();
    const created = await create(h, { name: '  prod-billing-worker ', environment: 'test', scopes: ['notes:read', 'admin'], expiresAt }, 'adam');
    expect(created.key).toMatch(/^acme_test_[0-9A-Za-z]{38}$/);
    const location = h.answers.at(-1)!.headers.get('location');
    expect(location).toBe(`/keyward/api/workspaces/${h.ws.a}/keys/${created.record.id}`);
    expect(created.record).toEqual({
      id: created.record.id,
      workspaceId: h.ws.a,
      name: 'prod-billing-worker',
      display: `acme_test_…${created.key.slice(-4)}`,
      prefix: 'acme_test_',
      hint: created.key.slice(-4),
      environment: 'test',
      scopes: ['notes:read', 'admin'],
      status: 'active',
      createdAt: new Date(h.clock).toISOString(),
      createdBy: { id: 'user_adam', name: 'Adam Admin' },
      lastUsedAt: null,
      expiresAt,
      revokedAt: null,
      rotatedToId: null,
      legacy: false,
      sunsetAt: null,
    });
    // The key works, in its workspace, with its scopes.
    expect((await h.keyward.verify(bearer(created.key), { workspaceId: h.ws.a, scopes: ['notes:read'] })).ok).toBe(true);
    h.clock += 1000;
    const defaults = await create(h, { name: 'defaults' });
    expect(defaults.record).toMatchObject({
      environment: 'live',
      scopes: [],
      expiresAt: null,
      createdBy: { id: 'user_olivia', name: 'Olivia Owner' },
    });
    // Olivia sees Adam's name through resolveNames, her own from her session.
    const list = await h.call('GET', `/workspaces/${h.ws.a}/keys`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((k: { name: string; createdBy: { name: string } }) => [k.name, k.createdBy.name])).toEqual([
      ['prod-billing-worker', 'Adam Admin'],
      ['defaults', 'Olivia Owner'],
    ]);
    expect(list.body.nextCursor).toBeNull();
    // The same record; its last use (the verify above) shows once written (changes flush it early).
    const read = (await h.call('GET', `/workspaces/${h.ws.a}/keys/${created.record.id}`)).body;
    expect(read).toEqual({ ...created.record, lastUsedAt: read.lastUsedAt });
    expect([null, new Date(h.clock - 1000).toISOString()]).toContain(read.lastUsedAt);
    // The plaintext is in the create response only.
    expect(h.answers.filter((a) => a.text.includes(created.key))).toHaveLength(1);
  });

  it('gives a new key the default scopes when its creator names none, and says which they are', async () => {
    const h = await fresh({ dashboard: { defaultScopes: ['notes:read'] } });
    expect((await h.call('GET', `/workspaces/${h.ws.a}`)).body.catalogue.defaultScopes).toEqual(['notes:read']);
    expect((await create(h, { name: 'defaulted' })).record.scopes).toEqual(['notes:read']);
    expect((await create(h, { name: 'none on purpose', scopes: [] })).record.scopes).toEqual([]);
    expect((await create(h, { name: 'chosen', scopes: ['admin'] })).record.scopes).toEqual(['admin']);
  });

  it('pages through a workspace, and leaves revoked keys out when asked', async () => {
    const h = await fresh();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      h.clock += 1000;
      ids.push((await create(h, { name: `k${i}` })).record.id);
    }
    await h.call('POST', `/workspaces/${h.ws.a}/keys/${ids[2]}/revoke`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await h.call('GET', `/workspaces/${h.ws.a}/keys?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((k: { id: string }) => k.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    const live = await h.call('GET', `/workspaces/${h.ws.a}/keys?includeRevoked=false`);
    expect(live.body.items.map((k: { id: string }) => k.id)).toEqual(ids.filter((_, i) => i !== 2));
  });

  it('renames and changes scopes in one write; a legacy key cannot be changed', async () => {
    const h = await fresh();
    const created = await create(h, { name: 'old name', scopes: ['notes:read'] });
    const path = `/workspaces/${h.ws.a}/keys/${created.record.id}`;
    const renamed = await h.call('PATCH', path, { body: { name: 'new name', scopes: ['notes:write', 'notes:read'] } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'new name', scopes: ['notes:write', 'notes:read'] });
    expect((await h.call('PATCH', path, { body: { name: 'only the name' } })).body).toMatchObject({
      name: 'only the name',
      scopes: ['notes:write', 'notes:read'],
    });
    const legacy = await importLegacy(h, 'user_olivia', h.ws.a);
    const before = await h.snapshot();
    const refused = await h.call('PATCH', `/workspaces/${h.ws.a}/keys/${legacy.id}`, { body: { name: 'renamed legacy' } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'conflict', detail: 'legacy keys can only be viewed and revoked' });
    expect(await h.snapshot()).toBe(before);
  });

  it('rotates with a grace period from the list: both keys work until it ends; "0s" stops the old key at once', async () => {
    const h = await fresh();
    const a = await create(h, { name: 'rotating', scopes: ['notes:read'] });
    const rotated = await h.call('POST', `/workspaces/${h.ws.a}/keys/${a.record.id}/rotate`, { as: 'adam', body: { gracePeriod: '24h' } });
    expect(rotated.status).toBe(201);
    expect(rotated.body.key).toMatch(/^acme_live_/);
    expect(rotated.body.record).toMatchObject({ name: 'rotating', scopes: ['notes:read'], createdBy: { id: 'user_adam' }, status: 'active' });
    expect(rotated.body.previous).toMatchObject({
      id: a.record.id,
      rotatedToId: rotated.body.record.id,
      expiresAt: new Date(h.clock + 86_400_000).toISOString(),
      status: 'active',
    });
    expect((await h.keyward.verify(bearer(a.key))).ok).toBe(true);
    expect((await h.keyward.verify(bearer(rotated.body.key))).ok).toBe(true);
    h.clock += 86_400_000;
    expect((await h.keyward.verify(bearer(a.key))).ok).toBe(false);
    expect((await h.call('GET', `/workspaces/${h.ws.a}/keys/${a.record.id}`)).body.status).toBe('expired');
    const again = await h.call('POST', `/workspaces/${h.ws.a}/keys/${a.record.id}/rotate`, { body: {} });
    expect(again.status).toBe(409);
    // The default period is the first of the list: now.
    const b = await create(h, { name: 'regenerate' });
    const now = await h.call('POST', `/workspaces/${h.ws.a}/keys/${b.record.id}/rotate`, { raw: '' });
    expect(now.status).toBe(201);
    expect(now.body.previous.status).toBe('revoked');
    expect((await h.keyward.verify(bearer(b.key))).ok).toBe(false);
    expect((await h.keyward.verify(bearer(now.body.key))).ok).toBe(true);
    expect(h.answers.filter((x) => x.text.includes(now.body.key))).toHaveLength(1);
    // An expired key is not rotated into another expired one.
    const short = await create(h, { name: 'short', expiresAt: new Date(h.clock + 60_000).toISOString() });
    h.clock += 120_000;
    const expired = await h.call('POST', `/workspaces/${h.ws.a}/keys/${short.record.id}/rotate`, { body: {} });
    expect([expired.status, expired.body.detail]).toEqual([409, 'this key has expired: create a new key instead of rotating it']);
  });

  it('revokes at once and deletes for good; a legacy key is revoked, never deleted', async () => {
    const h = await fresh();
    const a = await create(h, { name: 'to revoke' });
    const revoked = await h.call('POST', `/workspaces/${h.ws.a}/keys/${a.record.id}/revoke`);
    expect(revoked.body).toMatchObject({ status: 'revoked', revokedAt: new Date(h.clock).toISOString() });
    expect((await h.keyward.verify(bearer(a.key))).ok).toBe(false);
    expect((await h.call('POST', `/workspaces/${h.ws.a}/keys/${a.record.id}/revoke`, { body: {} })).status).toBe(200);
    const deleted = await h.call('DELETE', `/workspaces/${h.ws.a}/keys/${a.record.id}`);
    expect(deleted).toMatchObject({ status: 204, text: '' });
    expect((await h.call('GET', `/workspaces/${h.ws.a}/keys/${a.record.id}`)).status).toBe(404);
    expect((await h.call('DELETE', `/workspaces/${h.ws.a}/keys/${a.record.id}`)).status).toBe(404);
    const legacy = await importLegacy(h, 'user_olivia', h.ws.a);
    expect((await h.call('DELETE', `/workspaces/${h.ws.a}/keys/${legacy.id}`)).status).toBe(409);
    expect((await h.call('POST', `/workspaces/${h.ws.a}/keys/${legacy.id}/rotate`, { body: {} })).status).toBe(409);
    expect((await h.call('POST', `/workspaces/${h.ws.a}/keys/${legacy.id}/revoke`)).body).toMatchObject({ legacy: true, status: 'revoked' });
  });

  it('shows the owner their legacy personal keys with the sunset, lets them revoke them, and never creates one', async () => {
    const h = await fresh();
    const mine = await importLegacy(h, 'user_olivia');
    const bobs = await importLegacy(h, 'user_bob');
    const sunset = new Date(h.clock + 30 * 86_400_000);
    const list = await h.call('GET', '/legacy-keys');
    expect(list.body.items).toEqual([
      expect.objectContaining({ id: mine.id, legacy: true, workspaceId: null, status: 'active', sunsetAt: sunset.toISOString() }),
    ]);
    expect((await h.call('GET', '/legacy-keys', { as: 'bob' })).body.items.map((k: { id: string }) => k.id)).toEqual([bobs.id]);
    const refused = await h.call('POST', '/legacy-keys', { body: { name: 'one more' } });
    expect(refused.status).toBe(410);
    expect(refused.body).toMatchObject({ code: 'legacy_keys_closed' });
    expect(refused.body.detail).toContain(sunset.toISOString().slice(0, 10));
    // Someone else's legacy key is a key that does not exist.
    const other = await h.call('POST', `/legacy-keys/${bobs.id}/revoke`);
    const missing = await h.call('POST', '/legacy-keys/key_missing/revoke');
    expect([other.status, other.text]).toEqual([404, missing.text]);
    expect((await h.keyward.verify(bearer(bobs.key))).ok).toBe(true);
    const revoked = await h.call('POST', `/legacy-keys/${mine.id}/revoke`);
    expect(revoked.body).toMatchObject({ id: mine.id, status: 'revoked' });
    expect((await h.keyward.verify(bearer(mine.key))).ok).toBe(false);
    h.clock = sunset.getTime();
    expect((await h.call('GET', '/legacy-keys', { as: 'bob' })).body.items[0].status).toBe('sunset');
  });
}

// Tiro's API key page (seed 000), statement by statement, over real HTTP on loopback; the Platform
// dashboard is @keyward/dashboard, reached through the demo sign-in.
import type { Server } from 'node:http';
import type { Keyward } from '@keyward/core';
import { checkManagementFlow, type DashboardSession, signIn } from '@keyward/example-support/testing';
import { memoryStore } from '@keyward/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTiroApp, demoData, importLegacyKey, seedDemo, tiroKeyward } from '../src/app.js';

const INVALID = { error: { code: 'invalid_api_key', message: 'The API key provided is invalid', type: 'authentication_error' } };

async function startTiro(now: number, legacySunset?: string) {
  const data = demoData();
  const keyward = tiroKeyward({ store: memoryStore(), data, now: () => now, legacySunset });
  const demo = await seedDemo(keyward);
  const server: Server = createTiroApp(keyward, data).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const call = async (path: string, init: { key?: string; authorization?: string; method?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const authorization = init.authorization ?? (init.key === undefined ? undefined : `Bearer ${init.key}`);
    if (authorization !== undefined) headers.authorization = authorization;
    const res = await fetch(`${origin}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as Record<string, any>) : null };
  };
  const close = async () => {
    await new Promise((resolve) => server.close(resolve));
    await keyward.close();
  };
  return { keyward: keyward as Keyward, demo, origin, call, close };
}

let tiro: Awaited<ReturnType<typeof startTiro>>;
let ada: DashboardSession;
let mia: DashboardSession;
beforeAll(async () => {
  tiro = await startTiro(Date.now());
  [ada, mia] = await Promise.all([signIn(tiro.origin, 'admin'), signIn(tiro.origin, 'member')]);
});
afterAll(() => tiro.close());

const titles = (res: { body: Record<string, any> | null }) => (res.body!.data as { title: string }[]).map((n) => n.title);

describe('Tiro: "Every request carries a valid key in the Authorization header as a Bearer token"', () => {
  it('"Each key belongs to a workspace. The key reaches that workspace\'s resources — its notes, transcripts, summaries, and folders"', async () => {
    for (const resource of ['notes', 'transcripts', 'summaries', 'folders']) {
      const res = await tiro.call(`/v1/external/${resource}`, { key: tiro.demo.keys.workspace_a });
      expect(res.status).toBe(200);
      expect((res.body!.data as { workspace_id: string }[]).every((item) => item.workspace_id === 'ws_research')).toBe(true);
      expect(res.body!.data.length).toBeGreaterThan(0);
    }
    const created = await tiro.call('/v1/external/notes', { key: tiro.demo.keys.workspace_a, method: 'POST', body: { title: 'Standup' } });
    expect([created.status, created.body!.workspace_id]).toEqual([201, 'ws_research']);
  });

  it('"… and nothing outside it": another workspace is answered like an unknown key', async () => {
    const other = await tiro.call('/v1/external/notes?workspace_id=ws_sales', { key: tiro.demo.keys.workspace_a });
    const unknown = await tiro.call('/v1/external/notes', { key: `${tiro.demo.keys.workspace_a.split('.')[0]}.${'x'.repeat(32)}` });
    expect([other.status, other.text]).toEqual([401, JSON.stringify(INVALID)]);
    expect([unknown.status, unknown.text]).toEqual([other.status, other.text]);
  });
});

describe('Tiro: "API Key Format {id}.{secret}"', () => {
  it('"Key ID … Visible in Platform dashboard"; "Secret … Shown only once at creation"', async () => {
    const created = await ada.call('POST', '/workspaces/ws_sales/keys', { name: 'crm sync' });
    expect(created.status).toBe(201);
    const [id, secret] = (created.json.key as string).split('.');
    expect(id).toBe(created.json.record.id);
    const listed = await ada.call('GET', '/workspaces/ws_sales/keys');
    expect(listed.text).toContain(id);
    expect(listed.text).not.toContain(secret);
    expect(titles(await tiro.call('/v1/external/notes', { key: created.json.key }))).toEqual(['Pipeline review notes']);
  });

  it('"Common mistake: Do not use just the Key ID (abc123) as your Bearer token" — a 401 that says so', async () => {
    const res = await tiro.call('/v1/external/notes', { key: tiro.demo.keys.workspace_a.split('.')[0] });
    expect(res.status).toBe(401);
    expect(res.body!.error).toEqual({
      code: 'invalid_api_key',
      message: 'Only the key id was sent: use the full key {id}.{secret}, including the dot',
      type: 'authentication_error',
    });
  });
});

describe('Tiro: "If authentication fails, you\'ll receive a 401 Unauthorized response"', () => {
  it('"Missing Authorization header"', async () => {
    const res = await tiro.call('/v1/external/notes');
    expect(res.status).toBe(401);
    expect(res.body!.error.type).toBe('authentication_error');
  });

  it('"Malformed key (must be {id}.{secret})", "Unknown key id", "Inactive, expired, or deleted key" — the documented body', async () => {
    const { workspace_a, expired, revoked } = tiro.demo.keys;
    const [id] = workspace_a.split('.');
    // Without the dot, the token reads as a key id alone: same code and type, the hint as message.
    const noDot = await tiro.call('/v1/external/notes', { key: `${id}-${workspace_a.split('.')[1]}` });
    expect([noDot.status, noDot.body!.error.code, noDot.body!.error.type]).toEqual([401, 'invalid_api_key', 'authentication_error']);
    for (const key of [`${id}.short`, `${id}.${workspace_a.split('.')[1]}!`, `zzzzzz.${workspace_a.split('.')[1]}`, expired, revoked]) {
      const res = await tiro.call('/v1/external/notes', { key });
      expect({ key: key.length, status: res.status, body: res.body }).toEqual({ key: key.length, status: 401, body: INVALID });
    }
  });
});

describe('Tiro: "Legacy personal keys (deprecated)"', () => {
  it('"stop working on June 30, 2026. After that, requests made with one return 401 Unauthorized" (today, with the default sunset)', async () => {
    const res = await tiro.call('/v1/external/notes', { key: tiro.demo.keys.legacy });
    expect(res.status).toBe(401);
    expect(res.body!.error).toMatchObject({ code: 'invalid_api_key', type: 'authentication_error' });
  });

  it('before the sunset: "A legacy key reached every note on your account", with Deprecation and Sunset headers', async () => {
    const before = await startTiro(Date.UTC(2026, 4, 1));
    try {
      const res = await before.call('/v1/external/notes', { key: before.demo.keys.legacy });
      expect(res.status).toBe(200);
      expect(titles(res).sort()).toEqual(['Interview notes', 'Pipeline review notes']); // both of Ada's workspaces, not Bob's
      expect(res.headers.get('sunset')).toBe('Tue, 30 Jun 2026 00:00:00 GMT');
      expect(res.headers.get('deprecation')).toMatch(/^@\d+$/);
      expect(res.headers.get('link')).toContain('rel="deprecation"');
      expect((await before.call('/v1/external/notes?workspace_id=ws_ops', { key: before.demo.keys.legacy })).status).toBe(401);
      // Workspace keys carry no deprecation.
      expect((await before.call('/v1/external/notes', { key: before.demo.keys.workspace_a })).headers.get('deprecation')).toBeNull();
    } finally {
      await before.close();
    }
  });

  it('LEGACY_SUNSET moves the date (the engine option behind it)', async () => {
    const later = await startTiro(Date.now(), '2099-01-01T00:00:00Z');
    try {
      const res = await later.call('/v1/external/notes', { key: later.demo.keys.legacy });
      expect([res.status, res.headers.get('sunset')]).toEqual([200, 'Thu, 01 Jan 2099 00:00:00 GMT']);
    } finally {
      await later.close();
    }
  });

  it('"Create new: Disabled"; "Existing keys: View and revoke only"; "Migrate in three steps"', async () => {
    const refused = await ada.call('POST', '/legacy-keys', {});
    expect([refused.status, refused.json.code]).toEqual([410, 'legacy_keys_closed']);
    expect(refused.json.detail).toContain('2026-06-30');
    const legacy = await importLegacyKey(tiro.keyward, 'acct_ada', 'second personal key');
    const view = await ada.call('GET', '/legacy-keys');
    expect(view.json.items.map((k: { name: string }) => k.name).sort()).toEqual(['personal key', 'second personal key']);
    for (const key of view.json.items) expect(key).toMatchObject({ legacy: true, workspaceId: null, sunsetAt: '2026-06-30T00:00:00.000Z' });
    expect(view.text).not.toContain(legacy.split('.')[1]);
    expect((await mia.call('GET', '/legacy-keys')).json.items).toEqual([]);
    // 1. Create a workspace key. 2. Swap the secret. 3. Revoke the legacy key.
    const workspaceKey = await ada.call('POST', '/workspaces/ws_research/keys', { name: 'migrated' });
    expect((await tiro.call('/v1/external/notes', { key: workspaceKey.json.key })).status).toBe(200);
    const id = legacy.split('.')[0];
    expect((await mia.call('POST', `/legacy-keys/${id}/revoke`, {})).status).toBe(404);
    const revoked = await ada.call('POST', `/legacy-keys/${id}/revoke`, {});
    expect([revoked.status, revoked.json.status]).toEqual([200, 'revoked']);
    const active = (await ada.call('GET', '/legacy-keys')).json.items.filter((k: { status: string }) => k.status !== 'revoked');
    expect(active.map((k: { name: string }) => k.name)).toEqual(['personal key']);
  });
});

describe('Tiro: the Platform dashboard (@keyward/dashboard)', () => {
  it('"Pick a workspace … using the workspace switcher": the signed-in account\'s workspaces and roles', async () => {
    const me = await ada.call('GET', '/me');
    expect(me.json).toEqual({
      id: 'acct_ada',
      name: 'Ada Lovelace',
      workspaces: [
        { id: 'ws_research', name: 'Research', role: 'owner' },
        { id: 'ws_sales', name: 'Sales', role: 'owner' },
      ],
    });
    expect((await mia.call('GET', '/me')).json.workspaces).toEqual([{ id: 'ws_research', name: 'Research', role: 'member' }]);
    // A workspace of someone else's is not there at all.
    expect((await ada.call('GET', '/workspaces/ws_ops/keys')).status).toBe(404);
  });

  it('admin creates → the key works → rename → rotate → revoke → 401; a member is refused; another workspace is a 404', async () => {
    const product = async (key: string) => (await tiro.call('/v1/external/notes', { key })).status;
    await checkManagementFlow({ origin: tiro.origin, workspace: 'ws_research', otherWorkspace: 'ws_sales', product });
  });
});

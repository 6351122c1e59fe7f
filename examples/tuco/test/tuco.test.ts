// Tuco's API key page (seed 004), statement by statement, over real HTTP on loopback; the workspace
// settings are @keyward/dashboard, reached through the demo sign-in.
import type { Server } from 'node:http';
import { serveFetch } from '@keyward/example-support';
import { checkManagementFlow, type DashboardSession, signIn } from '@keyward/example-support/testing';
import { memoryStore } from '@keyward/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTucoApp, seedDemo, tucoKeyward } from '../src/app.js';

const keyward = tucoKeyward({ store: memoryStore() });
let demo: Awaited<ReturnType<typeof seedDemo>>;
let server: Server;
let origin: string;
let owner: DashboardSession;
let admin: DashboardSession;
let member: DashboardSession;

beforeAll(async () => {
  demo = await seedDemo(keyward);
  server = serveFetch(createTucoApp(keyward, demo.data)).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  [owner, admin, member] = await Promise.all([signIn(origin, 'owner'), signIn(origin, 'admin'), signIn(origin, 'member')]);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await keyward.close();
});

async function call(path: string, init: { key?: string; method?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (init.key !== undefined) headers.authorization = `Bearer ${init.key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${origin}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as Record<string, any>) : null };
}
const KEYS = '/workspaces/ws_acme/keys';
const projects = async (key: string) => (await call('/api/v1/projects', { key })).status;
const createKey = async (name: string, environment?: string) => {
  const res = await admin.call('POST', KEYS, { name, ...(environment ? { environment } : {}) });
  expect(res.status).toBe(201);
  return { id: res.json.record.id as string, key: res.json.key as string, record: res.json.record };
};

describe('Tuco: the workspace settings (@keyward/dashboard)', () => {
  it('admin creates → the key works → rename → rotate → revoke → 401; a member is refused; another workspace is a 404', async () => {
    await checkManagementFlow({ origin, workspace: 'ws_acme', otherWorkspace: 'ws_globex', product: projects, create: { environment: 'test' } });
  });
});

describe('Tuco: "Where the API Key Lives"', () => {
  it('"Every Tuco workspace can have one or more API keys managed from within the product"', async () => {
    const a = await createKey('zapier integration');
    const b = await createKey('reporting job');
    const list = await admin.call('GET', KEYS);
    expect(list.json.items.map((k: { id: string }) => k.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(list.json.items.find((k: { id: string }) => k.id === a.id).createdBy).toEqual({ id: 'user_adam', name: 'Adam Admin' });
  });

  it('"Workspace owners and admins control which keys exist" — members cannot', async () => {
    const key = await createKey('to manage');
    for (const who of [owner, admin]) expect((await who.call('PATCH', `${KEYS}/${key.id}`, { name: 'renamed' })).status).toBe(200);
    const attempts = [
      member.call('GET', KEYS),
      member.call('POST', KEYS, { name: 'x' }),
      member.call('PATCH', `${KEYS}/${key.id}`, { name: 'x' }),
      member.call('POST', `${KEYS}/${key.id}/rotate`, {}),
      member.call('POST', `${KEYS}/${key.id}/revoke`, {}),
      member.call('DELETE', `${KEYS}/${key.id}`),
    ];
    for (const res of await Promise.all(attempts)) {
      expect([res.status, res.json.code]).toEqual([403, 'forbidden']);
      expect(res.json.detail).toMatch(/^your role in this workspace \(member\) does not allow keys:\w+: ask a workspace owner or admin$/);
    }
    expect((await member.call('GET', '/workspaces/ws_acme')).json).toMatchObject({ role: 'member', permissions: [] });
    expect(await projects(key.key)).toBe(200);
    expect((await admin.call('GET', `${KEYS}/${key.id}`)).json.name).toBe('renamed');
    expect((await fetch(`${origin}/keyward/api${KEYS}`)).status).toBe(401);
  });

  it('"Keys can be created, renamed, or removed without affecting existing data"; "Each key is clearly labeled"', async () => {
    const before = (await call('/api/v1/projects', { key: demo.keys.workspace_a })).body!.data;
    const key = await createKey('n8n workflow', 'test');
    expect(key.key).toMatch(/^tuco_test_/);
    await admin.call('PATCH', `${KEYS}/${key.id}`, { name: 'n8n workflow (staging)' });
    const shown = (await admin.call('GET', KEYS)).json.items.find((k: { id: string }) => k.id === key.id);
    expect(shown).toMatchObject({ name: 'n8n workflow (staging)', environment: 'test', display: `tuco_test_…${key.key.slice(-4)}` });
    expect((await admin.call('DELETE', `${KEYS}/${key.id}`)).status).toBe(204);
    expect((await admin.call('GET', `${KEYS}/${key.id}`)).status).toBe(404);
    expect(await projects(key.key)).toBe(401);
    expect((await call('/api/v1/projects', { key: demo.keys.workspace_a })).body!.data).toEqual(before);
  });
});

describe('Tuco: "How the Key Is Used"', () => {
  it('"The same key works across all documented Tuco API endpoints"', async () => {
    for (const path of ['/api/v1/projects', '/api/v1/workspace']) expect((await call(path, { key: demo.keys.workspace_a })).status).toBe(200);
    const created = await call('/api/v1/projects', { key: demo.keys.workspace_a, method: 'POST', body: { name: 'Onboarding' } });
    expect([created.status, created.body!.ok]).toEqual([201, true]);
  });

  it('"Requests made with this key either succeed with clear confirmation or are rejected with an explicit error"', async () => {
    const ok = await call('/api/v1/workspace', { key: demo.keys.workspace_a });
    expect(ok.body).toMatchObject({ ok: true, data: { workspace_id: 'ws_acme', key: { label: 'production backend' } } });
    for (const key of [undefined, 'tuco_live_nope', demo.keys.revoked]) {
      const refused = await call('/api/v1/projects', { key });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(refused.body).toMatchObject({ status: 401, title: expect.any(String), detail: expect.any(String) });
    }
  });

  it('"Disabling or rotating a key immediately stops further access with the old value"', async () => {
    const key = await createKey('to rotate');
    // The only grace period offered is "now".
    expect((await admin.call('GET', '/workspaces/ws_acme')).json.catalogue.gracePeriods).toEqual([{ value: '0s', seconds: 0 }]);
    expect((await admin.call('POST', `${KEYS}/${key.id}/rotate`, { gracePeriod: '1h' })).status).toBe(400);
    const rotated = (await admin.call('POST', `${KEYS}/${key.id}/rotate`, {})).json as { key: string; record: { name: string } };
    expect(rotated.record.name).toBe('to rotate');
    expect(await projects(key.key)).toBe(401);
    expect(await projects(rotated.key)).toBe(200);
    const other = await createKey('to disable');
    expect((await admin.call('POST', `${KEYS}/${other.id}/revoke`, {})).status).toBe(200);
    expect(await projects(other.key)).toBe(401);
  });

  it('"The system automatically treats all valid keys for a workspace the same way from an access perspective"', async () => {
    const [production, staging] = await Promise.all(
      [demo.keys.workspace_a, demo.keys.workspace_a_staging].map((key) => call('/api/v1/projects', { key })),
    );
    expect(production!.text).toBe(staging!.text);
    // … and never reach another workspace.
    expect((await call('/api/v1/projects', { key: demo.keys.workspace_b })).body!.data).toEqual([{ id: 'prj_1', name: 'Factory audit' }]);
    const theirs = (await keyward.list({ workspaceId: 'ws_globex' })).items[0]!.id;
    expect((await owner.call('DELETE', `${KEYS}/${theirs}`)).status).toBe(404);
    expect((await owner.call('GET', `/workspaces/ws_globex/keys/${theirs}`)).status).toBe(404); // no role there
    expect(await projects(demo.keys.workspace_b)).toBe(200);
  });
});

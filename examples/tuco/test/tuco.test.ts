// Tuco's API key page (seed 004), statement by statement, over real HTTP on loopback.
import type { Server } from 'node:http';
import { serveFetch } from '@keyward/example-support';
import { memoryStore } from '@keyward/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTucoApp, seedDemo, tucoKeyward } from '../src/app.js';

const keyward = tucoKeyward({ store: memoryStore() });
let demo: Awaited<ReturnType<typeof seedDemo>>;
let server: Server;
let origin: string;

beforeAll(async () => {
  demo = await seedDemo(keyward);
  server = serveFetch(createTucoApp(keyward, demo.data)).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

async function call(path: string, init: { key?: string; session?: string; method?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (init.key !== undefined) headers.authorization = `Bearer ${init.key}`;
  if (init.session !== undefined) headers['x-tuco-session'] = init.session;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${origin}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as Record<string, any>) : null };
}
const admin = () => ({ session: demo.sessions.admin });
const createKey = async (label: string, environment?: string) =>
  (await call('/settings/api-keys', { ...admin(), method: 'POST', body: { label, environment } })).body!.data as {
    id: string;
    key: string;
    label: string;
  };

describe('Tuco: "Where the API Key Lives"', () => {
  it('"Every Tuco workspace can have one or more API keys managed from within the product"', async () => {
    const a = await createKey('zapier integration');
    const b = await createKey('reporting job');
    const list = await call('/settings/api-keys', admin());
    expect(list.body!.data.map((k: { id: string }) => k.id)).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('"Workspace owners and admins control which keys exist" — members cannot', async () => {
    const key = await createKey('to manage');
    for (const who of [demo.sessions.owner, demo.sessions.admin]) {
      expect((await call(`/settings/api-keys/${key.id}`, { session: who, method: 'PATCH', body: { label: 'renamed' } })).status).toBe(200);
    }
    const member = demo.sessions.member;
    const attempts = [
      call('/settings/api-keys', { session: member }),
      call('/settings/api-keys', { session: member, method: 'POST', body: { label: 'x' } }),
      call(`/settings/api-keys/${key.id}`, { session: member, method: 'PATCH', body: { label: 'x' } }),
      call(`/settings/api-keys/${key.id}/rotate`, { session: member, method: 'POST' }),
      call(`/settings/api-keys/${key.id}`, { session: member, method: 'DELETE' }),
    ];
    for (const res of await Promise.all(attempts))
      expect([res.status, res.body!.detail]).toEqual([403, 'Only workspace owners and admins manage API keys; ask your Tuco admin']);
    expect((await call('/api/v1/projects', { key: key.key })).status).toBe(200);
    expect((await call('/settings/api-keys')).status).toBe(401);
  });

  it('"Keys can be created, renamed, or removed without affecting existing data"; "Each key is clearly labeled"', async () => {
    const before = (await call('/api/v1/projects', { key: demo.keys.workspace_a })).body!.data;
    const key = await createKey('n8n workflow', 'test');
    expect(key.key).toMatch(/^tuco_test_/);
    await call(`/settings/api-keys/${key.id}`, { ...admin(), method: 'PATCH', body: { label: 'n8n workflow (staging)' } });
    const shown = (await call('/settings/api-keys', admin())).body!.data.find((k: { id: string }) => k.id === key.id);
    expect(shown).toMatchObject({ label: 'n8n workflow (staging)', environment: 'test', display: `tuco_test_…${key.key.slice(-4)}` });
    expect((await call(`/settings/api-keys/${key.id}`, { ...admin(), method: 'DELETE' })).status).toBe(204);
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
    const rotated = (await call(`/settings/api-keys/${key.id}/rotate`, { ...admin(), method: 'POST' })).body!.data as { key: string; label: string };
    expect(rotated.label).toBe('to rotate');
    expect((await call('/api/v1/projects', { key: key.key })).status).toBe(401);
    expect((await call('/api/v1/projects', { key: rotated.key })).status).toBe(200);
    const other = await createKey('to disable');
    await call(`/settings/api-keys/${other.id}`, { ...admin(), method: 'DELETE' });
    expect((await call('/api/v1/projects', { key: other.key })).status).toBe(401);
  });

  it('"The system automatically treats all valid keys for a workspace the same way from an access perspective"', async () => {
    const [production, staging] = await Promise.all(
      [demo.keys.workspace_a, demo.keys.workspace_a_staging].map((key) => call('/api/v1/projects', { key })),
    );
    expect(production!.text).toBe(staging!.text);
    // … and never reach another workspace.
    expect((await call('/api/v1/projects', { key: demo.keys.workspace_b })).body!.data).toEqual([{ id: 'prj_1', name: 'Factory audit' }]);
    const theirs = (await keyward.list({ workspaceId: 'ws_globex' })).items[0]!.id;
    expect((await call(`/settings/api-keys/${theirs}`, { ...admin(), method: 'DELETE' })).status).toBe(404);
  });
});

// Tixallo's authentication page (seed 002), statement by statement, over real HTTP on loopback; the
// app's key settings are @keyward/dashboard, reached through the demo sign-in.
import type { Server } from 'node:http';
import { checkManagementFlow, type DashboardSession, signIn } from '@keyward/example-support/testing';
import { memoryStore } from '@keyward/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTixalloApp, seedDemo, tixalloKeyward } from '../src/app.js';

const keyward = tixalloKeyward({ store: memoryStore() });
let demo: Awaited<ReturnType<typeof seedDemo>>;
let server: Server;
let origin: string;
let admin: DashboardSession;

beforeAll(async () => {
  demo = await seedDemo(keyward);
  server = createTixalloApp(keyward, demo.data).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  admin = await signIn(origin, 'admin');
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await keyward.close();
});

const tickets = async (authorization?: string) => {
  const res = await fetch(`${origin}/api/v1/tickets`, {
    headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const KEYS = '/workspaces/ws_acme/keys';
const create = async (name: string) => {
  const res = await admin.call('POST', KEYS, { name });
  expect(res.status).toBe(201);
  return { id: res.json.record.id as string, key: res.json.key as string };
};
const UNAUTHORIZED = { status: 401, body: { error: 'Unauthorized' } };

describe('Tixallo: "How keys work"', () => {
  it('"Requests carry the key in the Authorization header using the Bearer scheme"', async () => {
    const res = await tickets(`Bearer ${demo.keys.workspace_a}`);
    expect(res.status).toBe(200);
    // The documented client: `const { data } = await res.json()`.
    expect((res.body.data as { id: string }[]).map((t) => t.id)).toEqual(['TIX-1', 'TIX-2']);
  });

  it('"Every API key is bound to one Tixallo workspace … keys represent the workspace itself"', async () => {
    const b = await tickets(`Bearer ${demo.keys.workspace_b}`);
    expect((b.body.data as { id: string }[]).map((t) => t.id)).toEqual(['TIX-7']);
  });

  it('"Missing, malformed or revoked keys return HTTP 401 with a small JSON body": {"error":"Unauthorized"}', async () => {
    const k = demo.keys.workspace_a;
    for (const authorization of [
      undefined,
      '',
      'Bearer',
      `Basic ${k}`,
      `Bearer ${k.slice(0, -2)}`,
      `Bearer ${k}x`,
      'Bearer YOUR_API_KEY',
      `Bearer ${demo.keys.revoked}`,
    ]) {
      expect({ authorization: authorization?.length, ...(await tickets(authorization)) }).toEqual({
        authorization: authorization?.length,
        ...UNAUTHORIZED,
      });
    }
  });

  it('"Don\'t parse the message text for logic — rely on the status code": unknown and revoked keys get the same bytes', async () => {
    const unknown = await fetch(`${origin}/api/v1/tickets`, {
      headers: { authorization: `Bearer ${demo.keys.revoked.slice(0, 9)}${'A'.repeat(demo.keys.revoked.length - 9)}` },
    });
    const revoked = await fetch(`${origin}/api/v1/tickets`, { headers: { authorization: `Bearer ${demo.keys.revoked}` } });
    expect([unknown.status, await unknown.text()]).toEqual([revoked.status, await revoked.text()]);
  });
});

describe('Tixallo: keys in the app (@keyward/dashboard)', () => {
  it('admin creates → the key works → rename → rotate → revoke → 401; a member is refused; another workspace is a 404', async () => {
    const product = async (key: string) => (await tickets(`Bearer ${key}`)).status;
    await checkManagementFlow({ origin, workspace: 'ws_acme', otherWorkspace: 'ws_globex', product });
  });

  it('"The full key value is shown only at creation time. Tixallo stores a one-way hash"', async () => {
    const created = await create('ci');
    expect(created.key).toMatch(/^tix_live_/);
    const listed = await admin.call('GET', KEYS);
    expect(listed.text).not.toContain(created.key);
    expect(listed.json.items.find((k: { id: string }) => k.id === created.id).display).toBe(`tix_live_…${created.key.slice(-4)}`);
    expect((await admin.call('POST', `${KEYS}/${created.id}/revoke`, {})).status).toBe(200);
  });

  it('"Tixallo allows multiple active keys per workspace specifically so rotation can happen without downtime"', async () => {
    // "create a new key in the app first, deploy it to your workloads, then revoke the old one"
    const old = await create('old');
    const fresh = await create('new');
    expect((await tickets(`Bearer ${old.key}`)).status).toBe(200);
    expect((await tickets(`Bearer ${fresh.key}`)).status).toBe(200);
    expect((await tickets(`Bearer ${demo.keys.workspace_a_second}`)).status).toBe(200);
    const active = (await admin.call('GET', `${KEYS}?includeRevoked=false`)).json.items.map((k: { id: string }) => k.id);
    expect(active).toEqual(expect.arrayContaining([old.id, fresh.id]));
    expect((await admin.call('POST', `${KEYS}/${old.id}/revoke`, {})).status).toBe(200);
    expect(await tickets(`Bearer ${old.key}`)).toEqual(UNAUTHORIZED);
    expect((await tickets(`Bearer ${fresh.key}`)).status).toBe(200);
  });

  it('keys are managed inside a workspace only: another workspace cannot list or revoke them', async () => {
    const listedInB = (await admin.call('GET', '/workspaces/ws_globex/keys?includeRevoked=false')).json.items as { workspaceId: string }[];
    expect(listedInB.map((k) => k.workspaceId)).toEqual(['ws_globex']);
    const aKeys = (await admin.call('GET', KEYS)).json.items as { id: string }[];
    expect((await admin.call('POST', `/workspaces/ws_globex/keys/${aKeys[0]!.id}/revoke`, {})).status).toBe(404);
    expect((await tickets(`Bearer ${demo.keys.workspace_a}`)).status).toBe(200);
    expect((await fetch(`${origin}/keyward/api${KEYS}`)).status).toBe(401);
    expect((await fetch(`${origin}/keyward/api${KEYS}`, { headers: { cookie: 'tixallo_demo_session=nope' } })).status).toBe(401);
  });
});

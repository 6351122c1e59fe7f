// Tixallo's authentication page (seed 002), statement by statement, over real HTTP on loopback.
import type { Server } from 'node:http';
import { memoryStore } from '@keyward/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTixalloApp, seedDemo, tixalloKeyward } from '../src/app.js';

const keyward = tixalloKeyward({ store: memoryStore() });
let demo: Awaited<ReturnType<typeof seedDemo>>;
let server: Server;
let origin: string;

beforeAll(async () => {
  demo = await seedDemo(keyward);
  server = createTixalloApp(keyward, demo.data).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const tickets = async (authorization?: string) => {
  const res = await fetch(`${origin}/api/v1/tickets`, {
    headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const app = async (method: string, path: string, session: string) => {
  const res = await fetch(`${origin}/app${path}`, { method, headers: { 'x-tixallo-session': session } });
  const text = await res.text();
  return { status: res.status, text, body: text ? (JSON.parse(text) as Record<string, any>) : null };
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

describe('Tixallo: keys in the app', () => {
  it('"The full key value is shown only at creation time. Tixallo stores a one-way hash"', async () => {
    const created = await app('POST', '/keys?name=ci', demo.sessions.workspace_a);
    expect(created.status).toBe(201);
    expect(created.body!.key).toMatch(/^tix_live_/);
    const listed = await app('GET', '/keys', demo.sessions.workspace_a);
    expect(listed.text).not.toContain(created.body!.key);
    expect(listed.body!.data.find((k: { id: string }) => k.id === created.body!.id).key).toBe(`tix_live_…${created.body!.key.slice(-4)}`);
    await app('DELETE', `/keys/${created.body!.id}`, demo.sessions.workspace_a);
  });

  it('"Tixallo allows multiple active keys per workspace specifically so rotation can happen without downtime"', async () => {
    // "create a new key in the app first, deploy it to your workloads, then revoke the old one"
    const old = await app('POST', '/keys?name=old', demo.sessions.workspace_a);
    const fresh = await app('POST', '/keys?name=new', demo.sessions.workspace_a);
    expect((await tickets(`Bearer ${old.body!.key}`)).status).toBe(200);
    expect((await tickets(`Bearer ${fresh.body!.key}`)).status).toBe(200);
    expect((await tickets(`Bearer ${demo.keys.workspace_a_second}`)).status).toBe(200);
    expect((await app('DELETE', `/keys/${old.body!.id}`, demo.sessions.workspace_a)).status).toBe(204);
    expect(await tickets(`Bearer ${old.body!.key}`)).toEqual(UNAUTHORIZED);
    expect((await tickets(`Bearer ${fresh.body!.key}`)).status).toBe(200);
  });

  it('keys are managed inside a workspace only: another workspace cannot list or revoke them', async () => {
    const listedByB = await app('GET', '/keys', demo.sessions.workspace_b);
    expect(listedByB.body!.data).toHaveLength(1);
    const aKeys = (await app('GET', '/keys', demo.sessions.workspace_a)).body!.data as { id: string }[];
    expect((await app('DELETE', `/keys/${aKeys[0]!.id}`, demo.sessions.workspace_b)).status).toBe(404);
    expect((await tickets(`Bearer ${demo.keys.workspace_a}`)).status).toBe(200);
    expect((await app('GET', '/keys', 'sess_nope')).status).toBe(401);
  });
});

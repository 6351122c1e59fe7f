// The management API in a Next.js App Router catch-all route (app/keyward/[...path]/route.ts),
// on the Node runtime and on the Edge runtime (its twin under /edge/keyward), in `next start`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, startApp } from './next-app.js';

beforeAll(() => buildApp(), 240_000);

let server: Awaited<ReturnType<typeof startApp>>;
beforeAll(async () => {
  server = await startApp({ now: Date.now(), prefix: 'kw', downStoreTimeout: 100, keys: '[]', mode: 'node' });
});
afterAll(() => server?.close());

for (const base of ['/keyward', '/edge/keyward']) {
  describe(`dashboard in a catch-all route at ${base}`, () => {
    const send = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${server.port}${base}/api${path}`, {
        redirect: 'manual',
        ...init,
        headers: { 'x-demo-user': 'admin', ...init.headers },
      });
    const json = { 'content-type': 'application/json' };

    it('serves the API with its status, headers and body unchanged', async () => {
      const me = await send('/me');
      expect(me.status).toBe(200);
      expect(me.headers.get('cache-control')).toBe('no-store');
      expect(await me.json()).toEqual({ id: 'user_admin', name: 'Admin', workspaces: null });
      const anonymous = await fetch(`http://127.0.0.1:${server.port}${base}/api/me`);
      expect([anonymous.status, anonymous.headers.get('content-type')]).toEqual([401, 'application/problem+json']);
      const doc = (await (await send('/openapi.json')).json()) as { servers: { url: string }[] };
      expect(doc.servers).toEqual([{ url: `${base}/api` }]);
      expect((await send('/workspaces/ws_other/keys')).status).toBe(404);
    });

    it('creates, lists and deletes a key; refuses cross-site changes and oversize bodies', async () => {
      const created = await send('/workspaces/ws_1/keys', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ name: 'from next', scopes: ['notes:read'] }),
      });
      expect(created.status).toBe(201);
      const { key, record } = (await created.json()) as { key: string; record: { id: string; display: string } };
      expect(key).toMatch(/^kw_live_/);
      expect(record.display).toBe(`kw_live_…${key.slice(-4)}`);
      const listed = await send('/workspaces/ws_1/keys');
      const listText = await listed.text();
      expect(listed.status, listText).toBe(200);
      const list = JSON.parse(listText) as { items: { id: string }[] };
      expect(list.items.map((k) => k.id)).toContain(record.id);
      const crossSite = await send('/workspaces/ws_1/keys', {
        method: 'POST',
        headers: { ...json, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
        body: '{"name":"csrf"}',
      });
      expect(crossSite.status).toBe(403);
      const big = await send('/workspaces/ws_1/keys', { method: 'POST', headers: json, body: JSON.stringify({ name: 'x'.repeat(100_000) }) });
      expect(big.status).toBe(413);
      const patched = await send(`/workspaces/ws_1/keys/${record.id}`, { method: 'PATCH', headers: json, body: '{"name":"renamed"}' });
      expect(((await patched.json()) as { name: string }).name).toBe('renamed');
      const deleted = await send(`/workspaces/ws_1/keys/${record.id}`, { method: 'DELETE' });
      expect(deleted.status).toBe(204);
      expect((await send(`/workspaces/ws_1/keys/${record.id}`)).status).toBe(404);
    });
  });
}

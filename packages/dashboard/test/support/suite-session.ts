import { ROUTES } from '@keyward/dashboard';
import { expect, it } from 'vitest';
import type { Fresh } from './api-suite.js';

export function sessionTests(fresh: Fresh): void {
  it('says who is signed in, and what each role may do and choose in a workspace', async () => {
    const h = await fresh();
    const me = await h.call('GET', '/me', { as: 'adam' });
    expect(me.body).toEqual({ id: 'user_adam', name: 'Adam Admin', workspaces: [{ id: h.ws.a, name: null, role: 'admin' }] });
    const owner = await h.call('GET', `/workspaces/${h.ws.a}`);
    expect(owner.body).toMatchObject({
      id: h.ws.a,
      role: 'owner',
      permissions: ['keys:read', 'keys:create', 'keys:update', 'keys:rotate', 'keys:revoke', 'keys:delete', 'audit:read', 'usage:read'],
      catalogue: {
        scopes: [
          { name: 'notes:read', description: 'Read notes' },
          { name: 'notes:write', description: null },
          { name: 'admin', description: null },
        ],
        defaultScopes: [],
        environments: ['live', 'test'],
        gracePeriods: [
          { value: '0s', seconds: 0 },
          { value: '1h', seconds: 3600 },
          { value: '24h', seconds: 86_400 },
          { value: '7d', seconds: 604_800 },
        ],
      },
      legacySunset: new Date(h.clock + 30 * 86_400_000).toISOString(),
    });
    expect((await h.call('GET', `/workspaces/${h.ws.a}`, { as: 'mia' })).body).toMatchObject({
      role: 'member',
      permissions: ['keys:read', 'usage:read'],
    });
  });

  it('answers 401 on every route but the document when nobody is signed in, and changes nothing', async () => {
    const h = await fresh();
    const before = await h.snapshot();
    for (const route of ROUTES) {
      const path = route.path.replace('{workspaceId}', h.ws.a).replace('{keyId}', 'key_x');
      const answer = await h.call(route.method, path, {
        as: null,
        ...(route.method === 'POST' || route.method === 'PATCH' ? { body: { name: 'x' } } : {}),
      });
      expect(answer.status, `${route.method} ${route.path}`).toBe(route.access.kind === 'public' ? 200 : 401);
      if (answer.status === 401) expect(answer.body).toMatchObject({ code: 'unauthenticated', status: 401, title: 'Unauthorized' });
    }
    expect(await h.snapshot()).toBe(before);
  });

  it('answers only under its base path: the page at its root, unknown routes 404, wrong methods 405 with Allow', async () => {
    const h = await fresh();
    for (const url of ['http://dashboard.test/keyward/', 'http://dashboard.test/keyward']) {
      const page = await h.dashboard(new Request(url));
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('cache-control')).toBe('no-store');
    }
    expect((await h.dashboard(new Request('http://dashboard.test/keyward/assets/nope.js'))).status).toBe(404);
    expect((await h.dashboard(new Request('http://dashboard.test/keyward/other'))).status).toBe(404);
    expect((await h.dashboard(new Request('http://dashboard.test/elsewhere/api/me'))).status).toBe(404);
    expect((await h.dashboard(new Request('http://dashboard.test/keywardx/api/me'))).status).toBe(404);
    expect((await h.call('GET', '/nope')).status).toBe(404);
    const wrong = await h.call('PUT', `/workspaces/${h.ws.a}/keys`, { body: {} });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
    expect((await h.call('OPTIONS', '/me')).status).toBe(405);
    const doc = await h.call('GET', '/openapi.json', { as: null });
    expect(doc.body).toMatchObject({ openapi: '3.1.1', servers: [{ url: '/keyward/api' }] });
    expect(doc.body).toEqual(JSON.parse(JSON.stringify(h.dashboard.openapi)));
  });
}

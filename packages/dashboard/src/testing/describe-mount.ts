import { createKeyward, type KeyStore, type Keyward } from '@keyward/core';
import type { AuditStore } from '@keyward/core/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard, type Dashboard } from '../create-dashboard.js';

/** A server the suite talks to over loopback. */
export interface StartedServer {
  readonly port: number;
  close(): Promise<void>;
}

/** What {@link listenOnLoopback} needs of a Node `http.Server` (no Node import here). */
export interface ListeningServer {
  listen(port: number, host: string, listening: () => void): unknown;
  address(): unknown;
  close(closed: () => void): unknown;
  closeAllConnections?(): void;
}

/**
 * Starts a Node server on a random loopback port; `close()` also ends idle keep-alive connections,
 * so that a suite does not wait for them.
 */
export function listenOnLoopback(server: ListeningServer): Promise<StartedServer> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as { port: number }).port,
        close: () =>
          new Promise<void>((closed) => {
            server.close(() => closed());
            server.closeAllConnections?.();
          }),
      }),
    );
  });
}

/** How to run the mount contract against one framework. */
export interface MountSuiteOptions {
  /** Shown in the test names. */
  name: string;
  /**
   * Starts a real server on 127.0.0.1 that mounts `dashboard` the framework's way, next to an app
   * route `GET /outside` that answers the text `outside`.
   */
  start: (harness: { dashboard: Dashboard; keyward: Keyward }) => Promise<StartedServer>;
  /** A fresh key store that keeps the audit log (`memoryStore()` from `@keyward/store-memory`). */
  createStore: () => KeyStore & AuditStore;
}

/**
 * The contract of mounting `@keyward/dashboard` in a framework: the API answers under its base
 * path with its status, headers and body unchanged (no-store, Problem Details), JSON bodies arrive
 * (whatever body parser the app runs), cross-site changes are refused, an oversize body is a 413
 * on a connection that stays usable, and the app's own routes still answer.
 */
export function describeDashboardMount(options: MountSuiteOptions): void {
  describe(`dashboard mounted in ${options.name}`, () => {
    const keyward = createKeyward({ store: options.createStore(), audit: { flushInterval: '1h' } });
    const dashboard = createDashboard(keyward, {
      authorize: (request, { workspaceId }) =>
        request.headers.get('x-demo-user') === 'admin' ? { id: 'user_admin', name: 'Admin', role: workspaceId === 'ws_1' ? 'admin' : null } : null,
      scopes: ['notes:read'],
    });
    let server: StartedServer;
    let base = '';
    beforeAll(async () => {
      server = await options.start({ dashboard, keyward });
      base = `http://127.0.0.1:${server.port}`;
    });
    afterAll(async () => {
      await server?.close();
      await keyward.close();
    });
    const admin = { 'x-demo-user': 'admin' };
    const send = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: { ...admin, ...init.headers } });

    it('serves the API under its base path, with its status and headers unchanged', async () => {
      const me = await send('/keyward/api/me');
      expect(me.status).toBe(200);
      expect(me.headers.get('cache-control')).toBe('no-store');
      expect(me.headers.get('content-type')).toBe('application/json');
      expect(await me.json()).toEqual({ id: 'user_admin', name: 'Admin', workspaces: null });
      const anonymous = await fetch(`${base}/keyward/api/me`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toBe('application/problem+json');
      expect((await send('/keyward/api/openapi.json')).status).toBe(200);
      const unknown = await send('/keyward/api/nothing-here');
      expect([unknown.status, ((await unknown.json()) as { code: string }).code]).toEqual([404, 'not_found']);
      const outside = await fetch(`${base}/outside`);
      expect([outside.status, await outside.text()]).toEqual([200, 'outside']);
    });

    it('creates, lists, rotates and deletes a key with JSON bodies over real HTTP', async () => {
      const json = { 'content-type': 'application/json' };
      const created = await send('/keyward/api/workspaces/ws_1/keys', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ name: 'mounted', scopes: ['notes:read'] }),
      });
      expect(created.status).toBe(201);
      const { key, record } = (await created.json()) as { key: string; record: { id: string } };
      expect(created.headers.get('location')).toBe(`/keyward/api/workspaces/ws_1/keys/${record.id}`);
      expect((await keyward.verify({ authorization: `Bearer ${key}` }, { scopes: ['notes:read'] })).ok).toBe(true);
      const list = (await (await send('/keyward/api/workspaces/ws_1/keys')).json()) as { items: { id: string }[] };
      expect(list.items.map((k) => k.id)).toContain(record.id);
      const rotated = await send(`/keyward/api/workspaces/ws_1/keys/${record.id}/rotate`, {
        method: 'POST',
        headers: json,
        body: '{"gracePeriod":"1h"}',
      });
      expect(rotated.status).toBe(201);
      const empty = await send(`/keyward/api/workspaces/ws_1/keys/${record.id}/revoke`, { method: 'POST', headers: json });
      expect(empty.status).toBe(200);
      const deleted = await send(`/keyward/api/workspaces/ws_1/keys/${record.id}`, { method: 'DELETE' });
      expect([deleted.status, await deleted.text()]).toEqual([204, '']);
      expect(await keyward.get(record.id)).toBeNull();
    });

    it('refuses cross-site changes and non-JSON bodies, and a body past the limit with a 413 on a usable connection', async () => {
      const crossSite = await send('/keyward/api/workspaces/ws_1/keys', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
        body: '{"name":"csrf"}',
      });
      expect([crossSite.status, ((await crossSite.json()) as { code: string }).code]).toEqual([403, 'csrf_rejected']);
      const form = await send('/keyward/api/workspaces/ws_1/keys', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '{"name":"form"}',
      });
      expect(form.status).toBe(415);
      const big = await send('/keyward/api/workspaces/ws_1/keys', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x'.repeat(200_000) }),
      });
      expect([big.status, ((await big.json()) as { code: string }).code]).toEqual([413, 'payload_too_large']);
      expect((await send('/keyward/api/me')).status).toBe(200);
      expect((await keyward.list({ workspaceId: 'ws_1' })).items.map((k) => k.name)).not.toContain('csrf');
    });
  });
}

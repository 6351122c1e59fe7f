// What a hostile client or a failing store gets from Tixallo, over real HTTP on loopback: case
// variants of the guarded paths (a prefixed @koa/router skips router.use() on them, see
// packages/koa/README.md), and a 503 with Retry-After when the store fails under the key settings.
import type { Server } from 'node:http';
import type { KeyStore } from '@keyward/core';
import { expectUnavailable, signIn } from '@keyward/example-support/testing';
import { memoryStore } from '@keyward/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTixalloApp, seedDemo, tixalloKeyward } from '../src/app.js';

async function serve(store: KeyStore) {
  const keyward = tixalloKeyward({ store });
  const demo = await seedDemo(keyward);
  const app = createTixalloApp(keyward, demo.data);
  app.silent = true;
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { demo, origin, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('Tixallo: case variants of guarded paths', () => {
  let app: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    app = await serve(memoryStore());
  });
  afterAll(() => app.close());

  it('no letter case of /api/v1/tickets reaches the tickets without a key', async () => {
    for (const path of ['/api/v1/tickets', '/API/V1/TICKETS', '/Api/v1/tickets', '/api/V1/tickets', '/api/v1/Tickets/']) {
      const res = await fetch(`${app.origin}${path}`);
      const text = await res.text();
      // The key check's 401, or no such route: never the handler.
      expect({ path, status: [401, 404].includes(res.status) }).toEqual({ path, status: true });
      expect(text).not.toContain('TIX-');
    }
  });

  it('no letter case of the key settings reaches the key list without a session', async () => {
    const keys = '/keyward/api/workspaces/ws_acme/keys';
    for (const path of [keys, keys.toUpperCase(), '/Keyward/api/workspaces/ws_acme/keys', '/keyward/API/workspaces/ws_acme/KEYS']) {
      for (const method of ['GET', 'POST']) {
        const body = method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' } : {};
        const res = await fetch(`${app.origin}${path}`, { method, ...body });
        const text = await res.text();
        // The session check's 401, or no such route — not a handler that ran without a session.
        expect({ method, path, status: [401, 404].includes(res.status) }).toEqual({ method, path, status: true });
        expect(text).not.toContain('tix_');
      }
    }
  });
});

describe('Tixallo: a failing store under the app', () => {
  const down = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
  let app: Awaited<ReturnType<typeof serve>>;
  let store: KeyStore;
  beforeAll(async () => {
    // Seeded first, then the store fails: every lifecycle call of the app gets a store error.
    store = memoryStore();
    app = await serve(store);
    Object.assign(store, { list: down, insert: down, findById: down, update: down });
  });
  afterAll(() => app.close());

  it('the app’s key settings answer 503 with Retry-After and a Problem, never a 500 or internals', async () => {
    const admin = await signIn(app.origin, 'admin');
    await expectUnavailable(
      admin,
      [
        ['GET', '/workspaces/ws_acme/keys'],
        ['POST', '/workspaces/ws_acme/keys', { name: 'ci' }],
        ['POST', '/workspaces/ws_acme/keys/key_x/revoke', {}],
      ],
      'ECONNREFUSED',
    );
  });
});

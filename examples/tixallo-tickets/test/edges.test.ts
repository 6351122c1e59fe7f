// What a hostile client or a failing store gets from Tixallo, over real HTTP on loopback: case
// variants of the guarded paths (a prefixed @koa/router skips router.use() on them, see
// packages/koa/README.md), and a 503 with Retry-After when the store fails under the app.
import type { Server } from 'node:http';
import type { KeyStore } from '@keyward/core';
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

  it('no letter case of /app/keys reaches the key list without a session', async () => {
    for (const path of ['/app/keys', '/APP/KEYS', '/App/keys', '/app/KEYS']) {
      for (const method of ['GET', 'POST']) {
        const res = await fetch(`${app.origin}${path}`, { method });
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

  it('the app’s key pages answer 503 with Retry-After and Tixallo’s body, never a 500 or internals', async () => {
    const session = { 'x-tixallo-session': app.demo.sessions.workspace_a };
    for (const [method, path] of [
      ['GET', '/app/keys'],
      ['POST', '/app/keys?name=ci'],
      ['DELETE', '/app/keys/key_x'],
    ] as const) {
      const res = await fetch(`${app.origin}${path}`, { method, headers: session });
      const text = await res.text();
      expect({ method, status: res.status, retryAfter: res.headers.get('retry-after'), body: text }).toEqual({
        method,
        status: 503,
        retryAfter: '1',
        body: JSON.stringify({ error: 'Service Unavailable' }),
      });
    }
  });
});

// What Tooken answers to bad input and to a failing store, over real HTTP on loopback: Fastify's
// own client errors keep their 4xx status in Tooken's error shape, and a lifecycle call that the
// store cannot answer is the engine's 503 with Retry-After — never a 500, never internals.
import type { KeyStore } from '@keyward/core';
import { memoryStore } from '@keyward/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUnavailable, signIn } from '@keyward/example-support/testing';
import { createTookenApp, tookenKeyward } from '../src/app.js';
import { type DemoKeys, demoPeople, seedDemo } from '../src/demo.js';

async function start(store: KeyStore) {
  const keyward = tookenKeyward({ store });
  const keys = await seedDemo(keyward);
  const app = await createTookenApp(keyward, demoPeople());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { app, keys, origin, base: `${origin}/v1` };
}

async function send(base: string, method: string, path: string, key: string, init: { type?: string; body?: string } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (init.type !== undefined) headers['content-type'] = init.type;
  const res = await fetch(`${base}${path}`, { method, headers, body: init.body });
  const text = await res.text();
  expect(res.headers.get('content-type'), text).toMatch(/^application\/json/);
  // Tooken's shape, and nothing of Fastify's own (`statusCode`, `code: FST_…`) nor a stack.
  expect(text).not.toMatch(/FST_|statusCode|\bat [\w.<>]+ \(|node_modules/);
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: JSON.parse(text) as { error: string; message: string } };
}

describe('Tooken: Fastify’s own client errors', () => {
  let server: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    server = await start(memoryStore());
  });
  afterAll(() => server.app.close());
  const post = (init: { type?: string; body?: string }) => send(server.base, 'POST', '/tokens', server.keys.workspace_a, init);

  it('keep their status in Tooken’s shape: bad JSON 400, empty JSON 400, unknown type 415, too large 413', async () => {
    const cases: [{ type?: string; body?: string }, number][] = [
      [{ type: 'application/json', body: '{"name": "x",' }, 400],
      [{ type: 'application/json', body: '' }, 400],
      [{ type: 'application/xml', body: '<name>x</name>' }, 415],
      [{ type: 'application/json', body: JSON.stringify({ name: 'x'.repeat(1_100_000) }) }, 413],
    ];
    for (const [init, status] of cases) {
      const answer = await post(init);
      expect({ type: init.type, status: answer.status, error: answer.body.error }).toEqual({ type: init.type, status, error: 'invalid_request' });
    }
  });
});

describe('Tooken: a store that fails under the management API', () => {
  const down = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
  let server: Awaited<ReturnType<typeof start>>;
  let keys: DemoKeys;
  beforeAll(async () => {
    const store = memoryStore();
    server = await start(store);
    keys = server.keys;
    // Keys are still found (the request is authenticated), every lifecycle call fails.
    Object.assign(store, { list: down, findById: down, update: down, rotate: down, delete: down });
  });
  afterAll(() => server.app.close());

  it('answers 503 with Retry-After and Tooken’s body for list, get, rotate and revoke', async () => {
    for (const [method, path] of [
      ['GET', '/tokens'],
      ['GET', '/tokens/key_x'],
      ['POST', '/tokens/key_x/rotate'],
      ['DELETE', '/tokens/key_x'],
    ] as const) {
      const answer = await send(server.base, method, path, keys.workspace_a);
      expect({ method, path, ...answer }).toEqual({
        method,
        path,
        status: 503,
        retryAfter: '1',
        body: { error: 'unavailable', message: 'Authentication is temporarily unavailable, retry shortly' },
      });
    }
  });

  it('answers 503 with Retry-After in Settings → API Keys (the dashboard: a Problem), never internals', async () => {
    const admin = await signIn(server.origin, 'admin');
    await expectUnavailable(
      admin,
      [
        ['GET', '/workspaces/ws_acme/keys'],
        ['POST', '/workspaces/ws_acme/keys/key_x/rotate', {}],
        ['DELETE', '/workspaces/ws_acme/keys/key_x'],
      ],
      'ECONNREFUSED',
    );
  });
});

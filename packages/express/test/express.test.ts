import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createKeyward, idSecretFormat, prefixedFormat, type ApiKey } from '@keyward/core';
import { describeAdapter, strictLogger, type AdapterHarness } from '@keyward/core/testing';
import { memoryStore } from '@keyward/store-memory';
import express, { type Request } from 'express';
import express4 from 'express4';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { apiKey, apiKeyErrorHandler, getApiKey } from '../src/index.js';

async function listen(app: express.Express) {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function mount(createApp: typeof express, { keyward, downKeyward, routes, body }: AdapterHarness) {
  const app = createApp();
  const reply = (req: { apiKey?: ApiKey }, res: express.Response) => {
    res.json(body(req.apiKey));
  };
  app.get(routes.protected.path, apiKey(keyward), reply);
  app.get(routes.scoped.path, apiKey(keyward, { scopes: routes.scoped.scopes }), reply);
  app.get('/workspaces/:ws/protected', apiKey(keyward, { workspaceId: (req) => req.params.ws }), reply);
  app.get(routes.down.path, apiKey(downKeyward), reply);
  app.get(routes.unprotected.path, reply);
  // A group: one apiKey() for every route of a router mounted on the prefix.
  const group = createApp.Router();
  group.use(apiKey(keyward));
  group.get(routes.group.path.slice(routes.group.prefix.length), reply);
  app.use(routes.group.prefix, group);
  app.use(apiKeyErrorHandler(keyward));
  return listen(app);
}

describeAdapter({ name: 'express 5', start: (harness) => mount(express, harness) });
describeAdapter({ name: 'express 4', start: (harness) => mount(express4, harness) });
describeAdapter({ name: 'express 5 on @keyward/store-memory', start: (harness) => mount(express, harness), createStore: () => memoryStore() });

async function get(port: number, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('@keyward/express', () => {
  it('types req.apiKey through express-serve-static-core', () => {
    expectTypeOf<Request['apiKey']>().toEqualTypeOf<ApiKey | undefined>();
    expectTypeOf(getApiKey).returns.toEqualTypeOf<ApiKey>();
  });

  it('passes a failing store to next(err) as a 503 KeywardError, seen by earlier error middleware', async () => {
    for (const createApp of [express, express4]) {
      const keyward = createKeyward({ store: memoryStore() });
      const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'k' });
      const down = createKeyward({ store: { ...memoryStore(), findByHash: () => Promise.reject(new Error('connection refused')) }, cache: false });
      const seen: unknown[] = [];
      const app = createApp();
      app.get('/x', apiKey(down), (_req, res) => {
        res.send('must not run');
      });
      app.use((error: unknown, _req: Request, _res: express.Response, next: express.NextFunction) => {
        seen.push(error);
        next(error);
      });
      app.use(apiKeyErrorHandler(keyward));
      const server = await listen(app);
      const answer = await get(server.port, '/x', { authorization: `Bearer ${key}` });
      await server.close();
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.parse(answer.text)).toMatchObject({ code: 'store_unavailable', status: 503 });
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ name: 'KeywardError', code: 'store_unavailable', status: 503 });
      expect(answer.text).not.toContain(key);
    }
  });

  it('still answers 503 (never a pass) without apiKeyErrorHandler', async () => {
    const keyward = createKeyward({ store: memoryStore() });
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'k' });
    const down = createKeyward({ store: { ...memoryStore(), findByHash: () => Promise.reject(new Error('down')) }, cache: false });
    const app = express();
    app.get('/x', apiKey(down), (_req, res) => {
      res.send('must not run');
    });
    const server = await listen(app);
    const answer = await get(server.port, '/x', { authorization: `Bearer ${key}` });
    await server.close();
    expect(answer.status).toBe(503);
    expect(answer.text).not.toContain('must not run');
  });

  it('applies per-route scopes with the same engine, and resolves the workspace from the path', async () => {
    const keyward = createKeyward({ store: memoryStore() });
    const reader = await keyward.create({ workspaceId: 'ws_1', name: 'reader', scopes: ['notes:read'] });
    const app = express();
    const router = express.Router();
    router.get('/notes', apiKey(keyward, { scopes: ['notes:read'] }), (req, res) => {
      res.json({ id: getApiKey(req).id });
    });
    router.post('/notes', apiKey(keyward, { scopes: ['notes:write'] }), (_req, res) => {
      res.status(201).end();
    });
    app.use(router);
    const server = await listen(app);
    const auth = { authorization: `Bearer ${reader.key}` };
    expect((await get(server.port, '/notes', auth)).status).toBe(200);
    const post = await fetch(`http://127.0.0.1:${server.port}/notes`, { method: 'POST', headers: auth });
    expect(post.status).toBe(403);
    expect(post.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="notes:write"');
    await server.close();
  });

  it('turns a workspace function that returns nothing into a 500, not a pass', async () => {
    const keyward = createKeyward({ store: memoryStore() });
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'k' });
    const app = express();
    app.get('/x', apiKey(keyward, { workspaceId: (req) => req.params.missing! }), (_req, res) => {
      res.send('must not run');
    });
    app.use((_error: unknown, _req: Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).send('route bug');
    });
    const server = await listen(app);
    const answer = await get(server.port, '/x', { authorization: `Bearer ${key}` });
    await server.close();
    expect(answer).toMatchObject({ status: 500, text: 'route bug' });
  });

  it('getApiKey throws on a route without the middleware', async () => {
    const app = express();
    app.get('/x', (req, res) => {
      res.json(getApiKey(req));
    });
    app.use((error: Error, _req: Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).send(error.message);
    });
    const server = await listen(app);
    const answer = await get(server.port, '/x');
    await server.close();
    expect(answer.status).toBe(500);
    expect(answer.text).toMatch(/mount apiKey\(keyward\)/);
  });

  it('refuses bad arguments when the route is declared', () => {
    expect(() => apiKey(undefined as never)).toThrow(TypeError);
    expect(() => apiKey(createKeyward({ store: memoryStore() }), { scopes: ['bad scope'] })).toThrow(RangeError);
  });
});

// The redaction guarantee of `logger`, over HTTP: the whole adapter suite (its store that never
// answers included) with a logger that records any key, digest or header a line holds.
const strict = strictLogger({ formats: [prefixedFormat({ prefix: 'kw' }), idSecretFormat()] });
describeAdapter({ name: 'express 5, strict logger', start: (harness) => mount(express, harness), keyward: { logger: strict } });
describe('express 5, strict logger', () => {
  it('logged the outage of the down route, and nothing secret', () => {
    expect(strict.lines.map((l) => l.fields.event)).toContain('keyward.store.unavailable');
    expect(strict.lines.find((l) => l.fields.event === 'keyward.store.unavailable')?.fields.errorType).toBe('timeout');
    expect(strict.violations).toEqual([]);
  });
});

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createKeyward, type ApiKey, type KeywardError } from '@keyward/core';
import { describeAdapter } from '@keyward/core/testing';
import { memoryStore } from '@keyward/store-memory';
import Router from '@koa/router';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { apiKey, getApiKey } from '../src/index.js';

async function listen(app: Koa) {
  app.silent = true;
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describeAdapter({
  name: 'koa 3',
  start({ keyward, downKeyward, routes, body }) {
    const app = new Koa();
    const router = new Router();
    const reply = (ctx: Koa.Context) => {
      ctx.body = body(ctx.state.apiKey);
    };
    router.get(routes.protected.path, apiKey(keyward), reply);
    router.get(routes.scoped.path, apiKey(keyward, { scopes: routes.scoped.scopes }), reply);
    router.get('/workspaces/:ws/protected', apiKey(keyward, { workspaceId: (ctx) => ctx.params.ws }), reply);
    router.get(routes.down.path, apiKey(downKeyward), reply);
    router.get(routes.unprotected.path, reply);
    // A group: one apiKey() for every route of a router with the prefix — `sensitive: true`, so
    // that the router matches its routes exactly as it matches the prefix of its middleware (see
    // the README: without it, `/GROUP/PROTECTED` reaches the route and skips the middleware).
    const group = new Router({ prefix: routes.group.prefix, sensitive: true });
    group.use(apiKey(keyward));
    group.get(routes.group.path.slice(routes.group.prefix.length), reply);
    app.use(router.routes()).use(group.routes());
    return listen(app);
  },
});

async function get(port: number, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('@keyward/koa', () => {
  it('reports a failing store on app.on("error") as a 503 KeywardError, and answers the rendered 503', async () => {
    const keyward = createKeyward({ store: memoryStore() });
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'k' });
    const down = createKeyward({ store: { ...memoryStore(), findByHash: () => Promise.reject(new Error('connection refused')) }, cache: false });
    const app = new Koa();
    const reported: KeywardError[] = [];
    app.on('error', (error: KeywardError) => reported.push(error));
    app.use(apiKey(down));
    app.use((ctx) => {
      ctx.body = 'must not run';
    });
    const server = await listen(app);
    const answer = await get(server.port, '/', { authorization: `Bearer ${key}` });
    await server.close();
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(JSON.parse(answer.text)).toMatchObject({ code: 'store_unavailable' });
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ name: 'KeywardError', code: 'store_unavailable', status: 503 });
    expect(String(reported[0]!.message)).not.toContain(key);
  });

  it('mounted app-wide, protects every route after it; per-route scopes use the same engine', async () => {
    const keyward = createKeyward({ store: memoryStore() });
    const reader = await keyward.create({ workspaceId: 'ws_1', name: 'reader', scopes: ['notes:read'] });
    const app = new Koa();
    const router = new Router();
    router.get('/notes', (ctx) => {
      ctx.body = { id: getApiKey(ctx).id };
    });
    router.post('/notes', apiKey(keyward, { scopes: ['notes:write'] }), (ctx) => {
      ctx.status = 201;
    });
    app.use(apiKey(keyward));
    app.use(router.routes());
    const server = await listen(app);
    const auth = { authorization: `Bearer ${reader.key}` };
    expect(await get(server.port, '/notes', auth)).toMatchObject({ status: 200, text: JSON.stringify({ id: reader.record.id }) });
    expect((await get(server.port, '/notes')).status).toBe(401);
    const post = await fetch(`http://127.0.0.1:${server.port}/notes`, { method: 'POST', headers: auth });
    expect(post.status).toBe(403);
    expect(post.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="notes:write"');
    await server.close();
  });

  it('with @koa/router, mounted per route, on a sensitive router or app-wide, no letter case skips it; router.use() on a prefix can be skipped (the README’s caveat)', async () => {
    const keyward = createKeyward({ store: memoryStore() });
    const reply = (ctx: Koa.Context) => {
      ctx.body = { key: ctx.state.apiKey?.id ?? null };
    };
    const mountings: Record<string, (app: Koa) => void> = {
      'per route': (app) => {
        const router = new Router({ prefix: '/api/v1' });
        router.get('/tickets', apiKey(keyward), reply);
        app.use(router.routes());
      },
      'router.use() on a router with sensitive: true': (app) => {
        const router = new Router({ prefix: '/api/v1', sensitive: true });
        router.use(apiKey(keyward));
        router.get('/tickets', reply);
        app.use(router.routes());
      },
      'app.use() before the routers': (app) => {
        const router = new Router({ prefix: '/api/v1' });
        router.get('/tickets', reply);
        app.use(apiKey(keyward)).use(router.routes());
      },
      'router.use() on a prefixed router (unsafe)': (app) => {
        const router = new Router({ prefix: '/api/v1' });
        router.use(apiKey(keyward));
        router.get('/tickets', reply);
        app.use(router.routes());
      },
      'router.use() on a router mounted under a prefix (unsafe)': (app) => {
        const inner = new Router();
        inner.use(apiKey(keyward));
        inner.get('/tickets', reply);
        app.use(new Router().use('/api/v1', inner.routes()).routes());
      },
    };
    const seen: Record<string, number[]> = {};
    for (const [name, mount] of Object.entries(mountings)) {
      const app = new Koa();
      mount(app);
      const server = await listen(app);
      seen[name] = [];
      for (const path of ['/api/v1/tickets', '/API/V1/TICKETS', '/Api/v1/tickets']) seen[name]!.push((await get(server.port, path)).status);
      await server.close();
    }
    expect(seen).toEqual({
      'per route': [401, 401, 401],
      'router.use() on a router with sensitive: true': [401, 404, 404],
      'app.use() before the routers': [401, 401, 401],
      // @koa/router 15.7 matches the prefix of a use() middleware case-sensitively, and its routes
      // case-insensitively: the handler runs without the middleware. If this changes, update the README.
      'router.use() on a prefixed router (unsafe)': [401, 200, 200],
      'router.use() on a router mounted under a prefix (unsafe)': [401, 200, 200],
    });
  });

  it('getApiKey throws on a route without the middleware, and ctx.state never carries a key over', async () => {
    const keyward = createKeyward({ store: memoryStore() });
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'k' });
    const app = new Koa();
    const router = new Router();
    const seen: Array<ApiKey | undefined> = [];
    router.get('/open', (ctx) => {
      seen.push(ctx.state.apiKey);
      ctx.body = { id: getApiKey(ctx).id };
    });
    router.get('/closed', apiKey(keyward), (ctx) => {
      ctx.body = { id: getApiKey(ctx).id };
    });
    app.use(router.routes());
    const server = await listen(app);
    expect((await get(server.port, '/closed', { authorization: `Bearer ${key}` })).status).toBe(200);
    const open = await get(server.port, '/open', { authorization: `Bearer ${key}` });
    await server.close();
    expect(open.status).toBe(500);
    expect(seen).toEqual([undefined]);
  });

  it('turns a workspace function that returns nothing into a 500, not a pass', async () => {
    const keyward = createKeyward({ store: memoryStore() });
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'k' });
    const app = new Koa();
    app.use(apiKey(keyward, { workspaceId: () => undefined as unknown as string }));
    app.use((ctx) => {
      ctx.body = 'must not run';
    });
    const server = await listen(app);
    const answer = await get(server.port, '/', { authorization: `Bearer ${key}` });
    await server.close();
    expect(answer.status).toBe(500);
    expect(answer.text).not.toContain('must not run');
  });

  it('refuses bad arguments when the route is declared', () => {
    expect(() => apiKey(undefined as never)).toThrow(TypeError);
    expect(() => apiKey(createKeyward({ store: memoryStore() }), { scopes: ['bad scope'] })).toThrow(RangeError);
  });
});

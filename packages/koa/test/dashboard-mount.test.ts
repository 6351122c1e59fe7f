import { createServer } from 'node:http';
import { describeDashboardMount, listenOnLoopback } from '@keyward/dashboard/testing';
import { describe, expect, it } from 'vitest';
import { memoryStore } from '@keyward/store-memory';
import Router from '@koa/router';
import Koa from 'koa';
import { fetchMiddleware } from '../src/index.js';

function listen(app: Koa) {
  app.silent = true;
  return listenOnLoopback(createServer(app.callback()));
}

describeDashboardMount({
  name: 'Koa 3 (app.use, next to @koa/router)',
  createStore: () => memoryStore(),
  start: ({ dashboard }) => {
    const app = new Koa();
    app.use(fetchMiddleware(dashboard));
    const router = new Router();
    router.get('/outside', (ctx) => {
      ctx.body = 'outside';
    });
    app.use(router.routes());
    return listen(app);
  },
});

describeDashboardMount({
  name: 'Koa 3 (after a JSON body parser)',
  createStore: () => memoryStore(),
  start: ({ dashboard }) => {
    const app = new Koa();
    // A hand-written parser like koa-bodyparser's: reads the stream, sets ctx.request.body.
    app.use(async (ctx, next) => {
      if (ctx.is('application/json')) {
        const chunks: Buffer[] = [];
        for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
        const text = Buffer.concat(chunks).toString('utf8');
        (ctx.request as { body?: unknown }).body = text ? JSON.parse(text) : {};
      }
      await next();
    });
    app.use(fetchMiddleware(dashboard));
    app.use((ctx) => {
      if (ctx.path === '/outside') ctx.body = 'outside';
    });
    return listen(app);
  },
});

describe('fetchMiddleware in Koa: answers without a body', () => {
  it('keeps the status and headers of a redirect with no body (Koa would make a null body a 204)', async () => {
    const handler = Object.assign(
      async (request: Request) =>
        new URL(request.url).pathname === '/demo/go'
          ? new Response(null, { status: 303, headers: { location: '/next', 'set-cookie': 'sid=1; HttpOnly' } })
          : new Response(null, { status: 204 }),
      { basePath: '/demo' },
    );
    const app = new Koa();
    app.use(fetchMiddleware(handler));
    const server = await listen(app);
    try {
      const redirect = await fetch(`http://127.0.0.1:${server.port}/demo/go`, { redirect: 'manual' });
      expect([redirect.status, redirect.headers.get('location'), redirect.headers.getSetCookie(), await redirect.text()]).toEqual([
        303,
        '/next',
        ['sid=1; HttpOnly'],
        '',
      ]);
      const empty = await fetch(`http://127.0.0.1:${server.port}/demo/other`);
      expect([empty.status, await empty.text()]).toEqual([204, '']);
    } finally {
      await server.close();
    }
  });
});

import { createServer } from 'node:http';
import { describeDashboardMount, listenOnLoopback } from '@keyward/dashboard/testing';
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

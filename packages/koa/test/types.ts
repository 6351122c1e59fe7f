// Compiled by the root typecheck (`tsc -p tsconfig.json`), never run: how route typing reads in user code.
import type { ApiKey, Keyward } from '@keyward/core';
import Router from '@koa/router';
import Koa from 'koa';
import { expectTypeOf } from 'vitest';
import { apiKey, getApiKey } from '../src/index.js';

declare const keyward: Keyward;
const app = new Koa();
const router = new Router();
router.get('/workspaces/:ws/notes', apiKey(keyward, { workspaceId: (ctx) => ctx.params.ws }), (ctx) => {
  expectTypeOf(ctx.state.apiKey).toEqualTypeOf<ApiKey | undefined>();
  ctx.body = { id: getApiKey(ctx).id };
});
app.use(apiKey(keyward, { scopes: ['notes:read'] }));
app.use((ctx) => {
  expectTypeOf(ctx.state.apiKey).toEqualTypeOf<ApiKey | undefined>();
});
app.use(router.routes());

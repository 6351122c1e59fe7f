// Tixallo (seed 002) on Koa: every key is bound to one workspace and represents it (no scopes, no
// users); several keys of a workspace are active at once so that rotation needs no downtime.
import { createKeyward, isKeywardError, jsonRenderer, prefixedFormat, type InvalidationBus, type KeyStore, type Keyward } from '@keyward/core';
import { apiKey, getApiKey } from '@keyward/koa';
import Router from '@koa/router';
import Koa from 'koa';

export interface Ticket {
  id: string;
  subject: string;
  status: 'open' | 'pending' | 'closed';
}

export function tixalloKeyward(options: { store: KeyStore; invalidation?: InvalidationBus }): Keyward {
  return createKeyward({
    ...options,
    format: prefixedFormat({ prefix: 'tix' }),
    // "Missing, malformed or revoked keys return HTTP 401 with a small JSON body."
    renderer: jsonRenderer((error) => ({ error: error.status === 401 ? 'Unauthorized' : error.status === 503 ? 'Service Unavailable' : error.code })),
  });
}

/**
 * The API (`/api/v1`, by API key) and the slice of the Tixallo app where keys are created and
 * revoked (`/app`, by a signed-in session — here a demo session token per workspace).
 */
export function createTixalloApp(keyward: Keyward, data: { tickets: Map<string, Ticket[]>; sessions: Map<string, string> }): Koa {
  // `sensitive: true` on both routers: @koa/router matches the prefix of a `use()` middleware
  // case-sensitively but routes case-insensitively, so `/API/V1/TICKETS` would reach the route and
  // skip the check (packages/koa/README.md). Case-sensitive routes match exactly where the check runs.
  const api = new Router({ prefix: '/api/v1', sensitive: true });
  api.use(apiKey(keyward));
  api.get('/tickets', (ctx) => {
    ctx.body = { data: data.tickets.get(getApiKey(ctx).workspaceId!) ?? [] };
  });

  const dashboard = new Router({ prefix: '/app', sensitive: true });
  dashboard.use(async (ctx, next) => {
    const workspace = data.sessions.get(ctx.get('x-tixallo-session'));
    if (workspace === undefined) {
      ctx.status = 401;
      ctx.body = { error: 'Sign in to the Tixallo app' };
      return;
    }
    ctx.state.workspace = workspace;
    await next();
  });
  dashboard.get('/keys', async (ctx) => {
    const page = await keyward.list({ workspaceId: ctx.state.workspace as string, includeRevoked: false, limit: 1000 });
    ctx.body = { data: page.items.map((k) => ({ id: k.id, name: k.name, key: `${k.prefix}…${k.hint}`, created_at: k.createdAt })) };
  });
  dashboard.post('/keys', async (ctx) => {
    const name = typeof ctx.query.name === 'string' && ctx.query.name.trim() ? ctx.query.name.trim().slice(0, 100) : 'API key';
    const { key, record } = await keyward.create({ workspaceId: ctx.state.workspace as string, name });
    // "The full key value is shown only at creation time."
    ctx.status = 201;
    ctx.body = { id: record.id, name: record.name, key };
  });
  dashboard.delete('/keys/:id', async (ctx) => {
    const workspaceId = ctx.state.workspace as string;
    if ((await keyward.get(ctx.params.id!, { workspaceId })) === null) {
      ctx.status = 404;
      ctx.body = { error: 'Not Found' };
      return;
    }
    await keyward.revoke(ctx.params.id!, { workspaceId });
    ctx.status = 204;
  });

  const app = new Koa();
  // A lifecycle call that fails (the store is down) is answered like the API's own refusals: the
  // engine's rendered 503 with Retry-After, in Tixallo's body.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!isKeywardError(error)) throw error;
      const rendered = keyward.render(error);
      ctx.status = rendered.status;
      ctx.set(rendered.headers);
      ctx.body = rendered.body;
      if (error.status >= 500) ctx.app.emit('error', error, ctx);
    }
  });
  app.use(api.routes()).use(api.allowedMethods()).use(dashboard.routes()).use(dashboard.allowedMethods());
  app.on('error', (error: Error & { status?: number }) => {
    if ((error.status ?? 500) >= 500) console.error(`tixallo: ${error.message}`);
  });
  return app;
}

/** Two workspaces with tickets, two active keys for Acme, a revoked one, and a demo session each. */
export async function seedDemo(keyward: Keyward) {
  const tickets = new Map<string, Ticket[]>([
    [
      'ws_acme',
      [
        { id: 'TIX-1', subject: 'Printer on fire', status: 'open' },
        { id: 'TIX-2', subject: 'Refund order #42', status: 'pending' },
      ],
    ],
    ['ws_globex', [{ id: 'TIX-7', subject: 'Access to the Q3 report', status: 'open' }]],
  ]);
  const sessions = new Map<string, string>([
    [`sess_${crypto.randomUUID()}`, 'ws_acme'],
    [`sess_${crypto.randomUUID()}`, 'ws_globex'],
  ]);
  const a = await keyward.create({ workspaceId: 'ws_acme', name: 'production' });
  const a2 = await keyward.create({ workspaceId: 'ws_acme', name: 'staging' });
  const b = await keyward.create({ workspaceId: 'ws_globex', name: 'production' });
  const revoked = await keyward.create({ workspaceId: 'ws_acme', name: 'exposed in a screenshot' });
  await keyward.revoke(revoked.record.id);
  const [sessionA, sessionB] = [...sessions.keys()];
  return {
    data: { tickets, sessions },
    keys: { workspace_a: a.key, workspace_a_second: a2.key, workspace_b: b.key, revoked: revoked.key },
    sessions: { workspace_a: sessionA!, workspace_b: sessionB! },
  };
}

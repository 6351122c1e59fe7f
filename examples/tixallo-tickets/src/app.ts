// Tixallo (seed 002) on Koa: every key is bound to one workspace and represents it (no scopes, no
// users); several keys of a workspace are active at once so that rotation needs no downtime.
import { createKeyward, type Instrumentation, jsonRenderer, prefixedFormat, type InvalidationBus, type KeyStore, type Keyward } from '@keyward/core';
import { failureLogFields } from '@keyward/core/adapter';
import { createDashboard } from '@keyward/dashboard';
import { type DemoPerson, type DemoSessions, demoPage, demoSessions } from '@keyward/example-support/demo-session';
import { apiKey, fetchMiddleware, getApiKey } from '@keyward/koa';
import Router from '@koa/router';
import Koa from 'koa';

export interface Ticket {
  id: string;
  subject: string;
  status: 'open' | 'pending' | 'closed';
}

export function tixalloKeyward(options: { store: KeyStore; invalidation?: InvalidationBus; instrument?: Instrumentation }): Keyward {
  return createKeyward({
    ...options,
    // The audit log and last-used dates of the app's key settings.
    audit: true,
    usage: true,
    format: prefixedFormat({ prefix: 'tix' }),
    // "Missing, malformed or revoked keys return HTTP 401 with a small JSON body."
    renderer: jsonRenderer((error) => ({ error: error.status === 401 ? 'Unauthorized' : error.status === 503 ? 'Service Unavailable' : error.code })),
  });
}

export interface TixalloData {
  tickets: Map<string, Ticket[]>;
  /** The app's people (their role in each workspace) and their demo-only sign-in. */
  sessions: DemoSessions;
}

/**
 * The API (`/api/v1`, by API key) and the part of the Tixallo app where keys are created and
 * revoked: @keyward/dashboard under `/keyward`, for a signed-in session (the demo sign-in here).
 */
export function createTixalloApp(keyward: Keyward, data: TixalloData): Koa {
  // `sensitive: true`: @koa/router matches the prefix of a `use()` middleware case-sensitively but
  // routes case-insensitively, so `/API/V1/TICKETS` would reach the route and skip the check
  // (packages/koa/README.md). Case-sensitive routes match exactly where the check runs.
  const api = new Router({ prefix: '/api/v1', sensitive: true });
  api.use(apiKey(keyward));
  api.get('/tickets', (ctx) => {
    ctx.body = { data: data.tickets.get(getApiKey(ctx).workspaceId!) ?? [] };
  });

  // "Keys are created and revoked from inside the app"; several stay active at once.
  const dashboard = createDashboard(keyward, {
    authorize: (request, { workspaceId }) => data.sessions.principal(request, workspaceId),
    resolveNames: (ids) => data.sessions.names(ids),
    // "Keys are created and revoked from inside the app"; several stay active, so a change of key has no downtime.
    page: demoPage({
      texts: {
        intro:
          'One key is one workspace. Keep several active to change keys with no downtime: create the new key, switch your integration, then revoke the old one.',
      },
    }),
  });

  const app = new Koa();
  app.use(fetchMiddleware(dashboard)).use(fetchMiddleware(data.sessions.handler));
  app.use(api.routes()).use(api.allowedMethods());
  app.on('error', (error: Error & { status?: number }) => {
    if ((error.status ?? 500) >= 500) console.error('tixallo: request failed', failureLogFields(keyward, error));
  });
  return app;
}

/** Two workspaces with tickets, two active keys for Acme, a revoked one; an admin of both workspaces and a member of Acme. */
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
  const sessions = demoSessions({
    cookie: 'tixallo_demo_session',
    people: new Map<string, DemoPerson>([
      ['user_alex', { name: 'Alex Admin', roles: { ws_acme: 'admin', ws_globex: 'admin' } }],
      ['user_max', { name: 'Max Member', roles: { ws_acme: 'member' } }],
    ]),
    signIns: { admin: 'user_alex', member: 'user_max' },
    workspaceNames: new Map([
      ['ws_acme', 'Acme'],
      ['ws_globex', 'Globex'],
    ]),
  });
  const a = await keyward.create({ workspaceId: 'ws_acme', name: 'production', actor: 'user_alex' });
  const a2 = await keyward.create({ workspaceId: 'ws_acme', name: 'staging', actor: 'user_alex' });
  const b = await keyward.create({ workspaceId: 'ws_globex', name: 'production', actor: 'user_alex' });
  const revoked = await keyward.create({ workspaceId: 'ws_acme', name: 'exposed in a screenshot', actor: 'user_alex' });
  await keyward.revoke(revoked.record.id, { actor: 'user_alex' });
  return {
    data: { tickets, sessions },
    keys: { workspace_a: a.key, workspace_a_second: a2.key, workspace_b: b.key, revoked: revoked.key },
  };
}

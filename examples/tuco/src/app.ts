// Tuco (seed 004) on Keyward's fetch helper — a web-standard `(Request) => Response` app, as it
// would run on Bun, Deno or Workers: workspace API keys that owners and admins create, label,
// rename, rotate and remove in the workspace settings (@keyward/dashboard, mounted in the same
// fetch handler); every valid key of a workspace is equal.
import {
  createKeyward,
  type Instrumentation,
  isKeywardError,
  prefixedFormat,
  withApiKey,
  type InvalidationBus,
  type KeyStore,
  type Keyward,
} from '@keyward/core';
import { isUnderBasePath } from '@keyward/core/adapter';
import { createDashboard } from '@keyward/dashboard';
import { demoPage, demoSessions, type DemoPerson, type DemoSessions } from '@keyward/example-support/demo-session';

export interface TucoData {
  /** The people of the workspaces (their role in each) and their demo-only sign-in. */
  sessions: DemoSessions;
  projects: Map<string, { id: string; name: string }[]>;
}

export function tucoKeyward(options: { store: KeyStore; invalidation?: InvalidationBus; instrument?: Instrumentation }): Keyward {
  // Problem Details (RFC 9457) with `WWW-Authenticate`: "rejected with an explicit error".
  // The audit log and last-used dates are what the workspace settings show next to each key.
  return createKeyward({ ...options, audit: true, usage: true, format: prefixedFormat({ prefix: 'tuco', environments: ['live', 'test'] }) });
}

const json = (status: number, body: unknown) => Response.json(body, { status });
const problem = (status: number, title: string, detail: string) =>
  new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), { status, headers: { 'content-type': 'application/problem+json' } });

export function createTucoApp(keyward: Keyward, data: TucoData): (request: Request) => Promise<Response> {
  // The API: the key is the single piece of authorization; the route needs no scope — all keys are equal.
  const projects = withApiKey(
    async (request, key) => {
      const list = data.projects.get(key.workspaceId!) ?? [];
      if (request.method === 'POST') {
        const body = (await request.json().catch(() => null)) as { name?: unknown } | null;
        if (typeof body?.name !== 'string' || body.name.trim() === '') return problem(400, 'Bad Request', 'name is required');
        const project = { id: `prj_${list.length + 1}`, name: body.name.trim().slice(0, 100) };
        list.push(project);
        data.projects.set(key.workspaceId!, list);
        return json(201, { ok: true, data: project });
      }
      return json(200, { ok: true, data: list });
    },
    { keyward },
  );
  const workspace = withApiKey(
    (_request, key) => json(200, { ok: true, data: { workspace_id: key.workspaceId, key: { id: key.id, label: key.name } } }),
    {
      keyward,
    },
  );

  // The workspace settings' API keys: the key-management API, for signed-in owners and admins.
  const dashboard = createDashboard(keyward, {
    authorize: (request, { workspaceId }) => data.sessions.principal(request, workspaceId),
    resolveNames: (ids) => data.sessions.names(ids),
    // "Each key is clearly labeled so you know which environment or integration it is for."
    environments: ['live', 'test'],
    // "Disabling or rotating a key immediately stops further access with the old value."
    gracePeriods: ['0s'],
    // "Workspace owners and admins control which keys exist": members see no key either.
    permissions: { member: [] },
    page: demoPage({
      texts: { intro: 'Workspace owners and admins create, rename and remove the keys; every valid key of the workspace works the same.' },
    }),
  });

  return async (request) => {
    const pathname = new URL(request.url).pathname;
    if (isUnderBasePath(pathname, dashboard.basePath)) return dashboard(request);
    if (isUnderBasePath(pathname, data.sessions.handler.basePath)) return data.sessions.handler(request);
    const path = pathname.split('/').filter(Boolean);
    try {
      if (path[0] === 'api' && path[1] === 'v1') {
        if (path[2] === 'projects' && path.length === 3) return await projects(request);
        if (path[2] === 'workspace' && path.length === 3) return await workspace(request);
      }
      return problem(404, 'Not Found', 'No such endpoint');
    } catch (error) {
      if (isKeywardError(error)) {
        const rendered = keyward.render(error);
        return new Response(rendered.body, { status: rendered.status, headers: rendered.headers });
      }
      throw error;
    }
  };
}

/** The people of the demo: Olivia owns Acme, Adam administers Acme and Globex, Mia is a member of Acme. */
const PEOPLE = new Map<string, DemoPerson>([
  ['user_olivia', { name: 'Olivia Owner', roles: { ws_acme: 'owner' } }],
  ['user_adam', { name: 'Adam Admin', roles: { ws_acme: 'admin', ws_globex: 'admin' } }],
  ['user_mia', { name: 'Mia Member', roles: { ws_acme: 'member' } }],
]);

/** Two workspaces with projects, keys for staging and production, a revoked one; an owner, an admin and a member. */
export async function seedDemo(keyward: Keyward) {
  const data: TucoData = {
    sessions: demoSessions({
      cookie: 'tuco_demo_session',
      people: PEOPLE,
      signIns: { owner: 'user_olivia', admin: 'user_adam', member: 'user_mia' },
      workspaceNames: new Map([
        ['ws_acme', 'Acme'],
        ['ws_globex', 'Globex'],
      ]),
    }),
    projects: new Map([
      [
        'ws_acme',
        [
          { id: 'prj_1', name: 'Website relaunch' },
          { id: 'prj_2', name: 'Q4 campaign' },
        ],
      ],
      ['ws_globex', [{ id: 'prj_1', name: 'Factory audit' }]],
    ]),
  };
  const production = await keyward.create({ workspaceId: 'ws_acme', name: 'production backend', environment: 'live', actor: 'user_olivia' });
  const staging = await keyward.create({ workspaceId: 'ws_acme', name: 'staging backend', environment: 'test', actor: 'user_adam' });
  const other = await keyward.create({ workspaceId: 'ws_globex', name: 'production backend', actor: 'user_adam' });
  const revoked = await keyward.create({ workspaceId: 'ws_acme', name: 'exposed in a chat', actor: 'user_adam' });
  await keyward.revoke(revoked.record.id, { actor: 'user_adam' });
  return { data, keys: { workspace_a: production.key, workspace_a_staging: staging.key, workspace_b: other.key, revoked: revoked.key } };
}

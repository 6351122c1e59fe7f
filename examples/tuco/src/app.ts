// Tuco (seed 004) on Keyward's fetch helper — a web-standard `(Request) => Response` app, as it
// would run on Bun, Deno or Workers: workspace API keys that owners and admins create, label,
// rename, rotate and remove from the workspace settings; every valid key of a workspace is equal.
import {
  createKeyward,
  isKeywardError,
  prefixedFormat,
  withApiKey,
  type ApiKey,
  type InvalidationBus,
  type KeyStore,
  type Keyward,
} from '@keyward/core';

export type Role = 'owner' | 'admin' | 'member';

export interface TucoData {
  /** Demo sign-in: a session token → the user, their workspace and role. */
  sessions: Map<string, { user: string; workspaceId: string; role: Role }>;
  projects: Map<string, { id: string; name: string }[]>;
}

export function tucoKeyward(options: { store: KeyStore; invalidation?: InvalidationBus }): Keyward {
  // Problem Details (RFC 9457) with `WWW-Authenticate`: "rejected with an explicit error".
  return createKeyward({ ...options, format: prefixedFormat({ prefix: 'tuco', environments: ['live', 'test'] }) });
}

const json = (status: number, body: unknown) => Response.json(body, { status });
const problem = (status: number, title: string, detail: string) =>
  new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), { status, headers: { 'content-type': 'application/problem+json' } });

/** What the settings page shows of a key: its label, environment and last 4 characters. */
const listed = (k: ApiKey) => ({
  id: k.id,
  label: k.name,
  environment: k.environment,
  display: `${k.prefix}…${k.hint}`,
  created_at: k.createdAt.toISOString(),
});

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

  /** The workspace settings: signed-in owners and admins only. */
  async function settings(request: Request, path: string[]): Promise<Response> {
    const session = data.sessions.get(request.headers.get('x-tuco-session') ?? '');
    if (!session) return problem(401, 'Unauthorized', 'Sign in to Tuco');
    // "Workspace owners and admins control which keys exist."
    if (session.role === 'member') return problem(403, 'Forbidden', 'Only workspace owners and admins manage API keys; ask your Tuco admin');
    const guard = { workspaceId: session.workspaceId };
    const [id, action] = path;
    if (id === undefined) {
      if (request.method === 'GET')
        return json(200, { ok: true, data: (await keyward.list({ ...guard, includeRevoked: false, limit: 1000 })).items.map(listed) });
      if (request.method === 'POST') {
        const body = (await request.json().catch(() => null)) as { label?: unknown; environment?: unknown } | null;
        if (typeof body?.label !== 'string' || body.label.trim() === '')
          return problem(400, 'Bad Request', 'label is required (say which environment or integration the key is for)');
        const environment = body.environment === 'test' ? 'test' : 'live';
        const created = await keyward.create({ ...guard, name: body.label.trim().slice(0, 100), environment, metadata: { createdBy: session.user } });
        return json(201, { ok: true, data: { ...listed(created.record), key: created.key } });
      }
    } else if (action === undefined && request.method === 'PATCH') {
      const body = (await request.json().catch(() => null)) as { label?: unknown } | null;
      if (typeof body?.label !== 'string' || body.label.trim() === '') return problem(400, 'Bad Request', 'label is required');
      return json(200, { ok: true, data: listed(await keyward.rename(id, body.label.trim().slice(0, 100), guard)) });
    } else if (action === undefined && request.method === 'DELETE') {
      await keyward.revoke(id, guard);
      return new Response(null, { status: 204 });
    } else if (action === 'rotate' && request.method === 'POST') {
      // "Disabling or rotating a key immediately stops further access with the old value."
      const rotated = await keyward.rotate(id, { ...guard, gracePeriod: 0 });
      return json(201, { ok: true, data: { ...listed(rotated.record), key: rotated.key } });
    }
    return problem(405, 'Method Not Allowed', `${request.method} is not supported here`);
  }

  return async (request) => {
    const path = new URL(request.url).pathname.split('/').filter(Boolean);
    try {
      if (path[0] === 'api' && path[1] === 'v1') {
        if (path[2] === 'projects' && path.length === 3) return await projects(request);
        if (path[2] === 'workspace' && path.length === 3) return await workspace(request);
      }
      if (path[0] === 'settings' && path[1] === 'api-keys' && path.length <= 4) return await settings(request, path.slice(2));
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

/** Two workspaces with projects, keys for staging and production, a revoked one; an owner, an admin and a member. */
export async function seedDemo(keyward: Keyward) {
  const data: TucoData = {
    sessions: new Map(),
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
  const sessions = { owner: `sess_${crypto.randomUUID()}`, admin: `sess_${crypto.randomUUID()}`, member: `sess_${crypto.randomUUID()}` };
  data.sessions.set(sessions.owner, { user: 'olivia', workspaceId: 'ws_acme', role: 'owner' });
  data.sessions.set(sessions.admin, { user: 'adam', workspaceId: 'ws_acme', role: 'admin' });
  data.sessions.set(sessions.member, { user: 'mia', workspaceId: 'ws_acme', role: 'member' });
  const production = await keyward.create({ workspaceId: 'ws_acme', name: 'production backend', environment: 'live' });
  const staging = await keyward.create({ workspaceId: 'ws_acme', name: 'staging backend', environment: 'test' });
  const other = await keyward.create({ workspaceId: 'ws_globex', name: 'production backend' });
  const revoked = await keyward.create({ workspaceId: 'ws_acme', name: 'exposed in a chat' });
  await keyward.revoke(revoked.record.id);
  return { data, sessions, keys: { workspace_a: production.key, workspace_a_staging: staging.key, workspace_b: other.key, revoked: revoked.key } };
}

// The key-management flow every example must pass over real HTTP, through its demo sign-in and the
// @keyward/dashboard it mounts: an admin creates a key, the key works on the product's API, is
// renamed, rotated and revoked (then 401); a member is refused every change; a key of another
// workspace is a 404; a cross-site change is refused even with the session cookie, a same-origin one
// (the page's) is not.
import { expect } from 'vitest';
import { DASHBOARD_BASE_PATH } from './demo-session.js';

/** A signed-in browser, as far as the tests need one: the session cookie, sent on every call. */
export interface DashboardSession {
  /** `name=value` of the session cookie. */
  readonly cookie: string;
  /** Calls `<origin>/keyward/api<path>` with the cookie (and a JSON body when given). */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<DashboardAnswer>;
}

export interface DashboardAnswer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON read by the tests
  json: any;
}

async function answer(res: Response): Promise<DashboardAnswer> {
  const text = await res.text();
  const json = text !== '' && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : null;
  return { status: res.status, headers: res.headers, text, json };
}

/** Calls the management API with no session at all. */
export async function callDashboard(origin: string, method: string, path: string, init: RequestInit = {}): Promise<DashboardAnswer> {
  return answer(await fetch(`${origin}${DASHBOARD_BASE_PATH}/api${path}`, { ...init, method }));
}

/**
 * Follows the demo sign-in link as a browser would (`GET /demo/sign-in?as=<as>`) and checks the
 * cookie it sets: HttpOnly, SameSite=Lax, a 303 to the dashboard.
 */
export async function signIn(origin: string, as: string): Promise<DashboardSession> {
  const res = await fetch(`${origin}/demo/sign-in?as=${encodeURIComponent(as)}`, { redirect: 'manual' });
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toMatch(new RegExp(`^${DASHBOARD_BASE_PATH}/`));
  const [setCookie, ...more] = res.headers.getSetCookie();
  expect(more).toEqual([]);
  expect(setCookie).toMatch(/; HttpOnly(;|$)/);
  expect(setCookie).toMatch(/; SameSite=Lax(;|$)/);
  expect(setCookie).toMatch(/; Path=\/(;|$)/);
  const cookie = setCookie!.slice(0, setCookie!.indexOf(';'));
  return {
    cookie,
    async call(method, path, body, headers = {}) {
      return answer(
        await fetch(`${origin}${DASHBOARD_BASE_PATH}/api${path}`, {
          method,
          headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
    },
  };
}

export interface ManagementFlowOptions {
  /** `http://127.0.0.1:<port>` of the running example. */
  origin: string;
  /** The workspace the flow manages keys in: `admin` may change keys there, `member` is a member there. */
  workspace: string;
  /** Another workspace where `admin` has a role too (so that its 404 for a key of `workspace` is about the key). */
  otherWorkspace: string;
  /** The status of one call of the product's API with this key: 200 when it is accepted, 401 when refused. */
  product(key: string): Promise<number>;
  /** More members of the create body (Tooken's `scopes`, Tuco's `environment`). */
  create?: Readonly<Record<string, unknown>>;
  /** `?as=` of a principal who may change keys in `workspace`. @default 'admin' */
  admin?: string;
  /** `?as=` of a principal who is a member of `workspace` and may change nothing. @default 'member' */
  member?: string;
}

/** Runs the whole flow; every step is an `expect`. Returns the id of the key it revoked. */
export async function checkManagementFlow(options: ManagementFlowOptions): Promise<{ revokedId: string }> {
  const { origin, workspace, otherWorkspace, product } = options;
  const keys = `/workspaces/${encodeURIComponent(workspace)}/keys`;
  const otherKeys = `/workspaces/${encodeURIComponent(otherWorkspace)}/keys`;

  // Signed out: 401, and nothing is created.
  expect((await callDashboard(origin, 'GET', keys)).status).toBe(401);
  expect(
    (await callDashboard(origin, 'POST', keys, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x' }) })).status,
  ).toBe(401);

  const admin = await signIn(origin, options.admin ?? 'admin');
  const me = await admin.call('GET', '/me');
  expect(me.status).toBe(200);
  expect(me.json.workspaces.map((w: { id: string }) => w.id)).toEqual(expect.arrayContaining([workspace, otherWorkspace]));

  // Create: the plaintext is in that one answer, never in a list.
  const created = await admin.call('POST', keys, { name: 'flow key', ...options.create });
  expect(created.status).toBe(201);
  expect(created.headers.get('cache-control')).toBe('no-store');
  const key = created.json.key as string;
  expect(created.json.record).toMatchObject({ name: 'flow key', status: 'active', hint: key.slice(-4) });
  expect(created.json.record.display.endsWith(`…${key.slice(-4)}`)).toBe(true);
  const id = created.json.record.id as string;
  const listed = await admin.call('GET', keys);
  expect(listed.status).toBe(200);
  expect(listed.json.items.map((k: { id: string }) => k.id)).toContain(id);
  expect(listed.text).not.toContain(key);
  expect(await product(key)).toBe(200);

  // Rename.
  const renamed = await admin.call('PATCH', `${keys}/${id}`, { name: 'flow key (renamed)' });
  expect([renamed.status, renamed.json.name]).toEqual([200, 'flow key (renamed)']);
  expect((await admin.call('GET', `${keys}/${id}`)).json.name).toBe('flow key (renamed)');
  expect(await product(key)).toBe(200);

  // Rotate with the first grace period of the list (every example offers "now" first): the old value stops at once.
  const rotated = await admin.call('POST', `${keys}/${id}/rotate`, {});
  expect(rotated.status).toBe(201);
  const next = rotated.json.key as string;
  expect(next).not.toBe(key);
  expect(rotated.json.record.name).toBe('flow key (renamed)');
  expect(rotated.json.previous.rotatedToId).toBe(rotated.json.record.id);
  expect(await product(key)).toBe(401);
  expect(await product(next)).toBe(200);

  // Revoke: at once.
  const nextId = rotated.json.record.id as string;
  const revoked = await admin.call('POST', `${keys}/${nextId}/revoke`, {});
  expect([revoked.status, revoked.json.status]).toEqual([200, 'revoked']);
  expect(await product(next)).toBe(401);

  // A key of another workspace answers exactly like a key that does not exist, for every action.
  const live = (await admin.call('POST', keys, { name: 'flow key 2', ...options.create })).json;
  const missing = await admin.call('GET', `${otherKeys}/key_doesnotexist`);
  expect(missing.status).toBe(404);
  for (const [method, path, body] of [
    ['GET', `${otherKeys}/${live.record.id}`, undefined],
    ['PATCH', `${otherKeys}/${live.record.id}`, { name: 'taken over' }],
    ['POST', `${otherKeys}/${live.record.id}/rotate`, {}],
    ['POST', `${otherKeys}/${live.record.id}/revoke`, {}],
    ['DELETE', `${otherKeys}/${live.record.id}`, undefined],
  ] as const) {
    const res = await admin.call(method, path, body);
    expect({ method, path, status: res.status, body: res.text }).toEqual({ method, path, status: 404, body: missing.text });
  }
  expect(await product(live.key)).toBe(200);

  // A member is refused every change (403), and a workspace they have no role in is a 404.
  const member = await signIn(origin, options.member ?? 'member');
  for (const [method, path, body] of [
    ['POST', keys, { name: 'by a member', ...options.create }],
    ['PATCH', `${keys}/${live.record.id}`, { name: 'by a member' }],
    ['POST', `${keys}/${live.record.id}/rotate`, {}],
    ['POST', `${keys}/${live.record.id}/revoke`, {}],
    ['DELETE', `${keys}/${live.record.id}`, undefined],
  ] as const) {
    const res = await member.call(method, path, body);
    expect({ method, path, status: res.status, code: res.json?.code }).toEqual({ method, path, status: 403, code: 'forbidden' });
  }
  expect((await member.call('GET', otherKeys)).status).toBe(404);
  expect((await admin.call('GET', `${keys}/${live.record.id}`)).json).toMatchObject({ name: 'flow key 2', status: 'active' });
  expect(await product(live.key)).toBe(200);

  // A change sent from another site with the session cookie (a CSRF attempt) is refused.
  const crossSite = await admin.call(
    'POST',
    `${keys}/${live.record.id}/revoke`,
    {},
    { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
  );
  expect([crossSite.status, crossSite.json.code]).toEqual([403, 'csrf_rejected']);
  expect(await product(live.key)).toBe(200);
  // … and one from the app's own page (what the key-management page will send) goes through.
  const samePage = await admin.call('PATCH', `${keys}/${live.record.id}`, { name: 'flow key 2b' }, { origin, 'sec-fetch-site': 'same-origin' });
  expect([samePage.status, samePage.json.name]).toEqual([200, 'flow key 2b']);
  return { revokedId: nextId };
}

/**
 * Each call answers 503 with `Retry-After: 1` and the `unavailable` Problem, and says nothing of the
 * failure (`hidden`, e.g. the driver's `ECONNREFUSED`): what a signed-in person gets while the store is down.
 */
export async function expectUnavailable(
  session: DashboardSession,
  calls: readonly (readonly [method: string, path: string, body?: unknown])[],
  hidden: string,
): Promise<void> {
  for (const [method, path, body] of calls) {
    const res = await session.call(method, path, body);
    expect({ method, path, status: res.status, retryAfter: res.headers.get('retry-after'), code: res.json?.code }).toEqual({
      method,
      path,
      status: 503,
      retryAfter: '1',
      code: 'unavailable',
    });
    expect(res.text).not.toContain(hidden);
  }
}

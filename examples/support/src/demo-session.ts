// The examples' sign-in, for the demo only: a link (`GET /demo/sign-in?as=admin`) signs the browser
// in as one of a few made-up people, with no password, and each example's `authorize` resolves the
// session cookie to a principal of @keyward/dashboard. A real app resolves its own session instead.
import { randomBytes } from 'node:crypto';
import type { DashboardRole, PageOptions, Principal } from '@keyward/dashboard';

/** Where every example mounts its dashboard (the management API under `/keyward/api`, the page at `/keyward/`). */
export const DASHBOARD_BASE_PATH = '/keyward';

/** Where a sign-in lands when it names no `?next=`: the key-management page. */
const LANDING = `${DASHBOARD_BASE_PATH}/`;

/** What the page says at the top of every example: how you got in, and that it is for the demo only. */
export const DEMO_NOTICE =
  'Demo sign-in: you are signed in by a demo-only session cookie, with no password. A real app signs people in with its own session.';

/**
 * The page options of an example: the demo notice, the sign-in link for someone signed out, and
 * the seed's own words and sections.
 */
export function demoPage(page: PageOptions = {}): PageOptions {
  return { notice: DEMO_NOTICE, signInUrl: '/demo/sign-in?as=admin', ...page };
}

/** Sessions kept at most (a GET link can be called in a loop: the oldest go first). */
const MAX_SESSIONS = 1000;

/** Someone of the example's own data who may sign in to the demo. */
export interface DemoPerson {
  readonly name: string;
  /** Their role in each workspace they belong to. */
  readonly roles: Readonly<Record<string, DashboardRole>>;
}

export interface DemoSessionOptions {
  /**
   * The session cookie's name. One per example: browsers share the cookies of `127.0.0.1` between
   * ports, so two examples with one name would sign each other out.
   */
  cookie: string;
  /** The people of the example, by id (the principal's id: the actor of audit events). */
  people: ReadonlyMap<string, DemoPerson>;
  /** `?as=` name → person id, in the order the demo prints them (`{ admin: 'user_adam', member: 'user_mia' }`). */
  signIns: Readonly<Record<string, string>>;
  /** Names of workspaces, for the workspace switcher (`GET /keyward/api/me`). */
  workspaceNames?: ReadonlyMap<string, string>;
}

/** The demo sign-in of one example. */
export interface DemoSessions {
  /**
   * `GET /demo/sign-in?as=<name>[&next=/path]` (sets the cookie, 303 to `next` or the signed-in
   * principal) and `GET /demo/sign-out`: a web-standard handler with a base path, mounted the
   * adapter's way, like the dashboard.
   */
  readonly handler: ((request: Request) => Promise<Response>) & { readonly basePath: string };
  /** The principal of the request's session in `workspaceId` (its role there, or `null`), or `null` when signed out. */
  principal(request: Request, workspaceId: string | null): Principal | null;
  /** Display names of people (`resolveNames` of the dashboard). */
  names(ids: readonly string[]): Record<string, string>;
  /** The sign-in links, by `?as=` name, on `origin` (`http://127.0.0.1:3001`). */
  links(origin: string): Record<string, string>;
  /** Who a sign-in is, for the banner: `Ada Lovelace: owner of ws_research, ws_sales`. */
  who(as: string): string;
}

const COOKIE_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** The value of cookie `name` in a `Cookie` header (RFC 6265 §5.4: `name=value` pairs joined by `; `). */
function cookieValue(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq !== -1 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/** A path of this site to go to after signing in: `/x`, never `//host` or `/\host` (an open redirect). */
function sameSitePath(next: string | null): string | null {
  return next !== null && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : null;
}

const text = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(`${body}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers } });

/**
 * A demo-only session: HttpOnly, SameSite=Lax (sent on a top-level link, never on a cross-site
 * POST), no `Secure` (the demo is plain HTTP on loopback), kept in this process's memory until it
 * ends or sign-out.
 */
export function demoSessions(options: DemoSessionOptions): DemoSessions {
  if (!COOKIE_NAME_RE.test(options.cookie)) throw new RangeError(`cookie must be a plain name such as tiro_demo_session, got ${options.cookie}`);
  for (const [as, id] of Object.entries(options.signIns)) {
    if (!options.people.has(id)) throw new RangeError(`signIns.${as}: no person ${id}`);
  }
  const sessions = new Map<string, string>(); // token → person id
  const basePath = '/demo';

  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'the demo sign-in answers GET', { allow: 'GET' });
    if (url.pathname === `${basePath}/sign-in`) {
      const as = url.searchParams.get('as') ?? '';
      const id = Object.hasOwn(options.signIns, as) ? options.signIns[as]! : undefined;
      if (id === undefined) return text(400, `sign in as one of: ${Object.keys(options.signIns).join(', ')} (?as=admin)`);
      const token = randomBytes(32).toString('base64url');
      sessions.set(token, id);
      if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
      return new Response(null, {
        status: 303,
        headers: {
          location: sameSitePath(url.searchParams.get('next')) ?? LANDING,
          'set-cookie': `${options.cookie}=${token}; Path=/; HttpOnly; SameSite=Lax`,
          'cache-control': 'no-store',
        },
      });
    }
    if (url.pathname === `${basePath}/sign-out`) {
      const token = cookieValue(request.headers.get('cookie'), options.cookie);
      if (token !== undefined) sessions.delete(token);
      return text(200, 'signed out of the demo', { 'set-cookie': `${options.cookie}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` });
    }
    return text(404, `the demo sign-in is ${basePath}/sign-in?as=${Object.keys(options.signIns)[0] ?? 'admin'}`);
  };

  return {
    handler: Object.assign(handler, { basePath }),
    principal(request, workspaceId) {
      const token = cookieValue(request.headers.get('cookie'), options.cookie);
      const id = token === undefined ? undefined : sessions.get(token);
      const person = id === undefined ? undefined : options.people.get(id);
      if (id === undefined || person === undefined) return null;
      return {
        id,
        name: person.name,
        role: workspaceId !== null && Object.hasOwn(person.roles, workspaceId) ? person.roles[workspaceId]! : null,
        workspaces: Object.entries(person.roles).map(([ws, role]) => ({ id: ws, name: options.workspaceNames?.get(ws) ?? ws, role })),
      };
    },
    names(ids) {
      const out: Record<string, string> = {};
      for (const id of ids) {
        const person = options.people.get(id);
        if (person !== undefined) out[id] = person.name;
      }
      return out;
    },
    links(origin) {
      return Object.fromEntries(Object.keys(options.signIns).map((as) => [as, `${origin}${basePath}/sign-in?as=${encodeURIComponent(as)}`]));
    },
    who(as) {
      const person = options.people.get(options.signIns[as] ?? '');
      if (person === undefined) return as;
      const byRole = new Map<string, string[]>();
      for (const [ws, role] of Object.entries(person.roles)) byRole.set(role, [...(byRole.get(role) ?? []), ws]);
      return `${person.name}: ${[...byRole].map(([role, list]) => `${role} of ${list.join(', ')}`).join('; ')}`;
    },
  };
}

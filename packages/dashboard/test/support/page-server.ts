// A real HTTP server on loopback for the browser tests: the dashboard (page + API) signed in by a
// demo session cookie, a product API route that takes the keys, and knobs that make the store
// slow or failing on demand.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createKeyward, type KeyStore, type Keyward, type KeywardOptions, prefixedFormat, withApiKey } from '@keyward/core';
import type { AuditStore, UsageStore } from '@keyward/core/store';
import { toFetchRequest, writeFetchResponse } from '@keyward/core/adapter';
import { createDashboard, type Dashboard, type DashboardOptions } from '@keyward/dashboard';
import { listenOnLoopback } from '@keyward/dashboard/testing';
import { memoryStore } from '@keyward/store-memory';

export type FullStore = KeyStore & AuditStore & UsageStore;

/** The demo people: Olivia owns Acme, Adam administers Acme and Beta, Mia is a member of Acme. */
export const PEOPLE = {
  olivia: { name: 'Olivia Owner', roles: { acme: 'owner' } },
  adam: { name: 'Adam Admin', roles: { acme: 'admin', beta: 'admin' } },
  mia: { name: 'Mia Member', roles: { acme: 'member' } },
} as const;
export type Person = keyof typeof PEOPLE;

export const WORKSPACE_NAMES: Record<string, string> = { acme: 'Acme', beta: 'Beta' };
export const COOKIE = 'kw_demo_user';

/** What a test can do to the store under the server. */
export interface StoreControl {
  /** Every store call fails (the dashboard answers 503). */
  failing: boolean;
  /** Store calls wait for this promise (to see loading states). */
  hold: Promise<void> | null;
}

export interface PageServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** The page: `<origin>/keyward/`. */
  readonly pageUrl: string;
  readonly keyward: Keyward;
  readonly dashboard: Dashboard;
  readonly control: StoreControl;
  /** A link that signs `person` in (a demo cookie) and opens the page. */
  signInUrl(person: Person, next?: string): string;
  close(): Promise<void>;
}

export interface PageServerOptions {
  store?: FullStore;
  engine?: Partial<KeywardOptions>;
  dashboard?: Partial<DashboardOptions>;
  /** More routes (a provider's settings page, static files): answer and return true, or return false. */
  routes?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;
}

function controlled(store: FullStore, control: StoreControl): FullStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (control.hold !== null) await control.hold;
        if (control.failing) throw new Error('the test made the store fail');
        return value.apply(target, args);
      };
    },
  });
}

function personOf(request: Request): Person | null {
  const cookie = request.headers.get('cookie') ?? '';
  const match = new RegExp(`(?:^|;\\s*)${COOKIE}=([a-z]+)`).exec(cookie);
  const name = match?.[1];
  return name !== undefined && name in PEOPLE ? (name as Person) : null;
}

export async function startPageServer(options: PageServerOptions = {}): Promise<PageServer> {
  const control: StoreControl = { failing: false, hold: null };
  const store = controlled(options.store ?? memoryStore(), control);
  const keyward = createKeyward({
    store,
    format: prefixedFormat({ prefix: 'acme', environments: ['live', 'test'] }),
    cache: false,
    audit: { flushInterval: '1h' },
    usage: { flushInterval: '1h', lastUsedInterval: '1s' },
    legacy: { sunset: new Date(Date.now() + 60 * 86_400_000) },
    ...options.engine,
  });
  const dashboard = createDashboard(keyward, {
    authorize: (request, { workspaceId }) => {
      const person = personOf(request);
      if (person === null) return null;
      const roles = PEOPLE[person].roles as Record<string, string>;
      return {
        id: `user_${person}`,
        name: PEOPLE[person].name,
        role: workspaceId === null ? null : (roles[workspaceId] ?? null),
        workspaces: Object.entries(roles).map(([id, role]) => ({ id, name: WORKSPACE_NAMES[id]!, role })),
      };
    },
    resolveNames: (ids) =>
      Object.fromEntries(ids.filter((id) => id.startsWith('user_')).map((id) => [id, PEOPLE[id.slice(5) as Person]?.name ?? id])),
    scopes: [{ name: 'notes:read', description: 'Read notes' }, { name: 'notes:write', description: 'Create and change notes' }, 'admin'],
    environments: ['live', 'test'],
    page: { notice: 'Demo sign-in: a test cookie, for this test server only.', signInUrl: '/demo/sign-in' },
    ...options.dashboard,
  });
  const notes = withApiKey((_request, key) => Response.json({ workspace: key.workspaceId, notes: [] }), { keyward, scopes: ['notes:read'] });

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      if (url.pathname === '/demo/sign-in') {
        const as = url.searchParams.get('as') ?? '';
        if (!(as in PEOPLE)) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('sign in as one of: olivia, adam, mia');
          return;
        }
        res
          .writeHead(303, {
            'set-cookie': `${COOKIE}=${as}; Path=/; HttpOnly; SameSite=Lax`,
            location: url.searchParams.get('next') ?? '/keyward/',
          })
          .end();
        return;
      }
      if (options.routes && (await options.routes(req, res, url))) return;
      const request = toFetchRequest(req, { url: url.href });
      const response = url.pathname.startsWith('/api/') ? await notes(request) : await dashboard(request);
      await writeFetchResponse(res, response);
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  });
  const started = await listenOnLoopback(server);
  const origin = `http://127.0.0.1:${started.port}`;
  return {
    origin,
    pageUrl: `${origin}/keyward/`,
    keyward,
    dashboard,
    control,
    signInUrl: (person, next) => `${origin}/demo/sign-in?as=${person}${next ? `&next=${encodeURIComponent(next)}` : ''}`,
    async close() {
      await started.close();
      await keyward.close();
    },
  };
}

/** Calls the product's API route with a key: its status. */
export async function callProductApi(server: PageServer, key: string): Promise<number> {
  const response = await fetch(`${server.origin}/api/notes`, { headers: { authorization: `Bearer ${key}` } });
  await response.arrayBuffer();
  return response.status;
}

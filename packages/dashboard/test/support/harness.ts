// One engine and one dashboard on a store, with demo sign-in by header, and a client that keeps
// every answer and holds each one to the OpenAPI document.
import { createKeyward, type KeyStore, type Keyward, type KeywardOptions, prefixedFormat } from '@keyward/core';
import type { AuditStore, UsageStore } from '@keyward/core/store';
import { createDashboard, type Dashboard, type DashboardOptions } from '@keyward/dashboard';
import { expect } from 'vitest';
import { openApiCheck } from './openapi-check.js';

export type FullStore = KeyStore & AuditStore & UsageStore;

export const USERS = {
  olivia: { name: 'Olivia Owner', roles: { a: 'owner' } },
  adam: { name: 'Adam Admin', roles: { a: 'admin' } },
  mia: { name: 'Mia Member', roles: { a: 'member' } },
  bob: { name: 'Bob Owner', roles: { b: 'owner' } },
} as const;
export type User = keyof typeof USERS;

export interface Answer {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body (`undefined` when empty). */
  readonly body: any;
}

export interface CallOptions {
  /** Who is signed in. @default 'olivia'; `null`: nobody */
  as?: User | null;
  /** A JSON body (stringified), or raw text / bytes as they are. */
  body?: unknown;
  raw?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
}

export interface Harness {
  readonly keyward: Keyward;
  readonly dashboard: Dashboard;
  readonly store: FullStore;
  /** The two workspaces of this harness (unique per harness). */
  readonly ws: { readonly a: string; readonly b: string };
  /** The engine's and the dashboard's clock, in ms. */
  clock: number;
  /** Every answer so far, in order. */
  readonly answers: Answer[];
  /** What `onError` was told. */
  readonly reported: Error[];
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  /** Keys (revoked included) and audit events of both workspaces, as JSON: to see that nothing changed. */
  snapshot(): Promise<string>;
  close(): Promise<void>;
}

export const ORIGIN = 'https://app.example.test';
let counter = 0;

export async function harness(
  store: FullStore,
  options: { dashboard?: Partial<DashboardOptions>; engine?: Partial<KeywardOptions>; validate?: boolean } = {},
): Promise<Harness> {
  counter++;
  const tag = `${Date.now().toString(36)}${counter}`;
  const ws = { a: `ws_a_${tag}`, b: `ws_b_${tag}` };
  const roleIn = (user: User, workspaceId: string | null) => {
    const roles = USERS[user].roles as Record<string, string>;
    return workspaceId === ws.a ? (roles.a ?? null) : workspaceId === ws.b ? (roles.b ?? null) : null;
  };
  const h: Harness = {
    clock: Date.now(),
  } as Harness;
  const keyward = createKeyward({
    store,
    format: prefixedFormat({ prefix: 'acme', environments: ['live', 'test'] }),
    now: () => h.clock,
    cache: false,
    audit: { flushInterval: '1h' },
    usage: { flushInterval: '1h', lastUsedInterval: '1h' },
    legacy: { sunset: new Date(h.clock + 30 * 86_400_000) },
    ...options.engine,
  });
  const reported: Error[] = [];
  const dashboard = createDashboard(keyward, {
    authorize: (request, { workspaceId }) => {
      const user = request.headers.get('x-demo-user') as User | null;
      if (user === null || !(user in USERS)) return null;
      return {
        id: `user_${user}`,
        name: USERS[user].name,
        role: roleIn(user, workspaceId),
        workspaces: Object.keys(USERS[user].roles).map((k) => ({ id: ws[k as 'a' | 'b'], role: roleIn(user, ws[k as 'a' | 'b'])! })),
      };
    },
    resolveNames: (ids) => Object.fromEntries(ids.filter((id) => id.startsWith('user_')).map((id) => [id, USERS[id.slice(5) as User]?.name ?? '?'])),
    scopes: [{ name: 'notes:read', description: 'Read notes' }, 'notes:write', 'admin'],
    environments: ['live', 'test'],
    trustedOrigins: [ORIGIN],
    now: () => h.clock,
    onError: (error) => reported.push(error),
    ...options.dashboard,
  });
  const check = openApiCheck(dashboard.openapi);
  const answers: Answer[] = [];
  Object.assign(h, {
    keyward,
    dashboard,
    store,
    ws,
    answers,
    reported,
    async call(method: string, path: string, o: CallOptions = {}) {
      const headers = new Headers(o.headers);
      const as = o.as === undefined ? 'olivia' : o.as;
      if (as !== null) headers.set('x-demo-user', as);
      let body: string | Uint8Array<ArrayBuffer> | undefined = o.raw;
      if (o.body !== undefined) body = JSON.stringify(o.body);
      if (method !== 'GET' && method !== 'DELETE' && !headers.has('content-type') && !o.headers?.['content-type'])
        headers.set('content-type', 'application/json');
      const response = await dashboard(
        new Request(`http://dashboard.test/keyward/api${path}`, { method, headers, ...(body !== undefined ? { body } : {}) }),
      );
      const text = await response.text();
      const answer: Answer = {
        method,
        path,
        status: response.status,
        headers: response.headers,
        text,
        body: text === '' ? undefined : JSON.parse(text),
      };
      answers.push(answer);
      expect(response.headers.get('cache-control'), `${method} ${path}`).toBe('no-store');
      if (options.validate !== false) {
        expect(check.response(method, path.split('?')[0]!, response.status, response.headers.get('content-type'), text)).toEqual([]);
      }
      return answer;
    },
    async snapshot() {
      await keyward.flush();
      const out: unknown[] = [];
      for (const workspaceId of [ws.a, ws.b]) {
        out.push((await keyward.list({ workspaceId, limit: 1000 })).items);
        out.push((await keyward.auditLog({ workspaceId, limit: 1000 })).items);
      }
      return JSON.stringify(out);
    },
    close: () => keyward.close(),
  });
  return h;
}

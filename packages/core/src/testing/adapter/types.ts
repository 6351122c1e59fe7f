import type { ApiKey, Keyward, KeyStore } from '../../index.js';
import type { SuiteEngineOptions } from '../engine-options.js';

/** The routes every adapter under test mounts, with the requirements of each. */
export interface AdapterRoutes {
  /** Any valid key. */
  readonly protected: { readonly path: '/protected' };
  /** A key with `scopes`. */
  readonly scoped: { readonly path: '/scoped'; readonly scopes: readonly ['notes:write'] };
  /** A key of the workspace named by the path parameter `param`. */
  readonly workspace: { readonly path: '/workspaces/:ws/protected'; readonly param: 'ws' };
  /** Any valid key, checked by `downKeyward`, whose store never answers: always a 503. */
  readonly down: { readonly path: '/down' };
  /** No authentication at all: the handler must see no key. */
  readonly unprotected: { readonly path: '/unprotected' };
  /**
   * Any valid key, checked by **one** middleware that guards the whole `prefix`, mounted the way
   * the framework guards a group of routes (Koa: a prefixed `@koa/router` router; Express:
   * `app.use(prefix, router)`; Fastify: a plugin registered with `{ prefix }`; Next.js: `proxy.ts`
   * with a `matcher`; a fetch app: its own prefix test) — and the route `path` inside it, which
   * has no check of its own. The suite sends this group the paths a router may match
   * differently from its middleware (case variants, encoded letters, dot segments): none may
   * reach the handler without a key.
   */
  readonly group: { readonly prefix: '/group'; readonly path: '/group/protected' };
}

/** What `start` receives: the engines to use, the routes to mount and the body to answer with. */
export interface AdapterHarness {
  /** The engine of every route but `down`. */
  readonly keyward: Keyward;
  /** The engine of the `down` route. */
  readonly downKeyward: Keyward;
  readonly routes: AdapterRoutes;
  /**
   * How both engines are configured, for an adapter whose server runs in another process (a built
   * Next.js app) and must build equal engines there: the clock (ms since the epoch), the prefix of
   * the prefixed format (the engines also accept `{id}.{secret}` keys), and the store timeout of
   * `downKeyward` (ms, no cache). The main engine's keys are in the store of `createStore`.
   */
  readonly engine: { readonly now: number; readonly prefix: string; readonly downStoreTimeout: number };
  /**
   * The JSON every route answers on success (status 200), given the key the framework exposes to
   * the handler (`req.apiKey`, `ctx.state.apiKey`, `request.apiKey`; `undefined`/`null` if none).
   */
  body(key: Pick<ApiKey, 'id' | 'workspaceId'> | null | undefined): { keyId: string | null; workspaceId: string | null };
}

/** A started server on 127.0.0.1. */
export interface StartedAdapter {
  readonly port: number;
  close(): Promise<void> | void;
}

/** How to run the HTTP conformance suite against one adapter. */
export interface AdapterSuiteOptions {
  /** Shown in the test names (`express 5`, `koa 3`). */
  name: string;
  /** Added to both engines of the suite: a logger, instruments. */
  keyward?: SuiteEngineOptions;
  /** Starts a real server on 127.0.0.1 (port 0) with the routes of `harness.routes` mounted. */
  start(harness: AdapterHarness): Promise<StartedAdapter> | StartedAdapter;
  /**
   * The store of the main engine. By default a small in-suite map, so that core depends on no
   * store package; pass `memoryStore` (or a real database) to run the suite on it.
   */
  createStore?: () => Promise<KeyStore> | KeyStore;
  /**
   * What the server does with two `Authorization` headers. `'refused'`: the adapter sees both and
   * refuses the request (`malformed_header`), as every adapter that reads Node's raw headers must. `'first'`: a
   * fact of the server, not a choice: Node's HTTP server kept only the first header before any code
   * of the adapter ran (`next start`, whose handlers get a `Headers` built from `req.headers`), so
   * the request must be answered as if the first header alone was sent. Document it in the
   * adapter's README, with the way to get `'refused'` (a server with `joinDuplicateHeaders`).
   * @default 'refused'
   */
  duplicateAuthorization?: 'refused' | 'first';
  /**
   * Hostile requests the server itself answers with a 500 before any code of the adapter can run:
   * facts of the server, like `duplicateAuthorization: 'first'`. `'forbidden-methods'`: `TRACE`
   * (Next.js builds a Web `Request` for every request, and the Fetch standard forbids that
   * method); `'asterisk-form'`: the target `*` (`GET *`, `OPTIONS *`). The suite then expects exactly
   * that 500 (still never a pass), so that a server that stops doing it shows up. Document each in
   * the adapter's README, with the way to answer a 4xx instead (a custom server).
   * @default []
   */
  serverFaults?: readonly ServerFault[];
}

/** See {@link AdapterSuiteOptions.serverFaults}. */
export type ServerFault = 'forbidden-methods' | 'asterisk-form';

export const ROUTES: AdapterRoutes = Object.freeze({
  protected: { path: '/protected' },
  scoped: { path: '/scoped', scopes: ['notes:write'] },
  workspace: { path: '/workspaces/:ws/protected', param: 'ws' },
  down: { path: '/down' },
  unprotected: { path: '/unprotected' },
  group: { prefix: '/group', path: '/group/protected' },
} as const);

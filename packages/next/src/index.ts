import type { ApiKey, Keyward, KeywardError, VerifyOptions } from '@keyward/core';
import { type RouteOptions, requireEngine, routeOptions, verifyRequest, withResponseHeaders, type FetchHandler } from '@keyward/core/adapter';
// `next` has no `exports` map: the `.js` suffix lets Node's ESM loader find it outside a bundler
// (tests of route handlers under Node, Vitest).
import { type NextRequest, NextResponse } from 'next/server.js';

/**
 * Keyward for Next.js App Router (15 and 16): {@link withApiKey} wraps a route handler, on the
 * Node and the Edge runtime; {@link apiKeyProxy} guards path prefixes in `proxy.ts` (Next 16) or
 * `middleware.ts`. Only Web APIs are used: `@keyward/core` imports no Node built-in.
 *
 * The key is read from the `Authorization` header only, never from the URL.
 */

/** What `withApiKey` adds to the context of a route handler. */
export interface ApiKeyContext {
  /** The key verified for this request. Never shared between requests nor set by anything else. */
  readonly apiKey: ApiKey;
}

/** The context Next.js passes to a route handler: the route's dynamic segments, as a promise. */
export interface RouteHandlerContext<Params = Record<string, string | string[] | undefined>> {
  params: Promise<Params>;
}

/** A route handler that receives the verified key in its context (`context.apiKey`). */
export type ApiKeyRouteHandler<Context extends RouteHandlerContext<unknown>> = (
  request: NextRequest,
  context: Context & ApiKeyContext,
) => Response | Promise<Response>;

type ParamsOf<Context> = Context extends RouteHandlerContext<infer P> ? P : never;

/** Options of {@link withApiKey}. */
export interface WithApiKeyOptions<Params = Record<string, string | string[] | undefined>> {
  /** The engine that verifies the key (built once, in a module of your app). */
  keyward: Keyward;
  /** Scopes the key must grant; a key without one of them gets a 403 `insufficient_scope`. */
  scopes?: readonly string[];
  /**
   * The workspace the route serves, or a function of the request and the route's (awaited)
   * params: `(request, params) => params.ws`. A key of another workspace is refused exactly like an
   * unknown key. A function must return a non-empty string, else the handler throws (a 500, never
   * a pass).
   */
  workspaceId?: string | ((request: NextRequest, params: Params) => string);
  /** The environment the route serves (`live`), or a function of the request and the params. */
  environment?: string | ((request: NextRequest, params: Params) => string);
  /**
   * Called with every refusal before it is answered; use it to log or count. A `store_unavailable`
   * error (answered 503 with `Retry-After`) means the key store is down: alert on it.
   */
  onRefused?: (error: KeywardError, request: NextRequest) => void;
}

async function check(
  keyward: Keyward,
  request: Request,
  options: VerifyOptions | undefined,
  onRefused: ((error: KeywardError, request: NextRequest) => void) | undefined,
) {
  const auth = await verifyRequest(keyward, request, options);
  if (!auth.ok) onRefused?.(auth.error, request as NextRequest);
  return auth;
}

/**
 * Wraps an App Router route handler: it runs only for a valid key, which it finds in
 * `context.apiKey`; every other request gets the engine's rendered refusal (status, headers and
 * body exactly as rendered). A failing key store answers 503 with `Retry-After`, never a pass.
 * The engine's success headers (`Deprecation`, `Sunset`, rate-limit headers) are added to the
 * handler's response unless it set them itself. Works on the Node and the Edge runtime.
 *
 * @example app/api/workspaces/[ws]/notes/route.ts
 * ```ts
 * import { withApiKey } from '@keyward/next';
 * import { keyward } from '@/lib/keyward';
 *
 * export const GET = withApiKey<RouteContext<'/api/workspaces/[ws]/notes'>>(
 *   async (request, { apiKey, params }) => Response.json({ workspace: apiKey.workspaceId, ws: (await params).ws }),
 *   { keyward, scopes: ['notes:read'], workspaceId: (request, params) => params.ws },
 * );
 * ```
 * @throws {TypeError} for a missing engine or handler, or options of the wrong type.
 * @throws {RangeError} for an invalid scope.
 */
export function withApiKey<Context extends RouteHandlerContext<unknown> = RouteHandlerContext>(
  handler: ApiKeyRouteHandler<Context>,
  options: WithApiKeyOptions<ParamsOf<Context>>,
): (request: NextRequest, context: Context) => Promise<Response> {
  if (typeof handler !== 'function') throw new TypeError('withApiKey needs a route handler (request, context) => Response as its first argument');
  if (!options || typeof options !== 'object') throw new TypeError('withApiKey needs options with the engine: withApiKey(handler, { keyward })');
  const { keyward, onRefused, workspaceId, environment } = options;
  requireEngine(keyward, 'withApiKey(handler, { keyward })');
  type Args = { request: NextRequest; params: ParamsOf<Context> };
  // The params are a promise in Next 15+: awaited only when a function of them is given.
  const needsParams = typeof workspaceId === 'function' || typeof environment === 'function';
  const resolve = routeOptions<Args>({
    scopes: options.scopes,
    workspaceId: typeof workspaceId === 'function' ? (a) => workspaceId(a.request, a.params) : workspaceId,
    environment: typeof environment === 'function' ? (a) => environment(a.request, a.params) : environment,
  } satisfies RouteOptions<Args>);
  return async (request, context) => {
    const params = needsParams ? ((await context?.params) as ParamsOf<Context>) : (undefined as ParamsOf<Context>);
    const auth = await check(keyward, request, resolve({ request, params }), onRefused);
    if (!auth.ok) return auth.response;
    const response = await handler(request, { ...context, apiKey: auth.key });
    return withResponseHeaders(response, auth.headers);
  };
}

/** The request header that carries the id of the key verified by {@link apiKeyProxy}. */
export const KEY_ID_HEADER = 'x-keyward-key-id';
/** The request header that carries the workspace of the key verified by {@link apiKeyProxy}. */
export const WORKSPACE_ID_HEADER = 'x-keyward-workspace-id';

/** Options of {@link apiKeyProxy}. */
export interface ApiKeyProxyOptions extends RouteOptions<NextRequest> {
  /** The engine that verifies the key. */
  keyward: Keyward;
  /**
   * Path prefixes that need a key: `'/api'` guards `/api` and `/api/…`, not `/apix`. Other paths
   * the proxy sees pass through (their forwarded headers still stripped). Leave it out to guard
   * every path of the proxy's `config.matcher`.
   */
  prefixes?: readonly string[];
  /**
   * Forward the verified key's id and workspace to the route handlers in the request headers
   * {@link KEY_ID_HEADER} and {@link WORKSPACE_ID_HEADER}. These headers are removed from every
   * request the proxy sees, so a client cannot send them itself.
   * @default true
   */
  forwardKey?: boolean;
  /** Called with every refusal before it is answered (a 503 means the key store is down). */
  onRefused?: (error: KeywardError, request: NextRequest) => void;
}

function prefixMatcher(prefixes: readonly string[] | undefined): (path: string) => boolean {
  if (prefixes === undefined) return () => true;
  if (!Array.isArray(prefixes)) throw new TypeError('prefixes must be an array of paths such as ["/api"]');
  const list = prefixes.map((p: unknown) => {
    if (typeof p !== 'string' || !p.startsWith('/')) throw new RangeError(`each prefix must be a path starting with "/", got ${JSON.stringify(p)}`);
    return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
  });
  return (path) => list.some((p) => p === '/' || path === p || (path.startsWith(p) && path.charCodeAt(p.length) === 47) /* / */);
}

/**
 * A proxy (`proxy.ts` in Next 16, `middleware.ts` before) that refuses requests without a valid key
 * under some path prefixes, with the engine's rendered error, and lets the others through.
 *
 * A proxy cannot hand objects to route handlers: only request headers reach them. So either wrap
 * the handlers in {@link withApiKey} as well (the second verification is a cache hit), or read the
 * key's id and workspace from the {@link KEY_ID_HEADER} and {@link WORKSPACE_ID_HEADER} request
 * headers, which the proxy sets after verifying and strips from every request it sees. Those
 * headers are trustworthy only on paths the proxy's `config.matcher` covers: elsewhere a client
 * could send them.
 *
 * @example proxy.ts
 * ```ts
 * import { apiKeyProxy } from '@keyward/next';
 * import { keyward } from '@/lib/keyward';
 *
 * export const proxy = apiKeyProxy({ keyward, prefixes: ['/api/v1'] });
 * export const config = { matcher: '/api/:path*' };
 * ```
 * @throws {TypeError} for a missing engine or options of the wrong type.
 * @throws {RangeError} for an invalid scope or prefix.
 */
export function apiKeyProxy(options: ApiKeyProxyOptions): (request: NextRequest) => Promise<Response> {
  if (!options || typeof options !== 'object') throw new TypeError('apiKeyProxy needs options with the engine: apiKeyProxy({ keyward })');
  const { keyward, onRefused } = options;
  requireEngine(keyward, 'apiKeyProxy({ keyward })');
  const guarded = prefixMatcher(options.prefixes);
  const resolve = routeOptions<NextRequest>({ scopes: options.scopes, workspaceId: options.workspaceId, environment: options.environment });
  const forward = options.forwardKey !== false;
  return async (request) => {
    const sent = request.headers.has(KEY_ID_HEADER) || request.headers.has(WORKSPACE_ID_HEADER);
    const path = request.nextUrl?.pathname ?? new URL(request.url).pathname;
    if (!guarded(path)) return sent ? NextResponse.next({ request: { headers: stripped(request.headers) } }) : NextResponse.next();
    const auth = await check(keyward, request, resolve(request), onRefused);
    if (!auth.ok) return auth.response;
    let response: NextResponse;
    if (forward) {
      const headers = stripped(request.headers);
      headers.set(KEY_ID_HEADER, auth.key.id);
      if (auth.key.workspaceId !== null) headers.set(WORKSPACE_ID_HEADER, auth.key.workspaceId);
      response = NextResponse.next({ request: { headers } });
    } else {
      response = sent ? NextResponse.next({ request: { headers: stripped(request.headers) } }) : NextResponse.next();
    }
    // Headers of the `next()` response are added to the route's response.
    for (const name in auth.headers) response.headers.set(name, auth.headers[name]!);
    return response;
  };
}

function stripped(incoming: Headers): Headers {
  const headers = new Headers(incoming);
  headers.delete(KEY_ID_HEADER);
  headers.delete(WORKSPACE_ID_HEADER);
  return headers;
}

/** The route handlers {@link fetchRoutes} returns, one per method. */
export interface FetchRouteHandlers {
  GET: FetchRoute;
  POST: FetchRoute;
  PUT: FetchRoute;
  PATCH: FetchRoute;
  DELETE: FetchRoute;
}

/**
 * A route handler of {@link fetchRoutes}: the request, and Next.js's context with the route's
 * params (typed loosely so that Next.js's route type check accepts it for any catch-all name).
 */
// biome-ignore lint/suspicious/noExplicitAny: Next.js checks the context against each route's own params type
export type FetchRoute = (request: Request, context: { params: Promise<any> }) => Promise<Response>;

/**
 * The route handlers of a catch-all route that mounts a web-standard handler — the
 * `@keyward/dashboard` management API — on the Node or the Edge runtime. The route's folder must
 * match the handler's base path: `app/keyward/[...path]/route.ts` for `/keyward`. Next.js answers
 * `HEAD` from `GET`, and `OPTIONS` itself (without CORS headers, so no cross-origin page gets a
 * preflight through).
 *
 * @example app/keyward/[...path]/route.ts
 * ```ts
 * export const { GET, POST, PUT, PATCH, DELETE } = fetchRoutes(createDashboard(keyward, { authorize }));
 * ```
 */
export function fetchRoutes(handler: FetchHandler): FetchRouteHandlers {
  if (typeof handler !== 'function') throw new TypeError('fetchRoutes() needs a (request: Request) => Promise<Response> handler');
  const route: FetchRoute = async (request, context) => {
    const params = (await context?.params) as Record<string, string | string[] | undefined> | undefined;
    return handler(params ? withoutRouteParams(request, params) : request);
  };
  return { GET: route, POST: route, PUT: route, PATCH: route, DELETE: route };
}

/**
 * The request without the query parameters the Edge runtime adds for the route's own segments
 * (`?path=api&path=me` for `[...path]`): the handler reads the path itself, and refuses unknown
 * parameters. A parameter is dropped only when its values are exactly the segments.
 */
function withoutRouteParams(request: Request, params: Record<string, string | string[] | undefined>): Request {
  const url = new URL(request.url);
  let changed = false;
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const segments = Array.isArray(value) ? value : [value];
    const present = url.searchParams.getAll(name);
    if (present.length === segments.length && present.every((v, i) => v === segments[i])) {
      url.searchParams.delete(name);
      changed = true;
    }
  }
  if (!changed) return request;
  const body = request.method === 'GET' || request.method === 'HEAD' ? null : request.body;
  return new Request(url, { method: request.method, headers: request.headers, body, ...(body ? { duplex: 'half' } : {}) } as RequestInit);
}

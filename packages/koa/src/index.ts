import type { ApiKey, Keyward } from '@keyward/core';
import {
  nodeAuthorization,
  type RouteHandlers,
  type RouteOptions,
  routeGuard,
  type FetchHandler,
  isUnderBasePath,
  toFetchRequest,
} from '@keyward/core/adapter';
import type { Middleware, Next, ParameterizedContext } from 'koa';

declare module 'koa' {
  interface DefaultState {
    /**
     * The key verified by `apiKey()` for this request. `undefined` on a route that has no
     * `apiKey()` middleware (`ctx.state` is new for every request).
     */
    apiKey?: ApiKey;
  }
}

/**
 * What a route requires: `scopes`, and `workspaceId` / `environment` as strings or functions of
 * the context (`(ctx) => ctx.params.ws` with `@koa/router`).
 */
// biome-ignore lint/suspicious/noExplicitAny: any context shape, as routers add their own (`ctx.params`)
export type ApiKeyOptions<Ctx = any> = RouteOptions<Ctx>;

type Call = [ctx: ParameterizedContext, next: Next];

const handlers: RouteHandlers<Call, Promise<void> | undefined> = {
  pass([ctx, next], key, headers) {
    ctx.state.apiKey = key;
    for (const name in headers) ctx.set(name, headers[name]!);
    return next();
  },
  refuse([ctx], rendered, error) {
    ctx.status = rendered.status;
    ctx.set(rendered.headers);
    ctx.body = rendered.body;
    if (error.status >= 500) ctx.app.emit('error', error, ctx);
    return undefined;
  },
  fail(_call, error) {
    throw error;
  },
};

/**
 * Koa middleware that lets a request through only with a valid API key, and puts the key on
 * `ctx.state.apiKey`.
 *
 * Refusals are answered with exactly the status, headers and body of the engine's renderer, and
 * `next` is not called. A failing key store is answered with the rendered 503 (with `Retry-After`)
 * and reported on Koa's error channel, `app.on('error', (err, ctx) => …)`, as a `KeywardError`
 * whose `status` is 503 — so it reaches your logging and alerts without any extra middleware.
 *
 * @example
 * ```ts
 * router.get('/notes', apiKey(keyward), (ctx) => { ctx.body = { workspace: ctx.state.apiKey!.workspaceId }; });
 * router.post('/workspaces/:ws/notes', apiKey(keyward, { scopes: ['notes:write'], workspaceId: (ctx) => ctx.params.ws }), create);
 * ```
 * @throws {TypeError} for a missing engine or options of the wrong type. @throws {RangeError} for an invalid scope.
 */
// biome-ignore lint/suspicious/noExplicitAny: as above
export function apiKey<Ctx extends ParameterizedContext<any, any, any> = any>(keyward: Keyward, options?: ApiKeyOptions<Ctx>): Middleware {
  const guard = routeGuard(keyward, options, handlers, 'apiKey(keyward, options)');
  return (ctx, next) => {
    ctx.state.apiKey = undefined;
    // Every Authorization header, from `rawHeaders`: `headers` silently drops a second one.
    return guard(ctx as Ctx, nodeAuthorization(ctx.req), [ctx, next]);
  };
}

/**
 * The verified key of a request, for handlers that want a non-optional type.
 * @throws {Error} when the route has no `apiKey()` middleware (a bug: better a 500 than a pass).
 */
export function getApiKey(ctx: { state: { apiKey?: ApiKey } }): ApiKey {
  if (ctx.state.apiKey === undefined) throw new Error('no verified API key on this request: mount apiKey(keyward) on this route');
  return ctx.state.apiKey;
}

/** Options of {@link fetchMiddleware}. */
export interface FetchMiddlewareOptions {
  /**
   * Only paths under this base reach the handler; others go to `next()`.
   * @default the handler's own `basePath` (`@keyward/dashboard` has one), else every path
   */
  basePath?: string;
}

/**
 * Mounts a web-standard handler — the `@keyward/dashboard` management API — in Koa. The handler
 * sees the full URL (`ctx.protocol`, `ctx.host` and `ctx.originalUrl`, so `app.proxy` applies),
 * every header and the body as a stream; a body that a body parser read first
 * (`ctx.request.body`) is passed on as it parsed it. Paths outside its base path go to `next()`.
 *
 * @example
 * ```ts
 * app.use(fetchMiddleware(createDashboard(keyward, { authorize })));
 * ```
 */
export function fetchMiddleware(handler: FetchHandler, options: FetchMiddlewareOptions = {}): Middleware {
  if (typeof handler !== 'function') throw new TypeError('fetchMiddleware() needs a (request: Request) => Promise<Response> handler');
  const basePath = options.basePath ?? handler.basePath;
  return async (ctx, next) => {
    if (!isUnderBasePath(ctx.path, basePath)) {
      await next();
      return;
    }
    const parsedBody = (ctx.request as { body?: unknown }).body;
    const response = await handler(toFetchRequest(ctx.req, { url: `${ctx.protocol}://${ctx.host}${ctx.originalUrl}`, parsedBody }));
    ctx.status = response.status;
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') ctx.set(name, value);
    });
    for (const cookie of response.headers.getSetCookie()) ctx.append('set-cookie', cookie);
    const body = new Uint8Array(await response.arrayBuffer());
    // Koa answers 204/304 without a body; anything else gets the bytes exactly — an empty buffer, not
    // `null`, for an empty body (a redirect): Koa turns a `null` body into a 204.
    ctx.body = response.status === 204 || response.status === 304 ? null : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  };
}

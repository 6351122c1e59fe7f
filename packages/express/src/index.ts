import { type ApiKey, isKeywardError, type Keyward } from '@keyward/core';
import {
  nodeAuthorization,
  type RouteHandlers,
  type RouteOptions,
  requireEngine,
  routeGuard,
  setHeaders,
  writeRendered,
  type FetchHandler,
  isUnderBasePath,
  toFetchRequest,
  writeFetchResponse,
} from '@keyward/core/adapter';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';

declare module 'express-serve-static-core' {
  interface Request {
    /**
     * The key verified by `apiKey()` for this request. `undefined` on a route that has no
     * `apiKey()` middleware: it is never shared between requests nor set by anything else.
     */
    apiKey?: ApiKey;
  }
}

/**
 * What a route requires: `scopes`, and `workspaceId` / `environment` as strings or functions of
 * the request (`(req) => req.params.ws`).
 */
// biome-ignore lint/suspicious/noExplicitAny: untyped params by default, like Express's own `RequestHandler<any>`
export type ApiKeyOptions<P = any> = RouteOptions<Request<P>>;

interface Call {
  req: { apiKey?: ApiKey };
  res: Response;
  next: NextFunction;
}

const handlers: RouteHandlers<Call> = {
  pass({ req, res, next }, key, headers) {
    req.apiKey = key;
    setHeaders(res, headers);
    next();
  },
  // A failing store goes to the error middleware (monitoring sees it); a refusal is answered at once.
  refuse: ({ res, next }, rendered, error) => (error.status >= 500 ? next(error) : writeRendered(res, rendered)),
  fail: ({ next }, error) => next(error),
};

/**
 * Express middleware (Express 5 and 4) that lets a request through only with a valid API key, and
 * puts the key on `req.apiKey`.
 *
 * Refusals (401, 403, …) are answered at once with the engine's renderer. A failing key store is
 * passed to `next(error)` — a `KeywardError` with `status` 503 — so that your error monitoring sees
 * it; mount {@link apiKeyErrorHandler} after your routes to answer it with the rendered 503 and its
 * `Retry-After`. Without it, Express's default handler still answers 503: never a pass.
 *
 * @example
 * ```ts
 * app.get('/notes', apiKey(keyward), (req, res) => res.json({ workspace: req.apiKey!.workspaceId }));
 * app.post('/workspaces/:ws/notes', apiKey(keyward, { scopes: ['notes:write'], workspaceId: (req) => req.params.ws }), create);
 * app.use(apiKeyErrorHandler(keyward));
 * ```
 * @throws {TypeError} for a missing engine or options of the wrong type. @throws {RangeError} for an invalid scope.
 */
// biome-ignore lint/suspicious/noExplicitAny: as above
export function apiKey<P = any>(keyward: Keyward, options?: ApiKeyOptions<P>): RequestHandler<P> {
  const guard = routeGuard(keyward, options, handlers, 'apiKey(keyward, options)');
  return (req, res, next) => {
    req.apiKey = undefined;
    // Every Authorization header, from `rawHeaders`: `headers` silently drops a second one.
    guard(req, nodeAuthorization(req), { req, res, next });
  };
}

/**
 * Error middleware that answers every `KeywardError` (a failing store from `apiKey()`, or a
 * `not_found` / `conflict` thrown by the lifecycle in your routes) with the engine's renderer, and
 * passes anything else on. Mount it after your routes.
 */
export function apiKeyErrorHandler(keyward: Keyward): ErrorRequestHandler {
  requireEngine(keyward, 'apiKeyErrorHandler(keyward)');
  return (error: unknown, _req, res, next) => {
    if (!isKeywardError(error) || res.headersSent) {
      next(error);
      return;
    }
    writeRendered(res, keyward.render(error));
  };
}

/**
 * The verified key of a request, for handlers that want a non-optional type.
 * @throws {Error} when the route has no `apiKey()` middleware (a bug: better a 500 than a pass).
 */
export function getApiKey(req: Request): ApiKey {
  if (req.apiKey === undefined) throw new Error('no verified API key on this request: mount apiKey(keyward) on this route');
  return req.apiKey;
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
 * Mounts a web-standard handler — the `@keyward/dashboard` management API — in Express (5 and 4).
 * The handler sees the full URL (`req.originalUrl`, so `app.use('/keyward', …)` works too), every
 * header, and the body as a stream; a body that `express.json()` or another parser read first is
 * passed on as it parsed it. Paths outside its base path go to `next()`; a throwing handler goes to
 * `next(error)`.
 *
 * @example
 * ```ts
 * app.use(fetchMiddleware(createDashboard(keyward, { authorize })));
 * ```
 */
export function fetchMiddleware(handler: FetchHandler, options: FetchMiddlewareOptions = {}): RequestHandler {
  if (typeof handler !== 'function') throw new TypeError('fetchMiddleware() needs a (request: Request) => Promise<Response> handler');
  const basePath = options.basePath ?? handler.basePath;
  return (req, res, next) => {
    if (!isUnderBasePath(req.originalUrl.split('?')[0]!, basePath)) {
      next();
      return;
    }
    let request: globalThis.Request;
    try {
      request = toFetchRequest(req, { url: `${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`, parsedBody: req.body });
    } catch (error) {
      next(error);
      return;
    }
    handler(request)
      .then((response) => writeFetchResponse(res, response))
      .catch(next);
  };
}

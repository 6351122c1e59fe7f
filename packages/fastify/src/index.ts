import type { ApiKey, Keyward } from '@keyward/core';
import {
  failureLogFields,
  nodeAuthorization,
  type RouteHandlers,
  type RouteOptions,
  routeGuard,
  type FetchHandler,
  toFetchRequest,
} from '@keyward/core/adapter';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';

/** What a route requires: `scopes`, and `workspaceId` / `environment` as strings or functions of the request. */
export type ApiKeyRouteOptions = RouteOptions<FastifyRequest>;

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The key verified for this request, or `null` on a route that is not protected (Fastify
     * creates it anew for every request from the `decorateRequest('apiKey', null)` default).
     */
    apiKey: ApiKey | null;
  }
  interface FastifyContextConfig {
    /**
     * Requirements of the route (`{ scopes: ['notes:write'] }`), `true` for any valid key, or
     * `false` for a public route in a protected scope.
     */
    apiKey?: ApiKeyRouteOptions | boolean;
  }
}

/** Options of {@link fastifyKeyward}. */
export interface FastifyKeywardOptions {
  /** The engine. */
  keyward: Keyward;
  /**
   * `true`: every route declared after the plugin, in its scope, needs a key unless its config says
   * `apiKey: false`. `false`: only routes whose config has `apiKey` need one.
   * @default true
   */
  protectAll?: boolean;
}

interface Call {
  request: FastifyRequest;
  reply: FastifyReply;
  done: HookHandlerDoneFunction;
}

const handlersFor = (keyward: Keyward): RouteHandlers<Call> => ({
  pass({ request, reply, done }, key, headers) {
    request.apiKey = key;
    for (const name in headers) reply.header(name, headers[name]);
    done();
  },
  refuse({ request, reply }, rendered, error) {
    // Logged as Fastify logs the 5xx it renders itself: the store is down, someone must know.
    // Its fields only (code, the failing class, a redacted message): never the error object, whose
    // cause a serializer would print as it is.
    if (error.status >= 500) request.log.error(failureLogFields(keyward, error), 'API key verification failed: key store unavailable');
    // Bytes, not a string: Fastify would append `; charset=utf-8` to a JSON content type.
    reply.code(rendered.status).headers(rendered.headers).send(Buffer.from(rendered.body, 'utf8'));
  },
  fail: ({ done }, error) => done(error as Error),
});

function authenticate(keyward: Keyward, options: ApiKeyRouteOptions | undefined): onRequestHookHandler {
  const guard = routeGuard(keyward, options, handlersFor(keyward), 'fastify.register(fastifyKeyward, { keyward })');
  return function keywardOnRequest(request, reply, done) {
    // Every Authorization header, from `rawHeaders`: `headers` silently drops a second one.
    guard(request, nodeAuthorization(request.raw), { request, reply, done });
  };
}

const plugin: FastifyPluginCallback<FastifyKeywardOptions> = (fastify, options, done) => {
  const { keyward } = options ?? ({} as FastifyKeywardOptions);
  if (!keyward || typeof keyward.verify !== 'function') {
    done(new TypeError('@keyward/fastify needs the engine: fastify.register(fastifyKeyward, { keyward })'));
    return;
  }
  const protectAll = options.protectAll ?? true;
  fastify.decorateRequest('apiKey', null);
  fastify.addHook('onRoute', (route) => {
    const setting = route.config?.apiKey;
    if (setting === false || (setting === undefined && !protectAll)) return;
    // Checked in `onRequest`, before the body is read or parsed; first among the route's own hooks.
    const hook = authenticate(keyward, typeof setting === 'object' ? setting : undefined);
    const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [hook, ...existing];
  });
  done();
};

/**
 * Fastify 5 plugin: checks the API key in `onRequest` (before the body is read), puts the key on
 * `request.apiKey`, and answers refusals with exactly the status, headers and body of the engine's
 * renderer. A failing key store is answered with the rendered 503 (with `Retry-After`) and logged at
 * `error` level, as Fastify logs the 5xx it renders itself. Routes declared before the plugin are
 * not affected (Fastify's `onRoute` rule): register it first, in the scope it should protect.
 *
 * @example
 * ```ts
 * await app.register(fastifyKeyward, { keyward });
 * app.get('/notes', (request) => ({ workspace: request.apiKey!.workspaceId }));
 * app.post('/workspaces/:ws/notes', { config: { apiKey: { scopes: ['notes:write'], workspaceId: (r) => (r.params as { ws: string }).ws } } }, create);
 * app.get('/health', { config: { apiKey: false } }, () => 'ok');
 * ```
 */
export const fastifyKeyward = fp(plugin, { fastify: '5.x', name: '@keyward/fastify' });

/**
 * The verified key of a request, for handlers that want a non-null type.
 * @throws {Error} when the route is not protected (a bug: better a 500 than a pass).
 */
export function getApiKey(request: FastifyRequest): ApiKey {
  if (!request.apiKey) throw new Error('no verified API key on this request: register @keyward/fastify in the scope of this route');
  return request.apiKey;
}

/** Options of {@link fetchPlugin}. */
export interface FetchPluginOptions {
  /** The web-standard handler: `createDashboard(keyward, { authorize })`. */
  handler: FetchHandler;
  /**
   * The path the handler answers under (its routes are `<basePath>` and `<basePath>/*`), inside the
   * plugin's prefix. @default the handler's own `basePath` (`@keyward/dashboard` has one)
   */
  basePath?: string;
}

/**
 * Fastify 5 plugin that mounts a web-standard handler — the `@keyward/dashboard` management API —
 * under its base path, for every method. In its own scope the body is not parsed (the handler
 * reads and limits it itself): register it as it is (it is encapsulated on purpose). Its routes
 * need no API key even under a `fastifyKeyward` that protects everything (`config.apiKey: false`):
 * the dashboard has its own sign-in.
 *
 * @example
 * ```ts
 * await app.register(fetchPlugin, { handler: createDashboard(keyward, { authorize }) });
 * ```
 */
export const fetchPlugin: FastifyPluginCallback<FetchPluginOptions> = (fastify, options, done) => {
  const handler = options?.handler;
  const basePath = options?.basePath ?? handler?.basePath;
  if (typeof handler !== 'function' || typeof basePath !== 'string') {
    done(new TypeError('fetchPlugin needs { handler } with a basePath: fastify.register(fetchPlugin, { handler: createDashboard(...) })'));
    return;
  }
  // In this plugin's scope only: bodies stay unread streams, for the handler to read (and limit).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request: FastifyRequest, _payload: unknown, parsed: (error: null) => void) => parsed(null));
  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const url = `${request.protocol}://${request.host}${request.raw.url ?? request.url}`;
    const response = await handler(toFetchRequest(request.raw, { url }));
    reply.code(response.status);
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') reply.header(name, value);
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) reply.header('set-cookie', cookies);
    // Bytes, not a string: Fastify would append `; charset=utf-8` to a JSON content type.
    return reply.send(Buffer.from(await response.arrayBuffer()));
  };
  for (const path of [basePath, `${basePath}/*`]) fastify.all(path, { config: { apiKey: false } }, serve);
  done();
};

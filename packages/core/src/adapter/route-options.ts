import type { VerifyOptions } from '../engine/types.js';
import { normalizeScopes } from '../scope/scopes.js';

/**
 * What one route requires of a key, in terms of the framework's own request object (`Req`): an
 * Express `Request`, a Koa `Context`, a Fastify `FastifyRequest`, a Web `Request`. Shared by every
 * adapter so that `apiKey(keyward, options)` means the same thing everywhere.
 *
 * @example
 * ```ts
 * apiKey(keyward, { scopes: ['notes:write'], workspaceId: (req) => req.params.ws })
 * ```
 */
export interface RouteOptions<Req> {
  /** Scopes the key must grant; a key without one of them gets a 403 `insufficient_scope`. */
  scopes?: readonly string[];
  /**
   * The workspace the route serves, or a function that reads it from the request (a path
   * parameter). A key of another workspace is refused exactly like an unknown key.
   *
   * A function must return a non-empty string: `undefined` would silently drop the workspace check,
   * so it throws a `TypeError` instead, which the adapter hands to the framework's error path (500).
   */
  workspaceId?: string | ((request: Req) => string);
  /** The environment the route serves (`live`), or a function that reads it from the request. */
  environment?: string | ((request: Req) => string);
}

/** Turns {@link RouteOptions} into the `verify` options of one request. */
export type RouteOptionsResolver<Req> = (request: Req) => VerifyOptions | undefined;

function checkValue(value: unknown, what: string): void {
  if (value === undefined || typeof value === 'function') return;
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${what} must be a non-empty string or a function of the request that returns one`);
  }
}

function resolved(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(
      `${what}(request) returned ${value === '' ? 'an empty string' : typeof value}: it must return the non-empty ${what} of the route`,
    );
  }
  return value;
}

/**
 * Checks route options once, when the route is declared, and returns the function that gives the
 * `verify` options of each request. Static options cost nothing per request (one shared object).
 *
 * @throws {TypeError} for options of the wrong type. @throws {RangeError} for an invalid scope.
 */
export function routeOptions<Req>(options: RouteOptions<Req> | undefined): RouteOptionsResolver<Req> {
  if (options === undefined || options === null) return () => undefined;
  if (typeof options !== 'object') throw new TypeError('route options must be an object: { scopes, workspaceId, environment }');
  const scopes = options.scopes === undefined ? undefined : Object.freeze(normalizeScopes(options.scopes));
  const { workspaceId, environment } = options;
  checkValue(workspaceId, 'workspaceId');
  checkValue(environment, 'environment');
  const base: VerifyOptions = {};
  if (scopes !== undefined && scopes.length > 0) base.scopes = scopes;
  if (typeof workspaceId === 'string') base.workspaceId = workspaceId;
  if (typeof environment === 'string') base.environment = environment;
  if (typeof workspaceId !== 'function' && typeof environment !== 'function') {
    const fixed = Object.freeze(base);
    return () => fixed;
  }
  return (request) => {
    const out: VerifyOptions = { ...base };
    if (typeof workspaceId === 'function') out.workspaceId = resolved(workspaceId(request), 'workspaceId');
    if (typeof environment === 'function') out.environment = resolved(environment(request), 'environment');
    return out;
  };
}

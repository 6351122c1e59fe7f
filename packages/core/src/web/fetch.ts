import { type RouteOptions, routeOptions } from '../adapter/route-options.js';
import { requireEngine } from '../adapter/route-guard.js';
import type { Keyward } from '../engine/keyward.js';
import type { ApiKey } from '../engine/types.js';
import type { KeywardError } from '../errors.js';
import { type AuthenticateResult, verifyRequest, withResponseHeaders } from './response.js';

/**
 * Authentication for servers built on the Web `Request`/`Response` pair: Hono, Bun, Deno,
 * Cloudflare Workers, the Next.js edge runtime. Only Web APIs are used.
 *
 * The key is read from the `Authorization` header only, never from the URL (`?access_token=` is
 * ignored: RFC 6750 §5.3, URLs end up in logs).
 */

export type { AuthenticateResult } from './response.js';

/** Route requirements of the fetch helpers; functions receive the `Request`. */
export type FetchAuthOptions = RouteOptions<Request>;

/**
 * Authenticates a Web `Request`.
 *
 * @example Hono
 * ```ts
 * app.post('/notes', async (c) => {
 *   const auth = await authenticateRequest(keyward, c.req.raw, { scopes: ['notes:write'] });
 *   if (!auth.ok) return auth.response;
 *   return c.json({ owner: auth.key.workspaceId });
 * });
 * ```
 * @throws {TypeError} when a `workspaceId`/`environment` function returns no string (a route bug).
 */
export async function authenticateRequest(keyward: Keyward, request: Request, options?: FetchAuthOptions): Promise<AuthenticateResult> {
  return verifyRequest(keyward, request, routeOptions(options)(request));
}

/** A handler that receives the verified key after the request (and any extra arguments). */
export type ApiKeyFetchHandler<Args extends unknown[]> = (request: Request, key: ApiKey, ...rest: Args) => Response | Promise<Response>;

/** Options of {@link withApiKey}: the engine and what the route requires. */
export interface WithApiKeyOptions extends FetchAuthOptions {
  /** The engine that verifies the key (built once, in a module of your app). */
  keyward: Keyward;
  /**
   * Called with every refusal before it is returned; use it to log or count. A `store_unavailable`
   * error (503) means the key store is down.
   */
  onRefused?: (error: KeywardError, request: Request) => void;
}

/**
 * Wraps a `(request) => Response` handler: the handler runs only for a verified key; every other
 * request gets the rendered refusal. Extra arguments (a Worker's `env` and `ctx`) are passed on.
 * Headers of the engine (`Deprecation`, `Sunset`) are added to the handler's response unless the
 * handler set them itself. Same shape as `withApiKey` of `@keyward/next`: the handler, then the
 * options with the engine.
 *
 * @example Bun / Deno / Workers
 * ```ts
 * export default {
 *   fetch: withApiKey((request, key) => Response.json({ workspace: key.workspaceId }), { keyward, scopes: ['notes:read'] }),
 * };
 * ```
 * @throws {TypeError} for a missing engine or handler. @throws {RangeError} for an invalid scope.
 */
export function withApiKey<Args extends unknown[] = []>(
  handler: ApiKeyFetchHandler<Args>,
  options: WithApiKeyOptions,
): (request: Request, ...rest: Args) => Promise<Response>;
/**
 * @deprecated The engine goes into the options now: `withApiKey(handler, { keyward, ...options })`.
 * This call shape is removed in the next release.
 */
export function withApiKey<Args extends unknown[] = []>(
  keyward: Keyward,
  handler: ApiKeyFetchHandler<Args>,
  options?: Omit<WithApiKeyOptions, 'keyward'>,
): (request: Request, ...rest: Args) => Promise<Response>;
export function withApiKey<Args extends unknown[] = []>(
  first: ApiKeyFetchHandler<Args> | Keyward,
  second?: WithApiKeyOptions | ApiKeyFetchHandler<Args>,
  third?: Omit<WithApiKeyOptions, 'keyward'>,
): (request: Request, ...rest: Args) => Promise<Response> {
  const legacyShape = typeof first !== 'function';
  const handler = (legacyShape ? second : first) as ApiKeyFetchHandler<Args>;
  const options = (legacyShape ? { ...third, keyward: first } : second) as WithApiKeyOptions;
  if (typeof handler !== 'function') throw new TypeError('withApiKey needs a handler (request, key) => Response as its first argument');
  if (!options || typeof options !== 'object') throw new TypeError('withApiKey needs options with the engine: withApiKey(handler, { keyward })');
  const { keyward, onRefused } = options;
  requireEngine(keyward, 'withApiKey(handler, { keyward })');
  const resolve = routeOptions<Request>(options);
  return async (request, ...rest) => {
    const auth = await verifyRequest(keyward, request, resolve(request));
    if (!auth.ok) {
      onRefused?.(auth.error, request);
      return auth.response;
    }
    const response = await handler(request, auth.key, ...rest);
    return withResponseHeaders(response, auth.headers);
  };
}

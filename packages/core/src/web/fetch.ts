import type { Keyward } from '../engine/keyward.js';
import type { ApiKey, VerifyOptions } from '../engine/types.js';
import type { KeywardError } from '../errors.js';
import type { RenderedError } from '../render/types.js';
import { type RouteOptions, routeOptions } from './route-options.js';

/**
 * Authentication for servers built on the Web `Request`/`Response` pair: Hono, Bun, Deno,
 * Cloudflare Workers, the Next.js edge runtime. Only Web APIs are used.
 *
 * The key is read from the `Authorization` header only, never from the URL (`?access_token=` is
 * ignored: RFC 6750 §5.3, URLs end up in logs). A Web `Headers` joins two `Authorization` headers
 * with `", "`, which the header parser refuses as malformed.
 */

/** Route requirements of the fetch helpers; functions receive the `Request`. */
export type FetchAuthOptions = RouteOptions<Request>;

/** The result of {@link authenticateRequest}. */
export type AuthenticateResult =
  | {
      readonly ok: true;
      readonly key: ApiKey;
      /** Headers to add to the response (`Deprecation`, `Sunset`, …); lowercase names. */
      readonly headers: Readonly<Record<string, string>>;
    }
  | {
      readonly ok: false;
      /** Why, for logs and metrics. A 503 (`store_unavailable`) deserves an alert. */
      readonly error: KeywardError;
      /** The rendered refusal, ready to return. */
      readonly response: Response;
    };

/** A `Response` with exactly the status, headers and body a renderer produced. */
export function renderedResponse(rendered: RenderedError): Response {
  return new Response(rendered.body, { status: rendered.status, headers: rendered.headers });
}

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
  return check(keyward, request, routeOptions(options)(request));
}

async function check(keyward: Keyward, request: Request, options: VerifyOptions | undefined): Promise<AuthenticateResult> {
  const pending = keyward.verifyNow(request.headers, options);
  const result = 'then' in pending ? await pending : pending;
  if (result.ok) return result;
  return { ok: false, error: result.error, response: renderedResponse(keyward.render(result.error)) };
}

/** A handler that receives the verified key after the request (and any extra arguments). */
export type ApiKeyFetchHandler<Args extends unknown[]> = (request: Request, key: ApiKey, ...rest: Args) => Response | Promise<Response>;

/** Options of {@link withApiKey}. */
export interface WithApiKeyOptions extends FetchAuthOptions {
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
 * handler set them itself.
 *
 * @example Bun / Deno / Workers
 * ```ts
 * export default {
 *   fetch: withApiKey(keyward, (request, key) => Response.json({ workspace: key.workspaceId }), { scopes: ['notes:read'] }),
 * };
 * ```
 * @throws {TypeError} for a missing engine or handler. @throws {RangeError} for an invalid scope.
 */
export function withApiKey<Args extends unknown[] = []>(
  keyward: Keyward,
  handler: ApiKeyFetchHandler<Args>,
  options?: WithApiKeyOptions,
): (request: Request, ...rest: Args) => Promise<Response> {
  if (!keyward || typeof keyward.verify !== 'function') throw new TypeError('withApiKey needs the Keyward engine as its first argument');
  if (typeof handler !== 'function') throw new TypeError('withApiKey needs a handler (request, key) => Response');
  const resolve = routeOptions(options);
  const onRefused = options?.onRefused;
  return async (request, ...rest) => {
    const auth = await check(keyward, request, resolve(request));
    if (!auth.ok) {
      onRefused?.(auth.error, request);
      return auth.response;
    }
    const response = await handler(request, auth.key, ...rest);
    return withResponseHeaders(response, auth.headers);
  };
}

/**
 * Adds the success headers of a verification (`Deprecation`, `Sunset`, rate-limit headers) to a
 * handler's `Response`, keeping any header the handler set itself. Returns the same `Response`, or
 * a copy when its headers are immutable (`fetch()` results, `Response.redirect()`). For adapters
 * that wrap a handler of their own shape (Next.js route handlers).
 */
export function withResponseHeaders(response: Response, headers: Readonly<Record<string, string>>): Response {
  let out = response;
  for (const name in headers) {
    if (out.headers.has(name)) continue;
    try {
      out.headers.set(name, headers[name]!);
    } catch {
      // The headers of `fetch()` results and `Response.redirect()` are immutable: copy once.
      out = new Response(out.body, out);
      out.headers.set(name, headers[name]!);
    }
  }
  return out;
}

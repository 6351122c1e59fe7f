import type { Keyward } from '../engine/keyward.js';
import type { ApiKey, VerifyOptions, VerifyResult } from '../engine/types.js';
import type { KeywardError } from '../errors.js';
import type { HeaderBag } from '../header/authorization.js';
import { isPromiseLike } from '../internal/awaitable.js';
import type { RenderedError } from '../render/types.js';
import { type RouteOptions, routeOptions } from './route-options.js';

/**
 * What a framework adapter does with the outcome of one request's verification, on the
 * framework's own objects (`Ctx`: whatever the adapter needs, e.g. `{ req, res, next }`).
 */
export interface RouteHandlers<Ctx, R = void> {
  /** The key passed: put it on the request, add `headers` to the response (lowercase names), go on. */
  pass(ctx: Ctx, key: ApiKey, headers: Readonly<Record<string, string>>): R;
  /**
   * The request is refused: answer with `rendered` exactly (status, headers, body). An `error` whose
   * `status` is 500 or more is an outage (the key store failed): report it too (log, error event).
   */
  refuse(ctx: Ctx, rendered: RenderedError, error: KeywardError): R;
  /** A route option function threw (a bug of the route): hand it to the framework's error path (500). */
  fail(ctx: Ctx, error: unknown): R;
}

/** Verifies one request of a route and calls one of its handlers, once: at once when the engine answered at once. */
export type RouteGuard<Req, Ctx, R = void> = (request: Req, headers: HeaderBag, ctx: Ctx) => R | Promise<R>;

/**
 * @throws {TypeError} unless `keyward` is the engine; `usage` shows the call that takes it (`'apiKey(keyward, options)'`).
 */
export function requireEngine(keyward: unknown, usage: string): asserts keyward is Keyward {
  if (!keyward || typeof (keyward as Keyward).verifyNow !== 'function') throw new TypeError(`${usage} needs the Keyward engine`);
}

/**
 * The glue every Node framework adapter repeats: the engine checked and the route options resolved
 * once, when the route is declared; per request, the route options of the request, the
 * verification, and the outcome handed to `handlers` — synchronously when the engine answered at
 * once (the memory store, a warm cache: no promise, no extra tick; see `verifyNow`).
 *
 * @example Express
 * ```ts
 * const guard = routeGuard(keyward, options, handlers, 'apiKey(keyward, options)');
 * return (req, res, next) => guard(req, nodeAuthorization(req), { req, res, next });
 * ```
 * @throws {TypeError} for a missing engine or options of the wrong type. @throws {RangeError} for an invalid scope.
 */
export function routeGuard<Req, Ctx, R = void>(
  keyward: Keyward,
  options: RouteOptions<Req> | undefined,
  handlers: RouteHandlers<Ctx, R>,
  usage: string,
): RouteGuard<Req, Ctx, R> {
  requireEngine(keyward, usage);
  const resolve = routeOptions(options);
  const answer = (ctx: Ctx, result: VerifyResult): R =>
    result.ok ? handlers.pass(ctx, result.key, result.headers) : handlers.refuse(ctx, keyward.render(result.error), result.error);
  return (request, headers, ctx) => {
    let verifyOptions: VerifyOptions | undefined;
    try {
      verifyOptions = resolve(request);
    } catch (error) {
      return handlers.fail(ctx, error);
    }
    const verdict = keyward.verifyNow(headers, verifyOptions);
    if (!isPromiseLike(verdict)) return answer(ctx, verdict);
    return verdict.then(
      (result) => answer(ctx, result),
      (error: unknown) => handlers.fail(ctx, error),
    );
  };
}

import type { Keyward } from '../engine/keyward.js';
import type { ApiKey, VerifyOptions } from '../engine/types.js';
import type { KeywardError } from '../errors.js';
import { isPromiseLike } from '../internal/awaitable.js';
import type { RenderedError } from '../render/types.js';

/** The glue of adapters on the Web `Request`/`Response` pair (the fetch helper, Next.js). */

/** The result of verifying a Web `Request`: the key and its headers, or the error and its ready `Response`. */
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
 * Verifies a Web `Request` with resolved verify options; a refusal comes with its rendered
 * `Response`. A Web `Headers` joins two `Authorization` headers with `", "`, which the header
 * parser refuses as malformed.
 */
export async function verifyRequest(keyward: Keyward, request: Request, options: VerifyOptions | undefined): Promise<AuthenticateResult> {
  const verdict = keyward.verifyNow(request.headers, options);
  // An answer at once (the memory store, a warm cache) costs no extra tick.
  const result = isPromiseLike(verdict) ? await verdict : verdict;
  if (result.ok) return result;
  return { ok: false, error: result.error, response: renderedResponse(keyward.render(result.error)) };
}

/**
 * Adds the success headers of a verification (`Deprecation`, `Sunset`, rate-limit headers) to a
 * handler's `Response`, keeping any header the handler set itself. Returns the same `Response`, or
 * a copy when its headers are immutable (`fetch()` results, `Response.redirect()`).
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

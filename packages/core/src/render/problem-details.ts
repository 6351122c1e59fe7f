import type { KeywardError } from '../errors.js';
import { type ChallengeOptions, errorHeaders } from './challenge.js';
import type { RenderedError, Renderer } from './types.js';

/** Options of {@link problemDetails}. */
export interface ProblemDetailsOptions extends ChallengeOptions {
  /**
   * Base of the problem `type` URI; the error code is appended (`https://docs.example.com/errors/`
   * → `https://docs.example.com/errors/invalid_key`). Without it, `type` is `about:blank` and the
   * title is the status phrase (RFC 9457 §4.2.1); the `code` member always names the error.
   */
  typeBase?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/**
 * RFC 9457 Problem Details: `application/problem+json` with `type`, `title`, `status`, `detail`,
 * plus the extension members `code` and, for 403, `missing_scopes`.
 */
export function problemDetails(options: ProblemDetailsOptions = {}): Renderer {
  return (error: KeywardError): RenderedError => {
    const body: Record<string, unknown> = {
      type: error.type ?? (options.typeBase ? `${options.typeBase}${error.code}` : 'about:blank'),
      title: TITLES[error.status] ?? 'Error',
      status: error.status,
      detail: error.message,
      code: error.code,
    };
    if (error.missingScopes?.length) body.missing_scopes = [...error.missingScopes];
    if (error.retryAfter !== undefined) body.retry_after = Math.max(0, Math.ceil(error.retryAfter));
    const headers = errorHeaders(error, options);
    headers['content-type'] = 'application/problem+json';
    return { status: error.status, headers, body: JSON.stringify(body) };
  };
}

/**
 * A renderer for any JSON body shape a provider documents.
 *
 * @example Tixallo's `{"error":"Unauthorized"}`
 * ```ts
 * jsonRenderer((error) => ({ error: error.status === 401 ? 'Unauthorized' : error.code }))
 * ```
 */
export function jsonRenderer(body: (error: KeywardError) => unknown, options: ChallengeOptions & { contentType?: string } = {}): Renderer {
  return (error: KeywardError): RenderedError => {
    const headers = errorHeaders(error, options);
    headers['content-type'] = options.contentType ?? 'application/json; charset=utf-8';
    return { status: error.status, headers, body: JSON.stringify(body(error)) };
  };
}

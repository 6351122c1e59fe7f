import type { KeywardError } from '../errors.js';

/** Options of the RFC 6750 `WWW-Authenticate` challenge. */
export interface ChallengeOptions {
  /** `realm` attribute (RFC 6750 §3). Omitted when not set. */
  realm?: string;
}

// RFC 6750 §3: attribute values are quoted-strings whose characters exclude `"` and `\`.
const quote = (value: string) => `"${value.replace(/["\\]/g, '')}"`;

/**
 * The `WWW-Authenticate` value for a 401 or 403 (RFC 6750 §3), or `undefined` for other statuses.
 *
 * - no credentials → `Bearer` (§3.1: no error code when the request had no authentication);
 * - a malformed header → `error="invalid_request"`;
 * - a bad, expired or sunset key → `error="invalid_token"`;
 * - a missing scope → `error="insufficient_scope", scope="…"` (§3.1).
 */
export function bearerChallenge(error: KeywardError, options: ChallengeOptions = {}): string | undefined {
  if (error.status !== 401 && error.status !== 403) return undefined;
  const params: string[] = [];
  if (options.realm !== undefined) params.push(`realm=${quote(options.realm)}`);
  switch (error.code) {
    case 'missing_credentials':
      break;
    case 'malformed_header':
      params.push('error="invalid_request"');
      break;
    case 'insufficient_scope':
    case 'forbidden':
      params.push('error="insufficient_scope"');
      if (error.missingScopes?.length) params.push(`scope=${quote(error.missingScopes.join(' '))}`);
      break;
    default:
      params.push('error="invalid_token"');
  }
  return params.length ? `Bearer ${params.join(', ')}` : 'Bearer';
}

/** Headers every refusal carries: the challenge, `Retry-After`, and `Cache-Control: no-store`. */
export function errorHeaders(error: KeywardError, options: ChallengeOptions = {}): Record<string, string> {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  const challenge = bearerChallenge(error, options);
  if (challenge) headers['www-authenticate'] = challenge;
  if (error.retryAfter !== undefined) headers['retry-after'] = String(Math.max(0, Math.ceil(error.retryAfter)));
  if (error.headers) for (const [k, v] of Object.entries(error.headers)) headers[k.toLowerCase()] = v;
  return headers;
}

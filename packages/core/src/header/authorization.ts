/**
 * Reading a Bearer token from the `Authorization` header (RFC 6750 §2.1, RFC 9110 §11.6.2).
 *
 *   credentials = "Bearer" 1*SP b64token        ; RFC 6750 §2.1, scheme case-insensitive (RFC 9110 §11.1)
 *   b64token    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 *
 * Tokens are only ever read from this header, never from a query string or a body (RFC 6750 §2.3
 * and §5.3 warn against URIs, which end up in logs).
 */

/**
 * Any bag of request headers: a Web `Headers`, something with `get(name)`, or Node's
 * `IncomingHttpHeaders` / `req.headersDistinct` (where a repeated header is an array).
 */
export type HeaderBag = { get(name: string): string | null | undefined } | Readonly<Record<string, string | readonly string[] | undefined>>;

/** How strictly the header is read. */
export interface HeaderOptions {
  /**
   * `'single'`: exactly one space after `Bearer` (Tooken's documented rule). `'rfc'`: one or more
   * spaces, as RFC 6750's `1*SP` allows.
   * @default 'rfc'
   */
  spaces?: 'single' | 'rfc';
  /**
   * Longest header value accepted, checked before anything else is done with it.
   * @default 1024
   */
  maxLength?: number;
}

export type HeaderFailure = 'missing_credentials' | 'malformed_header';

/** The reason a header was refused, for logs (never contains the header). */
export interface HeaderRefusal {
  readonly error: HeaderFailure;
  readonly detail: string;
}

// Bytes of a b64token (RFC 6750 §2.1): 1 for the characters of its body, 2 for the "=" padding.
const B64TOKEN = /* @__PURE__ */ (() => {
  const table = new Uint8Array(128);
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/') table[c.charCodeAt(0)] = 1;
  table[61] = 2;
  return table;
})();
const SCHEME_BYTES = [98, 101, 97, 114, 101, 114]; // "bearer"

/**
 * The token of `Bearer 1*SP b64token` (or exactly one space with `single`), or null for anything
 * else: a scan of the characters instead of a regular expression, as this runs on every request.
 * Equivalent to /^[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9\-._~+/]+=*)$/ (tested against it).
 */
function scanBearer(value: string, single: boolean): string | null {
  const length = value.length;
  if (length < 8) return null;
  // `| 32` lowercases an ASCII letter; of all UTF-16 units only the two cases of a letter give it.
  for (let i = 0; i < 6; i++) if ((value.charCodeAt(i) | 32) !== SCHEME_BYTES[i]) return null;
  if (value.charCodeAt(6) !== 32) return null;
  let start = 7;
  if (!single) while (start < length && value.charCodeAt(start) === 32) start++;
  let i = start;
  for (; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || B64TOKEN[c] !== 1) break;
  }
  if (i === start) return null;
  for (; i < length; i++) if (value.charCodeAt(i) !== 61) return null;
  return value.slice(start);
}

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const SCHEME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Reads the one `Authorization` header value, or reports absence or duplication. */
function readHeader(headers: HeaderBag): string | readonly string[] | undefined {
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    const value = (get as (name: string) => string | null | undefined).call(headers, 'authorization');
    return value ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  return record.authorization ?? record.Authorization;
}

/** Explains a refused header; only runs on failure, off the hot path. */
function diagnose(value: string, spaces: 'single' | 'rfc'): HeaderRefusal {
  const sp = value.indexOf(' ');
  const scheme = sp < 0 ? value : value.slice(0, sp);
  if (/[\t]/.test(value)) return { error: 'malformed_header', detail: 'tab in the header' };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this test looks for
  if (/[\x00-\x1f\x7f]/.test(value)) return { error: 'malformed_header', detail: 'control character in the header' };
  if (/[^\x20-\x7e]/.test(value)) return { error: 'malformed_header', detail: 'non-ASCII character in the header' };
  if (scheme.toLowerCase() !== 'bearer') {
    return SCHEME.test(scheme)
      ? { error: 'malformed_header', detail: 'scheme is not Bearer' }
      : { error: 'malformed_header', detail: 'no auth scheme' };
  }
  const rest = sp < 0 ? '' : value.slice(sp);
  const token = rest.replace(/^ +/, '');
  if (token.length === 0) return { error: 'malformed_header', detail: 'Bearer without a token' };
  if (spaces === 'single' && rest.length - token.length > 1) {
    return { error: 'malformed_header', detail: 'more than one space after Bearer' };
  }
  if (!TOKEN68.test(token)) return { error: 'malformed_header', detail: 'token outside the token68 grammar' };
  return { error: 'malformed_header', detail: 'malformed header' };
}

/**
 * Returns the Bearer token of a header bag, or why there is none. Pure; no allocation on success
 * beyond the token itself.
 */
export function readBearerToken(headers: HeaderBag, options: HeaderOptions = {}): string | HeaderRefusal {
  let value = readHeader(headers);
  if (typeof value !== 'string') {
    if (value === undefined || value.length === 0) return { error: 'missing_credentials', detail: 'no Authorization header' };
    if (value.length > 1) return { error: 'malformed_header', detail: 'more than one Authorization header' };
    value = value[0]!;
  }
  if (value.length === 0) return { error: 'missing_credentials', detail: 'empty Authorization header' };
  if (value.length > (options.maxLength ?? 1024)) return { error: 'malformed_header', detail: 'header too long' };
  const spaces = options.spaces ?? 'rfc';
  const token = scanBearer(value, spaces === 'single');
  if (token !== null) return token;
  // A Web `Headers` joins repeated headers with ", " — caught here as a token with a space or comma.
  return diagnose(value, spaces);
}

/** True when {@link readBearerToken} refused the header. */
export function isHeaderRefusal(value: string | HeaderRefusal): value is HeaderRefusal {
  return typeof value !== 'string';
}

/** A Node request as far as {@link nodeAuthorization} reads it. */
export interface NodeRequestLike {
  readonly rawHeaders?: readonly string[];
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/**
 * The `Authorization` header(s) of a Node `IncomingMessage`, as a header bag for `verify`: every
 * one sent (Node's `req.headers` keeps only the first, so a duplicate would go unseen), read from
 * `rawHeaders` without building `headersDistinct` for all the headers of the request. Falls back to
 * `headers` for mock requests without `rawHeaders`.
 */
export function nodeAuthorization(req: NodeRequestLike): HeaderBag {
  const raw = req.rawHeaders;
  if (raw === undefined) return req.headers as HeaderBag;
  let first: string | undefined;
  let all: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') {
      if (first === undefined) first = raw[i + 1]!;
      else {
        all ??= [first];
        all.push(raw[i + 1]!);
      }
    }
  }
  return { authorization: all ?? first };
}

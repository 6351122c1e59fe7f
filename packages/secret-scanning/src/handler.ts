import { isKeywardError, type Keyward, type LeakOptions, readBodyCapped } from '@keyward/core';
import { AlertFormatError, parseAlert, type SecretMatch } from './alert.js';
import { verifyP256Signature } from './signature.js';
import { githubSigningKeys, type SigningKeys, SigningKeysUnavailable } from './signing-keys.js';

/**
 * The endpoint: a web-standard handler, with the path it is meant to answer at, which the adapters'
 * mount helpers (`fetchMiddleware`, `fetchPlugin`) route by.
 */
export type SecretScanningHandler = ((request: Request) => Promise<Response>) & { readonly basePath: string };

/** Options of {@link secretScanningHandler}. */
export interface SecretScanningOptions extends Pick<LeakOptions, 'policy' | 'gracePeriod' | 'onLeak'> {
  /**
   * The path you register with GitHub, for the adapters' mount helpers (`fetchMiddleware(handler)`
   * in Express and Koa, `fetchPlugin` in Fastify). The handler itself answers at any path it is
   * given. @default '/github/secret-scanning'
   */
  basePath?: string;
  /**
   * Where GitHub's signing keys come from.
   * @default githubSigningKeys({ url: keysUrl, token: githubToken, fetch })
   */
  keys?: SigningKeys;
  /** The signing key list, when `keys` is not given. @default 'https://api.github.com/meta/public_keys/secret_scanning' */
  keysUrl?: string;
  /** A GitHub token for the key list's rate limit, when `keys` is not given. */
  githubToken?: string;
  /** The `fetch` of the key list, when `keys` is not given. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Largest body read; a bigger one gets 413 and is not read further. @default 1_048_576 (1 MiB) */
  maxBodyBytes?: number;
  /** Most matches in one alert; more gets 400. @default 1000 */
  maxMatches?: number;
  /**
   * Answer with GitHub's false-positive feedback (`[{ token_hash, token_type, label }]`, 200);
   * `false` answers 204 with no body. @default true
   */
  feedback?: boolean;
  /** The actor of the revocations and `key.leaked` events. @default 'github-secret-scanning' */
  actor?: string;
  /** `Retry-After` (seconds) of a 503 (the store or the key list is down). @default 30 */
  retryAfter?: number;
  /** Told about failures (the store, the key list, a throwing `onLeak` or policy). Never a token. */
  onError?: (error: unknown) => void;
}

/** One entry of the feedback GitHub accepts in the response. */
export interface SecretScanningFeedback {
  /** Lowercase hex SHA-256 of the token (never the token itself). */
  readonly token_hash: string;
  readonly token_type: string;
  /** `true_positive`: a key this provider issued; `false_positive`: anything else. */
  readonly label: 'true_positive' | 'false_positive';
}

/** Reports handled at once within one alert. */
const CONCURRENCY = 8;

function problem(status: number, title: string, detail: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers },
  });
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/**
 * GitHub's secret scanning partner endpoint, as a web-standard handler: `(Request) => Response`.
 * Mount it at the URL you register with GitHub (POST only).
 *
 * 1. Reads at most `maxBodyBytes` of the body (413 beyond).
 * 2. Checks `Github-Public-Key-Signature`, an ECDSA P-256 SHA-256 signature of the raw body, with
 *    the key named by `Github-Public-Key-Identifier` from GitHub's key list (400 without the
 *    headers, 403 for an unknown key or a bad signature, 503 when the key list cannot be had).
 *    Nothing of an unsigned body is parsed.
 * 3. Reads the matches (400 for a body that is not GitHub's JSON array).
 * 4. Hands each match to `keyward.reportLeak` (policy `revoke` by default): a key this provider
 *    issued is revoked (or rotated, or only reported), `key.leaked` is recorded and `onLeak` told —
 *    once per key and place, so GitHub's retries do nothing twice. A store failure answers 503
 *    with `Retry-After` (GitHub retries; what was done stays done).
 * 5. Answers 200 with the feedback: per token, its SHA-256, its type, and `true_positive` for a key
 *    this provider issued (whatever its state — it is a real credential), `false_positive` for
 *    every other token, malformed, near miss or random alike.
 *
 * @example Next.js (app/api/github/secret-scanning/route.ts)
 * ```ts
 * export const POST = secretScanningHandler(keyward, { onLeak: (leak) => mailOwner(leak) });
 * ```
 * @throws {RangeError} for options out of range.
 */
export function secretScanningHandler(keyward: Keyward, options: SecretScanningOptions = {}): SecretScanningHandler {
  if (!keyward || typeof keyward.reportLeak !== 'function') throw new TypeError('secretScanningHandler needs a Keyward engine (createKeyward(...))');
  const maxBody = options.maxBodyBytes ?? 1_048_576;
  const maxMatches = options.maxMatches ?? 1000;
  const retryAfter = options.retryAfter ?? 30;
  if (!(Number.isInteger(maxBody) && maxBody > 0)) throw new RangeError('maxBodyBytes must be a positive integer');
  if (!(Number.isInteger(maxMatches) && maxMatches > 0)) throw new RangeError('maxMatches must be a positive integer');
  if (!(Number.isInteger(retryAfter) && retryAfter > 0)) throw new RangeError('retryAfter must be a positive integer of seconds');
  const basePath = options.basePath ?? '/github/secret-scanning';
  if (typeof basePath !== 'string' || !/^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/.test(basePath) || basePath.includes('//')) {
    throw new RangeError('basePath must be a URL path such as "/github/secret-scanning"');
  }
  const keys =
    options.keys ??
    githubSigningKeys({
      ...(options.keysUrl !== undefined ? { url: options.keysUrl } : {}),
      ...(options.githubToken !== undefined ? { token: options.githubToken } : {}),
      ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    });
  const report = (error: unknown) => {
    try {
      options.onError?.(error);
    } catch {
      // A throwing hook must not change the answer.
    }
  };
  const leakOptions: LeakOptions = {
    actor: options.actor ?? 'github-secret-scanning',
    onError: report,
    ...(options.policy !== undefined ? { policy: options.policy } : {}),
    ...(options.gracePeriod !== undefined ? { gracePeriod: options.gracePeriod } : {}),
    ...(options.onLeak !== undefined ? { onLeak: options.onLeak } : {}),
  };
  const unavailable = (what: string) => problem(503, 'Service Unavailable', `${what}; retry later`, { 'retry-after': String(retryAfter) });

  /** Every match reported to the engine; which tokens are keys this provider issued. */
  async function handle(matches: readonly SecretMatch[]): Promise<Set<string>> {
    const byToken = new Map<string, SecretMatch[]>();
    for (const m of matches) byToken.set(m.token, [...(byToken.get(m.token) ?? []), m]);
    const groups = [...byToken.values()];
    const known = new Set<string>();
    let next = 0;
    let failed = false;
    // The matches of one token one after the other (a token at two places), tokens side by side.
    const worker = async () => {
      while (!failed && next < groups.length) {
        const group = groups[next++]!;
        for (const m of group) {
          const outcome = await keyward
            .reportLeak({ token: m.token, type: m.type, url: m.url, source: m.source }, leakOptions)
            .catch((error: unknown) => {
              failed = true;
              throw error;
            });
          if (outcome.status === 'known') known.add(m.token);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, groups.length) }, worker));
    return known;
  }

  const endpoint = async (request: Request): Promise<Response> => {
    if (request.method !== 'POST') return problem(405, 'Method Not Allowed', 'send secret scanning alerts with POST', { allow: 'POST' });
    const identifier = request.headers.get('github-public-key-identifier')?.trim();
    const signature = request.headers.get('github-public-key-signature')?.trim();
    if (!identifier || !signature || identifier.length > 256 || signature.length > 1024) {
      return problem(400, 'Bad Request', 'the Github-Public-Key-Identifier and Github-Public-Key-Signature headers are required');
    }
    const body = await readBodyCapped(request, maxBody);
    // `Connection: close`: the rest of an oversized body goes with the connection, not into a read.
    if (body === null) return problem(413, 'Content Too Large', `an alert is at most ${maxBody} bytes`, { connection: 'close' });
    let key: CryptoKey | null;
    try {
      key = await keys.key(identifier);
    } catch (error) {
      report(error);
      if (error instanceof SigningKeysUnavailable) return unavailable("GitHub's signing keys cannot be fetched");
      return problem(500, 'Internal Server Error', 'the signing keys could not be read');
    }
    if (key === null) return problem(403, 'Forbidden', 'the Github-Public-Key-Identifier is not one of GitHub’s secret scanning keys');
    if (!(await verifyP256Signature(key, signature, body))) return problem(403, 'Forbidden', 'the signature does not match the body');
    let matches: SecretMatch[];
    try {
      matches = parseAlert(new TextDecoder('utf-8', { fatal: true }).decode(body), maxMatches);
    } catch (error) {
      return problem(400, 'Bad Request', error instanceof AlertFormatError ? error.message : 'the body is not UTF-8 text');
    }
    let known: Set<string>;
    try {
      known = await handle(matches);
    } catch (error) {
      report(error);
      if (isKeywardError(error) && error.code === 'store_unavailable') return unavailable('the key store is unavailable');
      return problem(500, 'Internal Server Error', 'the alert could not be handled; it is safe to send it again');
    }
    if (options.feedback === false) return new Response(null, { status: 204 });
    const feedback: SecretScanningFeedback[] = [];
    const seen = new Set<string>();
    for (const m of matches) {
      const id = `${m.type}\u0000${m.token}`;
      if (seen.has(id)) continue;
      seen.add(id);
      feedback.push({ token_hash: await sha256Hex(m.token), token_type: m.type, label: known.has(m.token) ? 'true_positive' : 'false_positive' });
    }
    return new Response(JSON.stringify(feedback), { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
  };
  return Object.assign(endpoint, { basePath: basePath.length > 1 ? basePath.replace(/\/$/, '') : basePath });
}

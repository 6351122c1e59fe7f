import { importP256PublicKey } from './signature.js';

/** Where GitHub publishes the keys that sign secret scanning alerts. */
export const GITHUB_SECRET_SCANNING_KEYS_URL = 'https://api.github.com/meta/public_keys/secret_scanning';

/** The keys that sign alerts, by `Github-Public-Key-Identifier`. */
export interface SigningKeys {
  /**
   * The key with this identifier, or `null` when there is none (after a refresh, when one is
   * allowed).
   * @throws {SigningKeysUnavailable} when no key list could be fetched at all.
   */
  key(identifier: string): Promise<CryptoKey | null>;
}

/** No key list could be fetched (and none is cached): the endpoint answers 503. */
export class SigningKeysUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SigningKeysUnavailable';
  }
}

/** Options of {@link githubSigningKeys}. */
export interface GitHubSigningKeysOptions {
  /** The key list. @default GITHUB_SECRET_SCANNING_KEYS_URL */
  url?: string;
  /**
   * A GitHub token sent as `Authorization: Bearer …`, so that fetches count against its rate limit
   * instead of the server's IP (a classic token with no scopes is enough). Never logged.
   */
  token?: string;
  /** The `fetch` to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * How long a fetched list is trusted before it is fetched again (conditionally, with the ETag).
   * A key GitHub withdraws is accepted this long at most. @default 3_600_000 (1 hour)
   */
  ttl?: number;
  /**
   * Fewest milliseconds between two fetches, whatever asks for them: an identifier that is not in
   * the list triggers a fetch only if the last one is older than this — so a flood of requests
   * with made-up identifiers costs one fetch per interval, not one each. @default 60_000
   */
  minRefreshInterval?: number;
  /** A fetch slower than this fails. @default 5000 (ms) */
  timeout?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

const MAX_LIST_BYTES = 256 * 1024;

interface ListedKey {
  key_identifier?: unknown;
  key?: unknown;
}

/**
 * GitHub's alert signing keys, fetched from its key list and cached: one fetch at the first
 * alert, a conditional one when the list is older than `ttl` (a failure then keeps the cached
 * keys), and one when an unknown identifier arrives — at most one per `minRefreshInterval`, and
 * one at a time.
 *
 * @throws {RangeError} for a non-positive ttl, interval or timeout, or a url that is not http(s).
 */
export function githubSigningKeys(options: GitHubSigningKeysOptions = {}): SigningKeys {
  const url = options.url ?? GITHUB_SECRET_SCANNING_KEYS_URL;
  if (!/^https?:\/\//.test(url)) throw new RangeError('the signing keys url must be an http(s) URL');
  const ttl = options.ttl ?? 3_600_000;
  const minInterval = options.minRefreshInterval ?? 60_000;
  const timeout = options.timeout ?? 5000;
  for (const [name, value] of [
    ['ttl', ttl],
    ['minRefreshInterval', minInterval],
    ['timeout', timeout],
  ] as const) {
    if (!(typeof value === 'number' && value > 0 && Number.isFinite(value)))
      throw new RangeError(`${name} must be a positive number of milliseconds`);
  }
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  const now = options.now ?? Date.now;
  let keys = new Map<string, CryptoKey>();
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let etag: string | null = null;
  let inflight: Promise<void> | null = null;
  let lastError: unknown = null;

  async function load(): Promise<void> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      // api.github.com refuses requests without a User-Agent.
      'user-agent': 'keyward-secret-scanning',
    };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (etag !== null && keys.size > 0) headers['if-none-match'] = etag;
    const response = await doFetch(url, { headers, signal: AbortSignal.timeout(timeout) });
    if (response.status === 304 && keys.size > 0) {
      await response.body?.cancel();
      fetchedAt = now();
      return;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`the signing keys list answered ${response.status}`);
    }
    const text = await response.text();
    if (text.length > MAX_LIST_BYTES) throw new Error('the signing keys list is too large');
    const listed = (JSON.parse(text) as { public_keys?: unknown }).public_keys;
    if (!Array.isArray(listed)) throw new Error('the signing keys list has no public_keys array');
    const next = new Map<string, CryptoKey>();
    for (const entry of listed as ListedKey[]) {
      if (!entry || typeof entry.key_identifier !== 'string' || typeof entry.key !== 'string') continue;
      try {
        next.set(entry.key_identifier, await importP256PublicKey(entry.key));
      } catch {
        // A key that is not P-256 cannot have signed an alert: leave it out, keep the others.
      }
    }
    if (next.size === 0) throw new Error('the signing keys list holds no P-256 key');
    keys = next;
    etag = response.headers.get('etag');
    fetchedAt = now();
  }

  /** One fetch at a time, and none within `minRefreshInterval` of the last attempt. */
  function refresh(): Promise<void> {
    if (inflight !== null) return inflight;
    if (now() - attemptedAt < minInterval) return Promise.resolve();
    attemptedAt = now();
    inflight = load()
      .then(
        () => {
          lastError = null;
        },
        (error: unknown) => {
          lastError = error;
        },
      )
      .finally(() => {
        inflight = null;
      });
    return inflight;
  }

  return {
    async key(identifier) {
      if (now() - fetchedAt >= ttl) await refresh();
      if (!keys.has(identifier)) await refresh();
      if (keys.size === 0) throw new SigningKeysUnavailable('no signing keys could be fetched', { cause: lastError });
      return keys.get(identifier) ?? null;
    },
  };
}

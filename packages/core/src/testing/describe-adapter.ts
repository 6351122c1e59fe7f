import type * as Http from 'node:http';
import type * as Net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyward, type Keyward } from '../engine/keyward.js';
import type { ApiKey } from '../engine/types.js';
import { ERROR_CODES, KeywardError, type KeywardErrorCode } from '../errors.js';
import { idSecretFormat } from '../format/id-secret.js';
import { prefixedFormat } from '../format/prefixed.js';
import { sha256Hasher } from '../hash/hasher.js';
import type { KeyStore, StoredKey } from '../store/types.js';

/** The routes every adapter under test mounts, with the requirements of each. */
export interface AdapterRoutes {
  /** Any valid key. */
  readonly protected: { readonly path: '/protected' };
  /** A key with `scopes`. */
  readonly scoped: { readonly path: '/scoped'; readonly scopes: readonly ['notes:write'] };
  /** A key of the workspace named by the path parameter `param`. */
  readonly workspace: { readonly path: '/workspaces/:ws/protected'; readonly param: 'ws' };
  /** Any valid key, checked by `downKeyward`, whose store never answers: always a 503. */
  readonly down: { readonly path: '/down' };
  /** No authentication at all: the handler must see no key. */
  readonly unprotected: { readonly path: '/unprotected' };
}

/** What `start` receives: the engines to use, the routes to mount and the body to answer with. */
export interface AdapterHarness {
  /** The engine of every route but `down`. */
  readonly keyward: Keyward;
  /** The engine of the `down` route. */
  readonly downKeyward: Keyward;
  readonly routes: AdapterRoutes;
  /**
   * How both engines are configured, for an adapter whose server runs in another process (a built
   * Next.js app) and must build equal engines there: the clock (ms since the epoch), the prefix of
   * the prefixed format (the engines also accept `{id}.{secret}` keys), and the store timeout of
   * `downKeyward` (ms, no cache). The main engine's keys are in the store of `createStore`.
   */
  readonly engine: { readonly now: number; readonly prefix: string; readonly downStoreTimeout: number };
  /**
   * The JSON every route answers on success (status 200), given the key the framework exposes to
   * the handler (`req.apiKey`, `ctx.state.apiKey`, `request.apiKey`; `undefined`/`null` if none).
   */
  body(key: ApiKey | null | undefined): { keyId: string | null; workspaceId: string | null };
}

/** A started server on 127.0.0.1. */
export interface StartedAdapter {
  readonly port: number;
  close(): Promise<void> | void;
}

/** How to run the HTTP conformance suite against one adapter. */
export interface AdapterSuiteOptions {
  /** Shown in the test names (`express 5`, `koa 3`). */
  name: string;
  /** Starts a real server on 127.0.0.1 (port 0) with the routes of `harness.routes` mounted. */
  start(harness: AdapterHarness): Promise<StartedAdapter> | StartedAdapter;
  /**
   * The store of the main engine. By default a small in-suite map, so that core depends on no
   * store package; pass `memoryStore` (or a real database) to run the suite on it.
   */
  createStore?: () => Promise<KeyStore> | KeyStore;
  /**
   * What the server does with two `Authorization` headers. `'refused'`: the adapter sees both and
   * refuses the request (400), as every adapter that reads Node's raw headers must. `'first'`: a
   * fact of the server, not a choice: Node's HTTP server kept only the first header before any code
   * of the adapter ran (`next start`, whose handlers get a `Headers` built from `req.headers`), so
   * the request must be answered as if the first header alone was sent. Document it in the
   * adapter's README, with the way to get `'refused'` (a server with `joinDuplicateHeaders`).
   * @default 'refused'
   */
  duplicateAuthorization?: 'refused' | 'first';
}

const ROUTES: AdapterRoutes = Object.freeze({
  protected: { path: '/protected' },
  scoped: { path: '/scoped', scopes: ['notes:write'] },
  workspace: { path: '/workspaces/:ws/protected', param: 'ws' },
  down: { path: '/down' },
  unprotected: { path: '/unprotected' },
} as const);

/** The engine's clock during the suite. */
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const DAY = 86_400_000;
const LEGACY_CREATED = new Date(Date.UTC(2020, 0, 1));
const LEGACY_SUNSET = new Date(NOW + 30 * DAY);

/** A store in a few lines, enough for the suite (core must not depend on a store package). */
function suiteStore(): KeyStore {
  const byId = new Map<string, StoredKey>();
  const byHash = new Map<string, StoredKey>();
  const put = (k: StoredKey) => {
    byId.set(k.id, k);
    byHash.set(k.hash, k);
    return k;
  };
  return {
    local: true,
    async insert(k) {
      if (byId.has(k.id) || byHash.has(k.hash)) throw new KeywardError('conflict');
      put(k);
    },
    findById: (id) => byId.get(id) ?? null,
    findByHash: (hash) => byHash.get(hash) ?? null,
    async list(q) {
      const items = [...byId.values()].filter((k) => (q.workspaceId !== undefined ? k.workspaceId === q.workspaceId : k.ownerId === q.ownerId));
      return { items, nextCursor: null };
    },
    async update(id, patch) {
      const current = byId.get(id);
      if (!current) return null;
      byHash.delete(current.hash);
      return put({ ...current, ...patch });
    },
    async delete(id) {
      const current = byId.get(id) ?? null;
      if (current) {
        byId.delete(id);
        byHash.delete(current.hash);
      }
      return current;
    },
    async rotate() {
      throw new Error('rotate is not used by describeAdapter');
    },
  };
}

/** A store that never answers: the engine must give up after `storeTimeout` with a 503. */
function hangingStore(): KeyStore {
  const never = () => new Promise<never>(() => {});
  return { insert: never, findById: never, findByHash: never, list: never, update: never, delete: never, rotate: never };
}

/** Node built-ins, taken without an `import` so that the core package stays free of them. */
function builtin<T>(id: string): T {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.(id);
  if (!mod) throw new Error(`describeAdapter runs on Node >= 20.16 (it needs ${id} through process.getBuiltinModule)`);
  return mod as T;
}

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** `headers` values are strings (several for a repeated header); latin1 characters go out as single bytes. */
function request(port: number, path: string, headers: Record<string, string | string[]>): Promise<HttpAnswer> {
  const http = builtin<typeof Http>('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', agent: false });
    for (const [name, value] of Object.entries(headers)) req.setHeader(name, value);
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Uint8Array[] = [];
      res.on('data', (c: Uint8Array) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
        let at = 0;
        for (const c of chunks) {
          bytes.set(c, at);
          at += c.length;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: new TextDecoder().decode(bytes) });
      });
    });
    req.end();
  });
}

/** Sends bytes no HTTP client would (control characters); returns the status the server answered. */
function rawRequest(port: number, head: string): Promise<number> {
  const net = builtin<typeof Net>('node:net');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve(match ? Number(match[1]) : 0);
    });
    const bytes = Uint8Array.from(head, (c) => c.charCodeAt(0) & 0xff);
    socket.end(bytes);
  });
}

/** A latin1 string holding the UTF-8 bytes of `text`: sent as raw UTF-8 by node:http. */
const utf8Bytes = (text: string) => String.fromCharCode(...new TextEncoder().encode(text));

type Expectation =
  | { ok: true; keyId: string | null; workspaceId: string | null; headers?: Record<string, string | undefined> }
  | { ok: false; code: KeywardErrorCode; challenge: string | undefined; missingScopes?: readonly string[]; retryAfter?: number };

interface Case {
  name: string;
  path: string;
  headers?: Record<string, string | string[]>;
  expect: Expectation;
}

interface Seeded {
  valid: string;
  validId: string;
  writer: string;
  writerId: string;
  other: string;
  revoked: string;
  expired: string;
  legacy: string;
  legacyId: string;
  legacySunset: string;
  unknown: string;
  badChecksum: string;
}

const INVALID_REQUEST = 'Bearer error="invalid_request"';
const INVALID_TOKEN = 'Bearer error="invalid_token"';

/**
 * The HTTP conformance suite of an adapter: starts the adapter's server on loopback and sends the
 * same table of raw requests (with `node:http`, which — unlike `fetch` — can send two
 * `Authorization` headers and raw non-ASCII bytes), expecting the same status, headers and body
 * from every framework. The suite builds its engines and seeds its keys itself.
 *
 * @example
 * ```ts
 * describeAdapter({
 *   name: 'express 5',
 *   start({ keyward, downKeyward, routes, body }) {
 *     const app = express();
 *     app.get(routes.protected.path, apiKey(keyward), (req, res) => res.json(body(req.apiKey)));
 *     // … the other routes
 *     const server = app.listen(0, '127.0.0.1');
 *     return once(server, 'listening').then(() => ({ port: server.address().port, close: () => server.close() }));
 *   },
 * });
 * ```
 */
export function describeAdapter(options: AdapterSuiteOptions): void {
  describe(`HTTP conformance: ${options.name}`, () => {
    const engine = Object.freeze({ now: NOW, prefix: 'kw', downStoreTimeout: 100 });
    const formats = [prefixedFormat({ prefix: engine.prefix }), idSecretFormat()];
    const sha256 = sha256Hasher();
    let keyward: Keyward;
    let downKeyward: Keyward;
    let server: StartedAdapter | undefined;
    let keys: Seeded;

    beforeAll(async () => {
      const store = options.createStore ? await options.createStore() : suiteStore();
      keyward = createKeyward({ store, format: formats, now: () => NOW });
      downKeyward = createKeyward({ store: hangingStore(), format: formats, now: () => NOW, storeTimeout: engine.downStoreTimeout, cache: false });

      const valid = await keyward.create({ workspaceId: 'ws_a', name: 'valid', scopes: ['notes:read'] });
      const writer = await keyward.create({ workspaceId: 'ws_a', name: 'writer', scopes: ['notes:read', 'notes:write'] });
      const other = await keyward.create({ workspaceId: 'ws_b', name: 'other', scopes: ['notes:write'] });
      const revoked = await keyward.create({ workspaceId: 'ws_a', name: 'revoked', scopes: ['notes:write'] });
      await keyward.revoke(revoked.record.id);
      const expired = await keyward.create({ workspaceId: 'ws_a', name: 'expired', expiresAt: new Date(NOW - 1000) });
      const legacyKey = (sunsetAt: Date) => {
        const key = formats[0]!.generate().key;
        return keyward
          .import({
            legacy: true,
            ownerId: 'user_1',
            hash: sha256.hash(key),
            hint: key.slice(-4),
            name: 'legacy',
            sunsetAt,
            createdAt: LEGACY_CREATED,
          })
          .then((record) => ({ key, record }));
      };
      const legacy = await legacyKey(LEGACY_SUNSET);
      const legacySunset = await legacyKey(new Date(NOW - DAY));
      const unknown = formats[0]!.generate().key;
      const last = valid.key.at(-1)!;
      keys = {
        valid: valid.key,
        validId: valid.record.id,
        writer: writer.key,
        writerId: writer.record.id,
        other: other.key,
        revoked: revoked.key,
        expired: expired.key,
        legacy: legacy.key,
        legacyId: legacy.record.id,
        legacySunset: legacySunset.key,
        unknown,
        badChecksum: valid.key.slice(0, -1) + (last === 'A' ? 'B' : 'A'),
      };
      const harness: AdapterHarness = {
        keyward,
        downKeyward,
        routes: ROUTES,
        engine,
        body: (key) => ({ keyId: key?.id ?? null, workspaceId: key?.workspaceId ?? null }),
      };
      server = await options.start(harness);
    });

    afterAll(async () => {
      await server?.close();
    });

    const send = (path: string, headers: Record<string, string | string[]> = {}) => request(server!.port, path, headers);
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

    function check(answer: HttpAnswer, expected: Expectation): void {
      if (expected.ok) {
        expect({ status: answer.status, body: JSON.parse(answer.body) as unknown }).toEqual({
          status: 200,
          body: { keyId: expected.keyId, workspaceId: expected.workspaceId },
        });
        expect(answer.headers['content-type']).toMatch(/^application\/json\b/);
        for (const [name, value] of Object.entries(expected.headers ?? {})) expect(answer.headers[name], name).toBe(value);
        return;
      }
      const error = new KeywardError(expected.code, {
        ...(expected.missingScopes ? { missingScopes: expected.missingScopes } : {}),
        ...(expected.retryAfter !== undefined ? { retryAfter: expected.retryAfter } : {}),
      });
      // Exactly what the renderer produced, and the challenge spelled out so that a renderer change
      // cannot silently change the contract.
      const rendered = keyward.render(error);
      expect(rendered.headers['www-authenticate']).toBe(expected.challenge);
      const status = ERROR_CODES[expected.code];
      expect({
        status: answer.status,
        'content-type': answer.headers['content-type'],
        'www-authenticate': answer.headers['www-authenticate'],
        'retry-after': answer.headers['retry-after'],
        'cache-control': answer.headers['cache-control'],
        body: answer.body,
      }).toEqual({
        status,
        'content-type': rendered.headers['content-type'],
        'www-authenticate': rendered.headers['www-authenticate'],
        'retry-after': rendered.headers['retry-after'],
        'cache-control': rendered.headers['cache-control'],
        body: rendered.body,
      });
      for (const name of ['deprecation', 'sunset']) expect(answer.headers[name], name).toBeUndefined();
    }

    const fail = (code: KeywardErrorCode, challenge: string | undefined, more: Partial<Expectation> = {}): Expectation =>
      ({ ok: false, code, challenge, ...more }) as Expectation;

    // Both cases send the valid key first: a server that drops the second header lets it through.
    const twoHeaders = (k: Seeded): Expectation =>
      options.duplicateAuthorization === 'first' ? { ok: true, keyId: k.validId, workspaceId: 'ws_a' } : fail('malformed_header', INVALID_REQUEST);

    // The table: each case is built from the keys, which exist only once `beforeAll` has run.
    const c = (name: string, make: (k: Seeded) => Omit<Case, 'name'>) => ({ name, make });
    const cases = [
      c('no Authorization header', () => ({ path: '/protected', expect: fail('missing_credentials', 'Bearer') })),
      c('an empty Authorization header', () => ({
        path: '/protected',
        headers: { authorization: '' },
        expect: fail('missing_credentials', 'Bearer'),
      })),
      c('a valid key', (k) => ({
        path: '/protected',
        headers: bearer(k.valid),
        expect: { ok: true, keyId: k.validId, workspaceId: 'ws_a', headers: { deprecation: undefined, sunset: undefined } },
      })),
      c('`bearer` in lowercase (the scheme is case-insensitive)', (k) => ({
        path: '/protected',
        headers: { authorization: `bearer ${k.valid}` },
        expect: { ok: true, keyId: k.validId, workspaceId: 'ws_a' },
      })),
      c('two spaces after Bearer (RFC 6750 1*SP)', (k) => ({
        path: '/protected',
        headers: { authorization: `Bearer  ${k.valid}` },
        expect: { ok: true, keyId: k.validId, workspaceId: 'ws_a' },
      })),
      c('a tab after Bearer', (k) => ({
        path: '/protected',
        headers: { authorization: `Bearer\t${k.valid}` },
        expect: fail('malformed_header', INVALID_REQUEST),
      })),
      c('`Bearer` with no token', () => ({
        path: '/protected',
        headers: { authorization: 'Bearer' },
        expect: fail('malformed_header', INVALID_REQUEST),
      })),
      c('`Bearer ` and spaces only (Node trims them)', () => ({
        path: '/protected',
        headers: { authorization: 'Bearer   ' },
        expect: fail('malformed_header', INVALID_REQUEST),
      })),
      c('a Basic header', () => ({
        path: '/protected',
        headers: { authorization: 'Basic dXNlcjpwYXNz' },
        expect: fail('malformed_header', INVALID_REQUEST),
      })),
      c('two Authorization headers, even both valid', (k) => ({
        path: '/protected',
        headers: { authorization: [`Bearer ${k.valid}`, `Bearer ${k.valid}`] },
        expect: twoHeaders(k),
      })),
      c('two Authorization headers, the first one valid', (k) => ({
        path: '/protected',
        headers: { authorization: [`Bearer ${k.valid}`, 'Bearer x'] },
        expect: twoHeaders(k),
      })),
      c('an 8 KB header', () => ({
        path: '/protected',
        headers: { authorization: `Bearer kw_live_${'a'.repeat(8192)}` },
        expect: fail('malformed_header', INVALID_REQUEST),
      })),
      c('a latin1 byte (é) in the token', (k) => ({
        path: '/protected',
        headers: { authorization: `Bearer ${k.valid.slice(0, -1)}\u00e9` },
        expect: fail('malformed_header', INVALID_REQUEST),
      })),
      c('raw UTF-8 bytes (✓) after the token', (k) => ({
        path: '/protected',
        headers: { authorization: `Bearer ${k.valid}${utf8Bytes('✓')}` },
        expect: fail('malformed_header', INVALID_REQUEST),
      })),
      c('a valid prefix with a bad checksum', (k) => ({
        path: '/protected',
        headers: bearer(k.badChecksum),
        expect: fail('malformed_key', INVALID_TOKEN),
      })),
      c('only the key id of an id.secret key', () => ({
        path: '/protected',
        headers: bearer('abc123def456'),
        expect: fail('key_id_only', INVALID_TOKEN),
      })),
      c('an unknown key', (k) => ({ path: '/protected', headers: bearer(k.unknown), expect: fail('invalid_key', INVALID_TOKEN) })),
      c('a revoked key', (k) => ({ path: '/protected', headers: bearer(k.revoked), expect: fail('invalid_key', INVALID_TOKEN) })),
      c('an expired key', (k) => ({ path: '/protected', headers: bearer(k.expired), expect: fail('expired_key', INVALID_TOKEN) })),
      c('a key of the workspace in the path', (k) => ({
        path: '/workspaces/ws_a/protected',
        headers: bearer(k.valid),
        expect: { ok: true, keyId: k.validId, workspaceId: 'ws_a' },
      })),
      c("another workspace's key on a workspace route", (k) => ({
        path: '/workspaces/ws_a/protected',
        headers: bearer(k.other),
        expect: fail('invalid_key', INVALID_TOKEN),
      })),
      c('a key with the required scope', (k) => ({
        path: '/scoped',
        headers: bearer(k.writer),
        expect: { ok: true, keyId: k.writerId, workspaceId: 'ws_a' },
      })),
      c('a key lacking the required scope', (k) => ({
        path: '/scoped',
        headers: bearer(k.valid),
        expect: fail('insufficient_scope', 'Bearer error="insufficient_scope", scope="notes:write"', { missingScopes: ['notes:write'] }),
      })),
      c('a legacy key before its sunset (Deprecation + Sunset)', (k) => ({
        path: '/protected',
        headers: bearer(k.legacy),
        expect: {
          ok: true,
          keyId: k.legacyId,
          workspaceId: null,
          headers: { deprecation: `@${Math.floor(LEGACY_CREATED.getTime() / 1000)}`, sunset: LEGACY_SUNSET.toUTCString() },
        },
      })),
      c('a legacy key after its sunset', (k) => ({ path: '/protected', headers: bearer(k.legacySunset), expect: fail('key_sunset', INVALID_TOKEN) })),
      c('a store that does not answer', (k) => ({
        path: '/down',
        headers: bearer(k.valid),
        expect: fail('store_unavailable', undefined, { retryAfter: 1 }),
      })),
      c('no header on the route whose store is down (refused before any store call)', () => ({
        path: '/down',
        expect: fail('missing_credentials', 'Bearer'),
      })),
      c('a key in ?access_token= (never read from the URL)', (k) => ({
        path: `/protected?access_token=${k.valid}`,
        expect: fail('missing_credentials', 'Bearer'),
      })),
      c('an unprotected route sees no key, even when one is sent', (k) => ({
        path: '/unprotected',
        headers: bearer(k.valid),
        expect: { ok: true, keyId: null, workspaceId: null },
      })),
      c('an unprotected route without a key', () => ({ path: '/unprotected', expect: { ok: true, keyId: null, workspaceId: null } })),
    ];

    for (const { name, make } of cases) {
      it(name, async () => {
        const { path, headers, expect: expected } = make(keys);
        check(await send(path, headers), expected);
      });
    }

    it('answers an unknown, a revoked and another workspace’s key byte for byte alike', async () => {
      const answers = await Promise.all([
        send('/workspaces/ws_a/protected', bearer(keys.unknown)),
        send('/workspaces/ws_a/protected', bearer(keys.revoked)),
        send('/workspaces/ws_a/protected', bearer(keys.other)),
      ]);
      const relevant = (a: HttpAnswer) => ({
        status: a.status,
        body: a.body,
        ...Object.fromEntries(['content-type', 'content-length', 'www-authenticate', 'cache-control', 'retry-after'].map((h) => [h, a.headers[h]])),
      });
      expect(relevant(answers[1]!)).toEqual(relevant(answers[0]!));
      expect(relevant(answers[2]!)).toEqual(relevant(answers[0]!));
    });

    it('gives up on a store that hangs within a bounded time', async () => {
      const started = Date.now();
      const answer = await send('/down', bearer(keys.valid));
      expect(answer.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('never mixes up keys between concurrent requests', async () => {
      const sent = Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? 'none' : i % 3 === 1 ? 'valid' : 'writer'));
      const answers = await Promise.all(
        sent.map((which) => send('/protected', which === 'none' ? {} : bearer(which === 'valid' ? keys.valid : keys.writer))),
      );
      answers.forEach((answer, i) => {
        if (sent[i] === 'none') expect(answer.status).toBe(401);
        else expect(JSON.parse(answer.body)).toMatchObject({ keyId: sent[i] === 'valid' ? keys.validId : keys.writerId });
      });
      const after = await send('/unprotected');
      expect(JSON.parse(after.body)).toEqual({ keyId: null, workspaceId: null });
    });

    // Decided by Node's HTTP parser before any framework runs: only the status is the same
    // everywhere (Fastify, for one, writes its own body for client errors).
    it('refuses a control character in the header at the HTTP parser (400)', async () => {
      const status = await rawRequest(
        server!.port,
        `GET /protected HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer ${keys.valid}\x01\r\n\r\n`,
      );
      expect(status).toBe(400);
    });

    it('refuses headers larger than Node’s maxHeaderSize (16 KB) at the HTTP parser (431)', async () => {
      const status = await rawRequest(
        server!.port,
        `GET /protected HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      expect(status).toBe(431);
    });
  });
}

import { memoryStore } from '@keyward/store-memory';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RouteHandlers, routeGuard } from '../adapter/route-guard.js';
import type { RouteOptions } from '../adapter/route-options.js';
import { createKeyward, type Keyward } from '../engine/keyward.js';
import type { VerifyOptions, VerifyResult } from '../engine/types.js';
import { idSecretFormat } from '../format/id-secret.js';
import { prefixedFormat } from '../format/prefixed.js';
import { readBearerToken } from '../header/authorization.js';
import type { KeyStore } from '../store/types.js';
import { authenticateRequest, withApiKey } from '../web/fetch.js';

/**
 * Every way in: `verify`, `verifyNow`, `verifyToken`, the adapter route guard, `authenticateRequest`
 * and `withApiKey` must give the same answer to the same request, on generated store states (keys of
 * two formats, workspaces, environments, scopes; active, revoked, expired, legacy before and after
 * its sunset), engines (memory store or a store behind promises, with or without a cache, usage,
 * audit, `ownsWorkspace`) and requests (the key, a mistyped one, a truncated one, its id alone, an
 * unknown key, garbage; Bearer in any case, two spaces, another scheme, no header; route scopes,
 * workspace and environment).
 */

const NOW = Date.UTC(2026, 5, 1, 12);
const tipar = prefixedFormat({ prefix: 'tipar' });
const tiro = idSecretFormat();
const SCOPES = ['notes:read', 'notes:write', 'files:*'];
const WORKSPACES = ['ws_a', 'ws_b'];

const keySpec = fc.record({
  format: fc.constantFrom('tipar', 'tiro'),
  workspace: fc.constantFrom(...WORKSPACES),
  environment: fc.constantFrom('live', 'test'),
  scopes: fc.subarray(SCOPES),
  state: fc.constantFrom('active', 'revoked', 'expired', 'expires later', 'legacy', 'legacy past its sunset'),
});
const engineSpec = fc.record({ remote: fc.boolean(), cache: fc.boolean(), usage: fc.boolean(), audit: fc.boolean(), owners: fc.boolean() });
const requestSpec = fc.record({
  key: fc.nat(),
  // Mostly the key itself, in a well-formed header: the checks after the lookup need it.
  token: fc.oneof({ arbitrary: fc.constant('key'), weight: 6 }, fc.constantFrom('flipped', 'truncated', 'id only', 'unknown', 'garbage')),
  garbage: fc.stringMatching(/^[A-Za-z0-9._~+/-]{1,60}$/),
  header: fc.oneof({ arbitrary: fc.constant('Bearer '), weight: 6 }, fc.constantFrom('bearer ', 'BEARER ', 'Bearer  ', 'Basic ', '', 'none')),
  scopes: fc.option(fc.subarray(SCOPES), { nil: undefined }),
  workspaceId: fc.option(fc.constantFrom(...WORKSPACES), { nil: undefined }),
  environment: fc.option(fc.constantFrom('live', 'test'), { nil: undefined }),
});

type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;
type KeySpec = ValueOf<typeof keySpec>;
type EngineSpec = ValueOf<typeof engineSpec>;
type RequestSpec = ValueOf<typeof requestSpec>;

/** The memory store behind promises, as a network store answers. */
function remote(inner: KeyStore): KeyStore {
  return { ...inner, local: false, findById: async (id) => inner.findById(id), findByHash: async (h) => inner.findByHash(h) };
}

async function build(engine: EngineSpec, specs: KeySpec[]) {
  const inner = memoryStore();
  const keyward = createKeyward({
    store: engine.remote ? remote(inner) : inner,
    format: [tipar, tiro],
    now: () => NOW,
    cache: engine.cache ? { ttl: 60_000 } : false,
    usage: engine.usage,
    audit: engine.audit,
    ...(engine.owners ? { ownsWorkspace: async (_owner: string, workspace: string) => workspace === 'ws_a' } : {}),
    legacy: { sunset: new Date(NOW + 86_400_000) },
  });
  const keys: { key: string; id: string }[] = [];
  for (const spec of specs) {
    if (spec.state.startsWith('legacy')) {
      const key = tipar.generate({ environment: spec.environment }).key;
      const record = await keyward.import({
        legacy: true,
        ownerId: 'owner_1',
        hash: keyward.hashers[0]!.hash(key),
        hint: key.slice(-4),
        name: 'legacy',
        environment: spec.environment,
        scopes: spec.scopes,
        ...(spec.state === 'legacy past its sunset' ? { sunsetAt: new Date(NOW - 1000) } : {}),
      });
      keys.push({ key, id: record.id });
      continue;
    }
    const { key, record } = await keyward.create({
      workspaceId: spec.workspace,
      name: 'k',
      scopes: spec.scopes,
      environment: spec.environment,
      format: spec.format === 'tiro' ? tiro.name : tipar.name,
      ...(spec.state === 'expired' ? { expiresAt: new Date(NOW - 1000) } : spec.state === 'expires later' ? { expiresIn: '1h' } : {}),
    });
    if (spec.state === 'revoked') await keyward.revoke(record.id);
    keys.push({ key, id: record.id });
  }
  return { keyward, keys };
}

function tokenOf(request: RequestSpec, keys: { key: string }[]): string {
  const key = keys[request.key % keys.length]!.key;
  switch (request.token) {
    case 'key':
      return key;
    case 'flipped': {
      const i = key.length - 3;
      return key.slice(0, i) + (key[i] === 'a' ? 'b' : 'a') + key.slice(i + 1);
    }
    case 'truncated':
      return key.slice(0, -2);
    case 'id only':
      return key.includes('.') ? key.slice(0, key.indexOf('.')) : key.slice(0, 12);
    case 'unknown':
      return (key.includes('.') ? tiro : tipar).generate().key;
    default:
      return request.garbage;
  }
}

/** One answer, as a string every entry point can be held to. */
const answer = (r: VerifyResult) =>
  r.ok ? `pass ${r.key.id} ${JSON.stringify(r.headers)}` : `refuse ${r.error.code} ${r.error.reason ?? ''} ${r.error.status}`;

type Outcome = { ok: true; keyId: string; headers: Readonly<Record<string, string>> } | { ok: false; status: number; body: string };
const outcomes: RouteHandlers<Outcome[]> = {
  pass: (out, key, headers) => void out.push({ ok: true, keyId: key.id, headers }),
  refuse: (out, rendered) => void out.push({ ok: false, status: rendered.status, body: rendered.body }),
  fail: (_out, error) => {
    throw error;
  },
};

async function everyAnswer(keyward: Keyward, headerValue: string | undefined, route: RouteOptions<unknown>, options: VerifyOptions | undefined) {
  const headers: Record<string, string> = headerValue === undefined ? {} : { authorization: headerValue };
  const expected = await keyward.verify(headers, options);
  const rendered = expected.ok ? null : keyward.render(expected.error);
  const asOutcome = (r: VerifyResult): Outcome =>
    r.ok ? { ok: true, keyId: r.key.id, headers: r.headers } : { ok: false, status: rendered!.status, body: rendered!.body };
  const now = keyward.verifyNow(headers, options);
  expect(answer(now instanceof Promise ? await now : now), 'verifyNow').toBe(answer(expected));
  const token = readBearerToken(headers);
  if (typeof token === 'string') expect(answer(await keyward.verifyToken(token, options)), 'verifyToken').toBe(answer(expected));
  const seen: Outcome[] = [];
  await routeGuard(keyward, route, outcomes, 'test')({}, headers, seen);
  expect(seen, 'routeGuard').toEqual([asOutcome(expected)]);
  const request = new Request('https://api.test/x', { headers });
  const auth = await authenticateRequest(keyward, request, route as RouteOptions<Request>);
  expect(
    auth.ok ? { ok: true, keyId: auth.key.id, headers: auth.headers } : { ok: false, status: auth.response.status, body: await auth.response.text() },
    'authenticateRequest',
  ).toEqual(asOutcome(expected));
  const response = await withApiKey((_request, key) => Response.json({ id: key.id }), { keyward, ...(route as RouteOptions<Request>) })(request);
  const body = await response.text();
  if (expected.ok) {
    expect(body, 'withApiKey').toBe(JSON.stringify({ id: expected.key.id }));
    for (const [name, value] of Object.entries(expected.headers)) expect(response.headers.get(name), `withApiKey ${name}`).toBe(value);
  } else {
    expect({ status: response.status, body }, 'withApiKey').toEqual({ status: rendered!.status, body: rendered!.body });
  }
  return expected;
}

describe('every entry point gives the same answer', () => {
  it('on generated keys, store states, engines and requests', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        engineSpec,
        fc.array(keySpec, { minLength: 1, maxLength: 5 }),
        fc.array(requestSpec, { minLength: 1, maxLength: 6 }),
        async (engine, specs, requests) => {
          const { keyward, keys } = await build(engine, specs);
          try {
            for (const request of requests) {
              const token = tokenOf(request, keys);
              const headerValue = request.header === 'none' ? undefined : `${request.header}${token}`;
              const route = { scopes: request.scopes, workspaceId: request.workspaceId, environment: request.environment };
              const options: VerifyOptions = {};
              if (request.scopes !== undefined && request.scopes.length > 0) options.scopes = request.scopes;
              if (request.workspaceId !== undefined) options.workspaceId = request.workspaceId;
              if (request.environment !== undefined) options.environment = request.environment;
              const result = await everyAnswer(keyward, headerValue, route, Object.keys(options).length > 0 ? options : undefined);
              seen.add(result.ok ? 'pass' : `${result.error.code}${result.error.reason ? `:${result.error.reason}` : ''}`);
            }
          } finally {
            await keyward.close();
          }
        },
      ),
      { numRuns: 150 },
    );
    // The generators reach every kind of answer (else the property would hold on too little).
    for (const kind of [
      'pass',
      'invalid_key:unknown',
      'invalid_key:revoked',
      'invalid_key:workspace_mismatch',
      'expired_key',
      'key_sunset',
      'malformed_key',
      'malformed_header',
      'missing_credentials',
      'insufficient_scope',
      'environment_mismatch',
    ]) {
      expect(seen, kind).toContain(kind);
    }
  });
});

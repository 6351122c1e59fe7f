// Tooken (seed 001) on Fastify: management API keys (`tok_live_…`, full workspace access) manage
// scoped tokens (`tkn_live_…`, with `expires_at`) that downstream services use. Both are keys of one
// Keyward engine, told apart by their format. The dashboard's Settings → API Keys (regenerate,
// delete) and Settings → Audit Log are @keyward/dashboard.
import {
  createKeyward,
  type Instrumentation,
  isKeywardError,
  isValidScope,
  jsonRenderer,
  prefixedFormat,
  type ApiKey,
  type InvalidationBus,
  type KeyStore,
  type Keyward,
} from '@keyward/core';
import { failureLogFields } from '@keyward/core/adapter';
import { createDashboard } from '@keyward/dashboard';
import { type DemoSessions, demoPage } from '@keyward/example-support/demo-session';
import { fastifyKeyward, fetchPlugin, getApiKey } from '@keyward/fastify';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';

/** Management API keys: made in the dashboard, full access to their workspace. */
export const MANAGEMENT = 'tok';
/** Tokens: issued through the API, limited to their scopes. */
export const TOKEN = 'tkn';

/** Scopes a token may hold. Management keys hold `*`. */
export const TOKEN_SCOPES = ['tokens:read', 'tokens:write', 'tokens:verify', 'audit:read'] as const;

export interface TookenOptions {
  store: KeyStore;
  invalidation?: InvalidationBus;
  now?: () => number;
  instrument?: Instrumentation;
}

/** The engine of Tooken: two formats, the exact `Bearer <key>` header, Tooken's error bodies. */
export function tookenKeyward(options: TookenOptions): Keyward {
  return createKeyward({
    store: options.store,
    invalidation: options.invalidation,
    now: options.now,
    instrument: options.instrument,
    // "Audit regularly — review the audit log": every lifecycle change and refused request.
    audit: true,
    usage: true,
    format: [prefixedFormat({ prefix: MANAGEMENT }), prefixedFormat({ prefix: TOKEN })],
    // "confirm the header reads exactly Bearer tok_live_… with a single space after Bearer"
    header: { spaces: 'single' },
    renderer: jsonRenderer((error) => {
      if (error.code === 'insufficient_scope') {
        return { error: 'forbidden', message: `The credential lacks the required scope: ${error.missingScopes?.join(', ')}` };
      }
      if (error.status === 401) return { error: 'unauthorized', message: 'Invalid or missing API key' };
      if (error.status === 503) return { error: 'unavailable', message: 'Authentication is temporarily unavailable, retry shortly' };
      return { error: error.code, message: error.message };
    }),
  });
}

/** What the API shows of a credential: never the key, never its hash. */
function view(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    type: key.format === MANAGEMENT ? 'api_key' : 'token',
    scopes: key.scopes,
    display: `${key.prefix}…${key.hint}`,
    created_at: key.createdAt.toISOString(),
    expires_at: key.expiresAt?.toISOString() ?? null,
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    revoked: key.revokedAt !== null,
  };
}

function badRequest(reply: FastifyReply, message: string) {
  return reply.code(400).send({ error: 'invalid_request', message });
}

/** Lists every credential of one kind in a workspace (all pages). */
async function listAll(keyward: Keyward, workspaceId: string, format: string): Promise<ApiKey[]> {
  const out: ApiKey[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const { items, nextCursor } = await keyward.list({ workspaceId, includeRevoked: false, cursor, limit: 1000 });
    out.push(...items.filter((k) => k.format === format));
    if (nextCursor === null) break;
    cursor = nextCursor;
  }
  return out;
}

/** What Tooken says for Fastify's own client errors, by status. */
const CLIENT_ERRORS: Record<number, string> = {
  400: 'The request body is not valid JSON',
  413: 'The request body is too large',
  415: 'Send the request body as application/json',
};

/**
 * The API (`/v1`, by API key or token) and the dashboard's settings (`/keyward`, for a signed-in
 * session: `sessions` is the demo-only sign-in here).
 */
export async function createTookenApp(keyward: Keyward, sessions: DemoSessions): Promise<FastifyInstance> {
  const app = Fastify();
  // A lifecycle call that names a credential of another workspace, or none: 404 with Tooken's shape.
  // Fastify's own client errors (bad JSON, an unknown content type, a body too large) keep their
  // status; a store that fails under a lifecycle call gets the engine's 503 with Retry-After. No
  // message of Fastify's or of an exception is ever sent.
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    if (isKeywardError(error) && error.code === 'not_found') return reply.code(404).send({ error: 'not_found', message: 'No such credential' });
    if (isKeywardError(error) && error.status < 500) return reply.code(error.status).send({ error: error.code, message: error.message });
    if (isKeywardError(error)) {
      reply.log.error({ code: error.code }, 'the key store failed');
      const rendered = keyward.render(error);
      return reply.code(rendered.status).headers(rendered.headers).send(rendered.body);
    }
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send({ error: 'invalid_request', message: CLIENT_ERRORS[status] ?? 'The request is not valid' });
    }
    reply.log.error(failureLogFields(keyward, error), 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'Internal error' });
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not_found', message: 'No such endpoint' }));
  app.get('/health', () => ({ ok: true }));

  // Settings → API Keys and Settings → Audit Log: "API keys … Issued by the Tooken dashboard".
  const dashboard = createDashboard(keyward, {
    authorize: (request, { workspaceId }) => sessions.principal(request, workspaceId),
    resolveNames: (ids) => sessions.names(ids),
    // What the dashboard creates is a management API key: "No — full workspace access".
    format: MANAGEMENT,
    scopes: [{ name: '*', description: 'Full workspace access: what a management API key holds' }],
    // …and what the create dialog starts with checked (a management key without it would do nothing).
    defaultScopes: ['*'],
    // "Regenerating an API key immediately and permanently invalidates the old key."
    gracePeriods: ['0s'],
    // Settings → API Keys, with Regenerate, and the Audit Log.
    page: demoPage({
      title: 'Settings → API Keys',
      texts: {
        title: 'API Keys',
        rotate: 'Regenerate',
        auditLog: 'Audit Log',
        intro: 'Management API keys have full access to this workspace: use one to issue scoped tokens through the API.',
      },
    }),
  });
  await app.register(fetchPlugin, { handler: dashboard });
  await app.register(fetchPlugin, { handler: sessions.handler });

  await app.register(
    async (api) => {
      await api.register(fastifyKeyward, { keyward });
      const workspace = (request: Parameters<typeof getApiKey>[0]) => getApiKey(request).workspaceId!;
      // Who did it, for the audit log: the credential's id (never the key).
      const actorOf = (request: Parameters<typeof getApiKey>[0]) => `credential:${getApiKey(request).id}`;

      // Tokens: listing, issuing, reading, rotating, revoking.
      api.get('/tokens', { config: { apiKey: { scopes: ['tokens:read'] } } }, async (request) => ({
        data: (await listAll(keyward, workspace(request), TOKEN)).map(view),
      }));

      api.post<{ Body: { name?: unknown; scopes?: unknown; expires_at?: unknown } }>(
        '/tokens',
        { config: { apiKey: { scopes: ['tokens:write'] } } },
        async (request, reply) => {
          const { name, scopes, expires_at } = request.body ?? {};
          if (typeof name !== 'string' || name.trim() === '' || name.length > 200) return badRequest(reply, 'name must be a non-empty string');
          if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => typeof s === 'string' && isValidScope(s))) {
            return badRequest(reply, `scopes must be a non-empty list of scopes such as ${TOKEN_SCOPES.join(', ')}`);
          }
          let expiresAt: Date | null = null;
          if (expires_at !== undefined && expires_at !== null) {
            expiresAt = typeof expires_at === 'string' ? new Date(expires_at) : new Date(NaN);
            if (Number.isNaN(expiresAt.getTime())) return badRequest(reply, 'expires_at must be an ISO 8601 date-time');
            if (expiresAt.getTime() <= Date.now()) return badRequest(reply, 'expires_at must be in the future');
          }
          const created = await keyward.create({
            workspaceId: workspace(request),
            name,
            scopes: scopes as string[],
            expiresAt,
            format: TOKEN,
            actor: actorOf(request),
            // A credential hands out only what it holds, and what it makes expires no later than it
            // (403 forbidden otherwise): the engine checks, with the credential as the acting key.
            actingKey: getApiKey(request),
          });
          return reply.code(201).send({ token: created.key, ...view(created.record) });
        },
      );

      api.get<{ Params: { id: string } }>('/tokens/:id', { config: { apiKey: { scopes: ['tokens:read'] } } }, async (request, reply) => {
        const key = await keyward.get(request.params.id, { workspaceId: workspace(request) });
        if (key === null || key.format !== TOKEN) return reply.code(404).send({ error: 'not_found', message: 'No such credential' });
        return view(key);
      });

      api.post<{ Params: { id: string } }>('/tokens/:id/rotate', { config: { apiKey: { scopes: ['tokens:write'] } } }, async (request, reply) => {
        const guard = { workspaceId: workspace(request) };
        const key = await keyward.get(request.params.id, guard);
        if (key === null || key.format !== TOKEN) return reply.code(404).send({ error: 'not_found', message: 'No such credential' });
        // Rotating hands out the token's scopes with the new value: only within the credential's own.
        const rotated = await keyward.rotate(key.id, { ...guard, actor: actorOf(request), actingKey: getApiKey(request) });
        return reply.code(201).send({ token: rotated.key, ...view(rotated.record) });
      });

      api.delete<{ Params: { id: string } }>('/tokens/:id', { config: { apiKey: { scopes: ['tokens:write'] } } }, async (request, reply) => {
        const guard = { workspaceId: workspace(request) };
        const key = await keyward.get(request.params.id, guard);
        if (key === null || key.format !== TOKEN) return reply.code(404).send({ error: 'not_found', message: 'No such credential' });
        await keyward.revoke(key.id, { ...guard, actor: actorOf(request), actingKey: getApiKey(request) });
        return reply.code(204).send();
      });

      // For downstream services: is this token valid here, and does it hold these scopes?
      api.post<{ Body: { token?: unknown; scopes?: unknown } }>(
        '/tokens/verify',
        { config: { apiKey: { scopes: ['tokens:verify'] } } },
        async (request, reply) => {
          const { token, scopes } = request.body ?? {};
          if (typeof token !== 'string') return badRequest(reply, 'token must be a string');
          if (scopes !== undefined && (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')))
            return badRequest(reply, 'scopes must be a list of strings');
          // Only tokens are checked here: a management key sent as a token is not a valid token.
          const result = token.startsWith(`${TOKEN}_`)
            ? await keyward.verifyToken(token, { workspaceId: workspace(request), scopes: scopes as string[] | undefined })
            : null;
          if (result?.ok) return { valid: true, token: view(result.key) };
          if (result && result.error.status >= 500) throw result.error;
          return { valid: false, reason: result?.error.code === 'insufficient_scope' ? 'insufficient_scope' : 'invalid' };
        },
      );

      // Settings → Audit Log, also readable through the API (management keys, or tokens with audit:read).
      api.get<{ Querystring: { from?: string; to?: string; limit?: string; cursor?: string } }>(
        '/audit-log',
        { config: { apiKey: { scopes: ['audit:read'] } } },
        async (request, reply) => {
          const { from, to, limit, cursor } = request.query;
          const size = limit === undefined ? 50 : Number(limit);
          if (!Number.isInteger(size) || size < 1 || size > 200) return badRequest(reply, 'limit must be an integer from 1 to 200');
          const page = await keyward.auditLog({ workspaceId: workspace(request), from, to, limit: size, cursor });
          return {
            data: page.items.map((e) => ({
              id: e.id,
              type: e.type,
              time: e.time.toISOString(),
              credential_id: e.keyId,
              credential_hint: e.keyHint,
              actor: e.actor,
              reason: e.reason ?? e.code,
              count: e.count,
            })),
            next_cursor: page.nextCursor,
          };
        },
      );
    },
    { prefix: '/v1' },
  );
  return app;
}

/** Creates a management API key, as the dashboard does. */
export function createManagementKey(keyward: Keyward, workspaceId: string, name: string) {
  return keyward.create({ workspaceId, name, scopes: ['*'], format: MANAGEMENT });
}

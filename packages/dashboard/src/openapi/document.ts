import type { Config } from '../config.js';
import { examples } from './examples.js';
import { componentSchemas, type Schema } from './schemas.js';

/** An OpenAPI 3.1 document, as plain JSON. */
export type OpenApiDocument = Readonly<Record<string, unknown>> & { readonly openapi: '3.1.1'; readonly paths: Readonly<Record<string, unknown>> };

const ref = (kind: 'schemas' | 'responses' | 'parameters', name: string) => ({ $ref: `#/components/${kind}/${name}` });

function jsonBody(schema: string, example: unknown, description?: string) {
  return {
    ...(description ? { description } : {}),
    content: { 'application/json': { schema: ref('schemas', schema), examples: { example: { value: example } } } },
  };
}

const problemResponse = (description: string, example: unknown, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: ref('schemas', 'Problem'), examples: { example: { value: example } } } },
});

type Status = '400' | '401' | '403' | '404' | '409' | '410' | '413' | '415' | '501' | '503';
const NAMES: Record<Status, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Gone',
  413: 'TooLarge',
  415: 'UnsupportedMediaType',
  501: 'NotConfigured',
  503: 'Unavailable',
};

/** Responses of an operation: its success, the listed problems, and Problem Details for anything else. */
function responses(success: Record<string, unknown>, problems: readonly Status[]) {
  const out: Record<string, unknown> = { ...success };
  for (const status of problems) out[status] = ref('responses', NAMES[status]);
  out.default = ref('responses', 'Problem');
  return out;
}

const READ: Status[] = ['401', '403', '404', '503'];
const CHANGE: Status[] = ['400', '401', '403', '404', '413', '415', '503'];

/**
 * The OpenAPI 3.1 document of a dashboard's API: paths relative to `<basePath>/api`, enums from
 * its catalogue. A test holds it to the router (the same routes, both ways) and to the answers
 * (every response of a session validates against its schema).
 */
export function openApiDocument(config: Config): OpenApiDocument {
  const ex = examples(config);
  const schemes = config.openapi.securitySchemes;
  const op = (operationId: string, summary: string, tag: string, rest: Record<string, unknown>) => ({ operationId, summary, tags: [tag], ...rest });
  const json = (schema: string, example: unknown, description: string) => jsonBody(schema, example, description);
  const created = (schema: string, example: unknown, description: string) => ({
    ...json(schema, example, description),
    headers: { Location: { description: 'The new key.', schema: { type: 'string' } } },
  });
  const params = (...names: string[]) => names.map((n) => ref('parameters', n));
  const paths: Record<string, Record<string, unknown>> = {
    '/openapi.json': {
      get: op('getOpenApiDocument', 'This document', 'meta', {
        security: [],
        responses: responses(
          { 200: { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } } },
          [],
        ),
      }),
    },
    '/me': {
      get: op('getMe', 'The signed-in principal', 'session', {
        responses: responses({ 200: json('Me', ex.me, 'Who is signed in, and their workspaces when the provider lists them.') }, ['401', '503']),
      }),
    },
    '/workspaces/{workspaceId}': {
      parameters: params('workspaceId'),
      get: op('getWorkspace', 'The workspace as the principal sees it', 'session', {
        description: 'Role, permitted actions, and what may be chosen: scopes, environments, grace periods. Any role may read it.',
        responses: responses({ 200: json('Workspace', ex.workspace, 'The role, permissions and catalogue.') }, ['401', '404', '503']),
      }),
    },
    '/workspaces/{workspaceId}/keys': {
      parameters: params('workspaceId'),
      get: op('listKeys', 'List the keys of a workspace', 'keys', {
        description: 'Oldest first, revoked keys included unless `includeRevoked=false`. One store query per page (up to 1,000 keys).',
        parameters: params('limit', 'cursor', 'includeRevoked'),
        responses: responses({ 200: json('KeyPage', ex.keyPage, 'A page of keys.') }, ['400', ...READ]),
      }),
      post: op('createKey', 'Create a key', 'keys', {
        description: 'The plaintext key is in this response and in no other: show it once.',
        requestBody: { required: true, ...jsonBody('CreateKeyRequest', ex.createRequest) },
        responses: responses({ 201: created('CreatedKey', ex.createdKey, 'The new key and its plaintext.') }, CHANGE),
      }),
    },
    '/workspaces/{workspaceId}/keys/{keyId}': {
      parameters: params('workspaceId', 'keyId'),
      get: op('getKey', 'Read a key', 'keys', { responses: responses({ 200: json('Key', ex.key, 'The key.') }, READ) }),
      patch: op('updateKey', 'Rename a key or change its scopes', 'keys', {
        description: 'Both in one write. Legacy keys cannot be changed (409).',
        requestBody: { required: true, ...jsonBody('UpdateKeyRequest', ex.updateRequest) },
        responses: responses({ 200: json('Key', ex.key, 'The changed key.') }, [...CHANGE, '409']),
      }),
      delete: op('deleteKey', 'Delete a key for good', 'keys', {
        description: 'Legacy keys can only be revoked (409).',
        responses: responses({ 204: { description: 'Deleted.' } }, [...READ, '409']),
      }),
    },
    '/workspaces/{workspaceId}/keys/{keyId}/rotate': {
      parameters: params('workspaceId', 'keyId'),
      post: op('rotateKey', 'Rotate a key', 'keys', {
        description: 'A new key with the same name, scopes and environment; the old one stops at once or at the end of the grace period.',
        requestBody: { required: false, ...jsonBody('RotateKeyRequest', ex.rotateRequest) },
        responses: responses({ 201: created('RotatedKey', ex.rotatedKey, 'The new key, its plaintext, and the old key.') }, [...CHANGE, '409']),
      }),
    },
    '/workspaces/{workspaceId}/keys/{keyId}/revoke': {
      parameters: params('workspaceId', 'keyId'),
      post: op('revokeKey', 'Revoke a key at once', 'keys', {
        requestBody: { required: false, ...jsonBody('EmptyRequest', {}) },
        responses: responses(
          { 200: json('Key', { ...ex.key, status: 'revoked', revokedAt: '2026-12-01T08:00:00.000Z' }, 'The revoked key.') },
          CHANGE,
        ),
      }),
    },
    '/workspaces/{workspaceId}/audit': {
      parameters: params('workspaceId'),
      get: op('listAuditEvents', 'The audit log of a workspace', 'reports', {
        description: 'Newest first. A filtered page may hold fewer events than `limit` while `nextCursor` is set: follow it.',
        parameters: params('eventType', 'auditKeyId', 'fromTime', 'toTime', 'cursor', 'limit'),
        responses: responses({ 200: json('AuditPage', ex.auditPage, 'A page of events.') }, ['400', ...READ, '501']),
      }),
    },
    '/workspaces/{workspaceId}/usage': {
      parameters: params('workspaceId'),
      get: op('getUsage', 'Requests per key per day', 'reports', {
        description: 'UTC days, both ends included; the last 30 days by default, at most 400.',
        parameters: params('fromDay', 'toDay', 'usageKeyId'),
        responses: responses({ 200: json('Usage', ex.usage, 'Counts per day, per key, and per key and day.') }, ['400', ...READ, '501']),
      }),
    },
    '/legacy-keys': {
      get: op('listLegacyKeys', "The principal's legacy personal keys", 'legacy keys', {
        description: 'Listed with their sunset; they can only be revoked. A page may hold fewer than `limit` keys: follow `nextCursor`.',
        parameters: params('limit', 'cursor'),
        responses: responses({ 200: json('KeyPage', ex.legacyPage, 'A page of legacy keys.') }, ['400', '401', '503']),
      }),
      post: op('createLegacyKey', 'Refused: legacy keys cannot be created', 'legacy keys', {
        description: 'Always 410, with a message that names the sunset.',
        requestBody: { required: false, ...jsonBody('EmptyRequest', {}) },
        responses: responses({}, ['401', '403', '410', '413', '415', '503']),
      }),
    },
    '/legacy-keys/{keyId}/revoke': {
      parameters: params('keyId'),
      post: op('revokeLegacyKey', 'Revoke one of your legacy keys', 'legacy keys', {
        requestBody: { required: false, ...jsonBody('EmptyRequest', {}) },
        responses: responses({ 200: json('Key', { ...ex.legacy, status: 'revoked', revokedAt: '2026-12-01T08:00:00.000Z' }, 'The revoked key.') }, [
          '400',
          '401',
          '403',
          '404',
          '413',
          '415',
          '503',
        ]),
      }),
    },
  };
  const p = ex.problems;
  const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 1 } } };
  const query = (name: string, schema: Schema, description: string) => ({ name, in: 'query', required: false, schema, description });
  return {
    openapi: '3.1.1',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: config.openapi.title ?? 'Keyward key management API',
      version: config.openapi.version ?? '1.0.0',
      description:
        config.openapi.description ??
        'Manage the API keys of a workspace: list, create, rename, change scopes, rotate with a grace period, revoke, delete; the audit log and usage. ' +
          "Who may do what comes from the provider's session (roles owner, admin, member). Every response is `Cache-Control: no-store`; " +
          'changes from a browser must come from the same origin and be `application/json`; errors are RFC 9457 Problem Details.',
    },
    servers: [{ url: `${config.basePath}/api` }],
    ...(schemes ? { security: Object.keys(schemes).map((name) => ({ [name]: [] })) } : {}),
    tags: [{ name: 'session' }, { name: 'keys' }, { name: 'reports' }, { name: 'legacy keys' }, { name: 'meta' }],
    paths,
    components: {
      schemas: componentSchemas(config),
      ...(schemes ? { securitySchemes: schemes } : {}),
      parameters: {
        workspaceId: {
          name: 'workspaceId',
          in: 'path',
          required: true,
          schema: { type: 'string' },
          description: 'A workspace the principal has a role in (else 404).',
        },
        keyId: { name: 'keyId', in: 'path', required: true, schema: { type: 'string' }, description: 'A key of that workspace (else 404).' },
        limit: query('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, 'Page size.'),
        cursor: query('cursor', { type: 'string', maxLength: 512 }, '`nextCursor` of the previous page.'),
        includeRevoked: query('includeRevoked', { type: 'boolean', default: true }, 'List revoked keys too.'),
        eventType: { ...query('type', { type: 'string' }, 'Event types, comma-separated (`key.created,key.revoked`); may repeat.'), explode: true },
        auditKeyId: query('keyId', { type: 'string' }, 'Only events of this key.'),
        fromTime: query('from', { type: 'string', format: 'date-time' }, 'Events at or after this time.'),
        toTime: query('to', { type: 'string', format: 'date-time' }, 'Events before this time.'),
        fromDay: query('from', { type: 'string', format: 'date' }, 'First day (UTC). Default: 29 days before `to`.'),
        toDay: query('to', { type: 'string', format: 'date' }, 'Last day (UTC), included. Default: today.'),
        usageKeyId: query('keyId', { type: 'string' }, 'One key of the workspace (404 for any other).'),
      },
      responses: {
        BadRequest: problemResponse('Invalid input: every invalid member or parameter is named in `errors`.', p.badRequest),
        Unauthorized: problemResponse('Nobody is signed in.', p.unauthorized),
        Forbidden: problemResponse(
          'The role does not allow this action, a change made with an API key goes beyond that key (scopes it lacks, a later expiry), or a browser sent the change from another origin (`csrf_rejected`).',
          p.forbidden,
        ),
        NotFound: problemResponse('No such key or workspace — or one the principal has no role in: the same answer, byte for byte.', p.notFound),
        Conflict: problemResponse('The change conflicts with the key (rotated already, revoked, legacy).', p.conflict),
        Gone: problemResponse('Legacy personal keys can no longer be created.', p.gone),
        TooLarge: problemResponse('The body is larger than `maxBodyBytes`.', p.tooLarge),
        UnsupportedMediaType: problemResponse('A change must be sent as `application/json`.', p.unsupported),
        NotConfigured: problemResponse('The engine keeps no audit log or no usage.', p.notConfigured),
        Unavailable: problemResponse(
          'The key store or the sign-in check failed or was too slow: retry after `Retry-After` seconds.',
          p.unavailable,
          retryAfter,
        ),
        Problem: problemResponse('Any other problem (405, 500).', p.notFound),
      },
    },
  } as unknown as OpenApiDocument;
}

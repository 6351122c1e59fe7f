import type { Config } from '../config.js';

/**
 * Examples of the OpenAPI document, made from the dashboard's own catalogue so that each one is
 * valid against its schema (a test checks every one). The plaintext in them is a placeholder, not
 * a key: a document must not carry anything a secret scanner would report.
 */
export function examples(config: Config) {
  const env = config.environments[0] ?? null;
  const scopes = config.scopes.slice(0, 1).map((s) => s.name);
  const prefix = `${config.keyward.formats[0]!.name}_${env ? `${env}_` : ''}`;
  const alice = { id: 'user_alice', name: 'Alice Admin' };
  const key = {
    id: 'key_4mW2xQ9bT7cVn1LpR8sZ',
    workspaceId: 'ws_acme',
    name: 'prod-billing-worker',
    display: `${prefix}…x7Qa`,
    prefix,
    hint: 'x7Qa',
    environment: env,
    scopes,
    status: 'active',
    createdAt: '2026-11-02T09:30:00.000Z',
    createdBy: alice,
    lastUsedAt: '2026-11-30T17:04:12.000Z',
    expiresAt: null,
    revokedAt: null,
    rotatedToId: null,
    legacy: false,
    sunsetAt: null,
  };
  const successor = {
    ...key,
    id: 'key_9pK3vN6yH2dFa8QwE5tJ',
    display: `${prefix}…b3Kd`,
    hint: 'b3Kd',
    createdAt: '2026-12-01T08:00:00.000Z',
    lastUsedAt: null,
  };
  const legacy = {
    ...key,
    id: 'key_legacy_7Rz2',
    workspaceId: null,
    name: 'personal token',
    legacy: true,
    createdBy: null,
    sunsetAt: (config.keyward.legacySunset ?? new Date(Date.UTC(2026, 5, 30))).toISOString(),
  };
  const plaintext = '<the new key: shown in this response only>';
  const problem = (status: number, title: string, code: string, detail: string, extra: object = {}) => ({
    type: config.problemTypeBase ? `${config.problemTypeBase}${code}` : 'about:blank',
    title,
    status,
    detail,
    code,
    ...extra,
  });
  return {
    key,
    legacy,
    createdKey: { key: plaintext, record: key },
    rotatedKey: {
      key: plaintext,
      record: successor,
      previous: { ...key, rotatedToId: successor.id, expiresAt: '2026-12-02T08:00:00.000Z' },
    },
    keyPage: { items: [key], nextCursor: null },
    legacyPage: { items: [legacy], nextCursor: null },
    createRequest: {
      name: 'prod-billing-worker',
      ...(env ? { environment: env } : {}),
      scopes,
      expiresAt: '2027-12-31T23:59:59Z',
    },
    updateRequest: { name: 'billing-worker (eu)', scopes },
    rotateRequest: { gracePeriod: config.gracePeriods[config.gracePeriods.length - 1]!.value },
    me: { id: alice.id, name: alice.name, workspaces: [{ id: 'ws_acme', name: 'Acme', role: 'admin' }] },
    workspace: {
      id: 'ws_acme',
      role: 'admin',
      permissions: [...(config.permissions.get('admin') ?? [])],
      catalogue: {
        scopes: config.scopes.map((s) => ({ name: s.name, description: s.description || null })),
        defaultScopes: [...config.defaultScopes],
        environments: [...config.environments],
        gracePeriods: config.gracePeriods.map((g) => ({ value: g.value, seconds: g.ms / 1000 })),
      },
      limits: { maxNameLength: config.maxNameLength, maxBodyBytes: config.maxBodyBytes, maxPageSize: 1000 },
      legacySunset: config.keyward.legacySunset?.toISOString() ?? null,
    },
    auditPage: {
      items: [
        {
          id: 'evt_Q2w8Er5Ty1Ui7Op3As6D',
          type: 'key.rotated',
          time: '2026-12-01T08:00:00.000Z',
          keyId: key.id,
          keyHint: key.hint,
          actor: alice,
          code: null,
          reason: null,
          ip: null,
          userAgent: null,
          count: 1,
          details: { successorId: successor.id, successorHint: successor.hint, gracePeriodMs: 86_400_000 },
        },
      ],
      nextCursor: '1764576000000:42',
    },
    usage: {
      from: '2026-11-29',
      to: '2026-11-30',
      total: 1250,
      days: [
        { day: '2026-11-29', count: 400 },
        { day: '2026-11-30', count: 850 },
      ],
      keys: [{ keyId: key.id, count: 1250 }],
      byKeyAndDay: [
        { keyId: key.id, day: '2026-11-29', count: 400 },
        { keyId: key.id, day: '2026-11-30', count: 850 },
      ],
    },
    problems: {
      badRequest: problem(400, 'Bad Request', 'invalid_request', 'name must be at most 100 characters', {
        errors: [{ pointer: '/name', detail: 'name must be at most 100 characters' }],
      }),
      unauthorized: problem(401, 'Unauthorized', 'unauthenticated', 'sign in to manage API keys'),
      forbidden: problem(
        403,
        'Forbidden',
        'forbidden',
        'your role in this workspace (member) does not allow keys:create: ask a workspace owner or admin',
      ),
      notFound: problem(404, 'Not Found', 'not_found', 'No such key.'),
      conflict: problem(409, 'Conflict', 'conflict', 'this key was rotated already'),
      gone: problem(410, 'Gone', 'legacy_keys_closed', 'legacy personal keys can no longer be created: …'),
      tooLarge: problem(413, 'Content Too Large', 'payload_too_large', `the body is larger than ${config.maxBodyBytes} bytes`),
      unsupported: problem(415, 'Unsupported Media Type', 'unsupported_media_type', 'send the request with "Content-Type: application/json"'),
      notConfigured: problem(501, 'Not Implemented', 'not_configured', 'the audit log is not set up: createKeyward({ audit: true })'),
      unavailable: problem(503, 'Service Unavailable', 'unavailable', 'the key store is unavailable: retry later'),
    },
  };
}

import { AUDIT_EVENT_TYPES } from '@keyward/core';
import type { Config } from '../config.js';
import { PROBLEM_CODES } from '../http/problem.js';
import { DASHBOARD_ACTIONS } from '../permissions.js';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1). */
export type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const string: Schema = { type: 'string' };
const nullableString: Schema = { type: ['string', 'null'] };
const time: Schema = { type: 'string', format: 'date-time' };
const nullableTime: Schema = { type: ['string', 'null'], format: 'date-time' };
const day: Schema = { type: 'string', format: 'date' };
const count: Schema = { type: 'integer', minimum: 0 };

function object(properties: Record<string, Schema>, required: readonly string[] = Object.keys(properties), extra: Schema = {}): Schema {
  return { type: 'object', properties, required: [...required], additionalProperties: false, ...extra };
}

/** The component schemas; enums follow the dashboard's catalogue, limits and grace periods. */
export function componentSchemas(config: Config): Record<string, Schema> {
  const name: Schema = { type: 'string', minLength: 1, maxLength: config.maxNameLength, description: 'Trimmed; no control characters.' };
  const scopes: Schema =
    config.scopes.length === 0
      ? { type: 'array', maxItems: 0, description: 'This dashboard has no scope catalogue: keys have no scopes.' }
      : { type: 'array', items: { enum: config.scopes.map((s) => s.name) }, uniqueItems: true };
  const createProperties: Record<string, Schema> = {
    name,
    scopes: {
      ...scopes,
      description: `Scopes from the catalogue. Default: ${config.defaultScopes.length === 0 ? 'none' : config.defaultScopes.join(', ')}.`,
    },
    expiresAt: { ...nullableTime, description: 'In the future; `null` or absent: the key does not expire.' },
  };
  if (config.environments.length > 0) {
    createProperties.environment = { enum: [...config.environments], description: `Default: ${config.environments[0]}.` };
  }
  return {
    Problem: object(
      {
        type: { ...string, description: '`about:blank`, or the problem type base plus the code.' },
        title: string,
        status: { type: 'integer', minimum: 400, maximum: 599 },
        detail: { ...string, description: 'What went wrong and what to do; never a key, a hash or an input value.' },
        code: { enum: [...PROBLEM_CODES] },
        errors: {
          type: 'array',
          description: 'For 400 `invalid_request`: each invalid input, by JSON pointer into the body or `?name` for a query parameter.',
          items: object({ pointer: string, detail: string }),
        },
      },
      ['type', 'title', 'status', 'detail', 'code'],
      { description: 'RFC 9457 Problem Details.' },
    ),
    Person: object({
      id: string,
      name: { ...nullableString, description: 'Known for the signed-in principal, and for others through `resolveNames`.' },
    }),
    Key: object(
      {
        id: string,
        workspaceId: nullableString,
        name: string,
        display: { ...string, description: '`prefix…last4`: enough to recognise the key, not to use it.' },
        prefix: string,
        hint: { ...string, description: 'The last 4 characters of the key.' },
        environment: nullableString,
        scopes: { type: 'array', items: string },
        status: { enum: ['active', 'revoked', 'expired', 'sunset'] },
        createdAt: time,
        createdBy: { oneOf: [ref('Person'), { type: 'null' }] },
        lastUsedAt: nullableTime,
        expiresAt: nullableTime,
        revokedAt: nullableTime,
        rotatedToId: { ...nullableString, description: 'Set on a rotated key: the id of its successor.' },
        legacy: { type: 'boolean' },
        sunsetAt: { ...nullableTime, description: 'Legacy keys: when they stop working.' },
      },
      undefined,
      { description: 'A key as the API shows it: never the key, never its hash.' },
    ),
    KeyPage: object({
      items: { type: 'array', items: ref('Key') },
      nextCursor: { ...nullableString, description: 'Pass as `cursor` for the next page.' },
    }),
    CreatedKey: object({
      key: { ...string, description: 'The plaintext key: in this response only. Show it once; Keyward keeps only its hash.' },
      record: ref('Key'),
    }),
    RotatedKey: object({
      key: { ...string, description: 'The new plaintext key: in this response only.' },
      record: ref('Key'),
      previous: { ...ref('Key'), description: 'The old key: revoked, or expiring at the end of the grace period.' },
    }),
    CreateKeyRequest: object(createProperties, ['name']),
    UpdateKeyRequest: object({ name, scopes }, [], { minProperties: 1 }),
    RotateKeyRequest: object(
      {
        gracePeriod: {
          enum: config.gracePeriods.map((g) => g.value),
          description: `How long the old key keeps working. Default: ${config.gracePeriods[0]!.value}.`,
        },
      },
      [],
    ),
    EmptyRequest: object({}, [], { description: 'No input: `{}` or an empty body.' }),
    Me: object({
      id: string,
      name: string,
      workspaces: {
        oneOf: [{ type: 'array', items: object({ id: string, name: nullableString, role: string }) }, { type: 'null' }],
        description: 'When the provider lists them (for a workspace switcher).',
      },
    }),
    Workspace: object({
      id: string,
      role: string,
      permissions: { type: 'array', items: { enum: [...DASHBOARD_ACTIONS] } },
      catalogue: object({
        scopes: { type: 'array', items: object({ name: string, description: nullableString }) },
        defaultScopes: { type: 'array', items: string, description: 'What a new key gets when its creator names no scope.' },
        environments: { type: 'array', items: string },
        gracePeriods: { type: 'array', items: object({ value: string, seconds: { type: 'number', minimum: 0 } }) },
      }),
      limits: object({ maxNameLength: count, maxBodyBytes: count, maxPageSize: count }),
      legacySunset: nullableTime,
    }),
    AuditEvent: object({
      id: string,
      type: { enum: [...AUDIT_EVENT_TYPES] },
      time,
      keyId: nullableString,
      keyHint: nullableString,
      actor: { oneOf: [ref('Person'), { type: 'null' }] },
      code: nullableString,
      reason: nullableString,
      ip: nullableString,
      userAgent: nullableString,
      count: { type: 'integer', minimum: 1 },
      details: { type: 'object' },
    }),
    AuditPage: object({ items: { type: 'array', items: ref('AuditEvent') }, nextCursor: nullableString }),
    Usage: object({
      from: day,
      to: day,
      total: count,
      days: { type: 'array', items: object({ day, count }) },
      keys: { type: 'array', items: object({ keyId: string, count }) },
      byKeyAndDay: { type: 'array', items: object({ keyId: string, day, count }) },
    }),
  };
}

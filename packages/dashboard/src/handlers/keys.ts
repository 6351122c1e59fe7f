import type { ApiKey } from '@keyward/core';
import { json, type RequestContext } from '../context.js';
import { DashboardProblem } from '../http/problem.js';
import { bodyObject, checkCursor, checkLimit, checkName, checkScopes, checkTime, InputErrors, notFound, queryParams } from '../http/input.js';
import { keyView } from '../views.js';

/** The last instant a JavaScript Date (and every store) can hold comfortably: 9999-12-31. */
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

async function views(ctx: RequestContext, keys: readonly ApiKey[]) {
  const names = await ctx.names(keys.map((k) => k.createdBy));
  const now = ctx.config.now();
  return keys.map((k) => keyView(k, now, ctx.config.keyward.legacySunset, names));
}

/** The workspace, who acts, and the key they act with when a key calls (bounded by it: `actingKey`). */
const guard = (ctx: RequestContext) => ({
  workspaceId: ctx.workspaceId!,
  actor: ctx.principal.id,
  ...(ctx.principal.actingKey !== undefined ? { actingKey: ctx.principal.actingKey } : {}),
});

/** GET /workspaces/{workspaceId}/keys */
export async function listKeys(ctx: RequestContext): Promise<Response> {
  const q = queryParams(ctx.url, ['limit', 'cursor', 'includeRevoked']);
  const errors = new InputErrors();
  const limit = checkLimit(q.get('limit')?.[0], 100, 1000, errors);
  const cursor = checkCursor(q.get('cursor')?.[0], errors);
  const revoked = q.get('includeRevoked')?.[0];
  if (revoked !== undefined && revoked !== 'true' && revoked !== 'false') errors.add('?includeRevoked', 'includeRevoked must be true or false');
  errors.check();
  // One store read: the key rows carry everything shown, created-by included.
  const page = await ctx.config.keyward.list({
    workspaceId: ctx.workspaceId!,
    limit: limit!,
    includeRevoked: revoked !== 'false',
    ...(cursor !== undefined ? { cursor } : {}),
  });
  return json(200, { items: await views(ctx, page.items), nextCursor: page.nextCursor });
}

/** GET /workspaces/{workspaceId}/keys/{keyId} */
export async function getKey(ctx: RequestContext): Promise<Response> {
  queryParams(ctx.url, []);
  const key = await ctx.config.keyward.get(ctx.params.keyId!, { workspaceId: ctx.workspaceId! });
  if (key === null) throw notFound('key');
  return json(200, (await views(ctx, [key]))[0]);
}

/** POST /workspaces/{workspaceId}/keys: the plaintext is in this response, and in no other. */
export async function createKey(ctx: RequestContext): Promise<Response> {
  const { config } = ctx;
  const body = bodyObject(await ctx.body(), ['name', 'environment', 'scopes', 'expiresAt']);
  const errors = new InputErrors();
  const name =
    body.name === undefined ? errors.add('/name', 'name is required') : checkName(body.name, config.maxNameLength, config.keyward.formats, errors);
  let environment: string | undefined;
  if (config.environments.length === 0) {
    if (body.environment !== undefined) errors.add('/environment', 'keys of this dashboard have no environment to choose');
  } else if (body.environment === undefined) environment = config.environments[0];
  else if (typeof body.environment === 'string' && config.environments.includes(body.environment)) environment = body.environment;
  else errors.add('/environment', `unknown environment; choose one of: ${config.environments.join(', ')}`);
  const scopes = body.scopes === undefined ? [...config.defaultScopes] : checkScopes(body.scopes, config.scopeNames, errors);
  let expiresAt: Date | null = null;
  if (body.expiresAt !== undefined && body.expiresAt !== null) {
    const ms = checkTime(body.expiresAt, '/expiresAt', errors);
    if (ms !== undefined && ms <= config.now()) errors.add('/expiresAt', 'expiresAt must be in the future');
    else if (ms !== undefined && ms > MAX_TIME) errors.add('/expiresAt', 'expiresAt must be before the year 10000');
    else if (ms !== undefined) expiresAt = new Date(ms);
  }
  errors.check();
  const created = await config.keyward.create({
    workspaceId: ctx.workspaceId!,
    name: name!,
    scopes: scopes!,
    expiresAt,
    actor: ctx.principal.id,
    ...(ctx.principal.actingKey !== undefined ? { actingKey: ctx.principal.actingKey } : {}),
    ...(environment !== undefined ? { environment } : {}),
    ...(config.format !== undefined ? { format: config.format } : {}),
  });
  const [record] = await views(ctx, [created.record]);
  return json(201, { key: created.key, record }, { location: keyLocation(ctx, created.record.id) });
}

/** PATCH /workspaces/{workspaceId}/keys/{keyId}: rename, change scopes (one store write for both). */
export async function updateKey(ctx: RequestContext): Promise<Response> {
  const { config } = ctx;
  const body = bodyObject(await ctx.body(), ['name', 'scopes']);
  const errors = new InputErrors();
  if (body.name === undefined && body.scopes === undefined) errors.add('', 'send name, scopes or both');
  const name = body.name === undefined ? undefined : checkName(body.name, config.maxNameLength, config.keyward.formats, errors);
  const scopes = body.scopes === undefined ? undefined : checkScopes(body.scopes, config.scopeNames, errors);
  errors.check();
  const updated = await config.keyward.update(
    ctx.params.keyId!,
    { ...(name !== undefined ? { name } : {}), ...(scopes !== undefined ? { scopes } : {}) },
    guard(ctx),
  );
  return json(200, (await views(ctx, [updated]))[0]);
}

/** POST /workspaces/{workspaceId}/keys/{keyId}/rotate: the new plaintext is in this response, and in no other. */
export async function rotateKey(ctx: RequestContext): Promise<Response> {
  const { config } = ctx;
  const body = bodyObject(await ctx.body(), ['gracePeriod']);
  const errors = new InputErrors();
  const period = body.gracePeriod === undefined ? config.gracePeriods[0] : config.gracePeriods.find((g) => g.value === body.gracePeriod);
  if (period === undefined) errors.add('/gracePeriod', `gracePeriod must be one of: ${config.gracePeriods.map((g) => g.value).join(', ')}`);
  errors.check();
  // The successor keeps the key's expiry: an expired key would be replaced by an expired one.
  const current = await config.keyward.get(ctx.params.keyId!, { workspaceId: ctx.workspaceId! });
  if (current === null) throw notFound('key');
  if (current.expiresAt !== null && current.expiresAt.getTime() <= config.now() && current.rotatedToId === null) {
    throw new DashboardProblem(409, 'conflict', 'this key has expired: create a new key instead of rotating it');
  }
  const rotated = await config.keyward.rotate(current.id, { ...guard(ctx), gracePeriod: period!.ms });
  const [record, previous] = await views(ctx, [rotated.record, rotated.previous]);
  return json(201, { key: rotated.key, record, previous }, { location: keyLocation(ctx, rotated.record.id) });
}

/** POST /workspaces/{workspaceId}/keys/{keyId}/revoke: at once; revoking a revoked key changes nothing. */
export async function revokeKey(ctx: RequestContext): Promise<Response> {
  bodyObject(await ctx.body(), []);
  const revoked = await ctx.config.keyward.revoke(ctx.params.keyId!, guard(ctx));
  return json(200, (await views(ctx, [revoked]))[0]);
}

/** DELETE /workspaces/{workspaceId}/keys/{keyId}: for good. Legacy keys can only be revoked. */
export async function deleteKey(ctx: RequestContext): Promise<Response> {
  queryParams(ctx.url, []);
  const { keyward } = ctx.config;
  const key = await keyward.get(ctx.params.keyId!, { workspaceId: ctx.workspaceId! });
  if (key === null) throw notFound('key');
  if (key.legacy) throw new DashboardProblem(409, 'conflict', 'legacy keys can only be viewed and revoked');
  if (!(await keyward.delete(key.id, guard(ctx)))) throw notFound('key');
  return new Response(null, { status: 204 });
}

function keyLocation(ctx: RequestContext, id: string): string {
  return `${ctx.config.basePath}/api/workspaces/${encodeURIComponent(ctx.workspaceId!)}/keys/${encodeURIComponent(id)}`;
}

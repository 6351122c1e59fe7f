import type { ApiKey } from '@keyward/core';
import { json, type RequestContext } from '../context.js';
import { DashboardProblem } from '../http/problem.js';
import { bodyObject, checkCursor, checkLimit, InputErrors, notFound, queryParams } from '../http/input.js';
import { keyView } from '../views.js';

/** A legacy personal key of the signed-in principal: it belongs to them, not to a workspace. */
const personal = (key: ApiKey | null, ownerId: string): key is ApiKey => key?.legacy === true && key.workspaceId === null && key.ownerId === ownerId;

/**
 * GET /legacy-keys: the signed-in principal's legacy personal keys, with their sunset. A page may
 * hold fewer keys than `limit` (keys of the owner that are not legacy are left out): follow
 * `nextCursor`.
 */
export async function listLegacyKeys(ctx: RequestContext): Promise<Response> {
  const q = queryParams(ctx.url, ['limit', 'cursor']);
  const errors = new InputErrors();
  const limit = checkLimit(q.get('limit')?.[0], 100, 1000, errors);
  const cursor = checkCursor(q.get('cursor')?.[0], errors);
  errors.check();
  const { keyward } = ctx.config;
  const page = await keyward.list({ ownerId: ctx.principal.id, limit: limit!, ...(cursor !== undefined ? { cursor } : {}) });
  const mine = page.items.filter((k) => personal(k, ctx.principal.id));
  const names = await ctx.names(mine.map((k) => k.createdBy));
  const now = ctx.config.now();
  return json(200, { items: mine.map((k) => keyView(k, now, keyward.legacySunset, names)), nextCursor: page.nextCursor });
}

/** POST /legacy-keys: refused. Legacy keys are on their way out; the message names their sunset. */
export async function createLegacyKey(ctx: RequestContext): Promise<Response> {
  const sunset = ctx.config.keyward.legacySunset;
  const until = sunset === null ? 'until their sunset' : `until ${sunset.toISOString().slice(0, 10)}, their sunset,`;
  throw new DashboardProblem(
    410,
    'legacy_keys_closed',
    `legacy personal keys can no longer be created: the existing ones keep working ${until} and can only be viewed and revoked. Create a workspace key instead.`,
  );
}

/** POST /legacy-keys/{keyId}/revoke: the owner revokes one of their legacy keys. */
export async function revokeLegacyKey(ctx: RequestContext): Promise<Response> {
  bodyObject(await ctx.body(), []);
  const { keyward } = ctx.config;
  const key = await keyward.get(ctx.params.keyId!);
  if (!personal(key, ctx.principal.id)) throw notFound('key');
  const revoked = await keyward.revoke(key.id, { actor: ctx.principal.id });
  const names = await ctx.names([revoked.createdBy]);
  return json(200, keyView(revoked, ctx.config.now(), keyward.legacySunset, names));
}

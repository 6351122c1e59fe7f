import { DASHBOARD_ACTIONS } from '../permissions.js';
import { json, type RequestContext } from '../context.js';

/** GET /me: who is signed in, and the workspaces they may switch between (when the provider says). */
export async function getMe(ctx: RequestContext): Promise<Response> {
  const { principal } = ctx;
  return json(200, {
    id: principal.id,
    name: principal.name,
    workspaces: principal.workspaces?.map((w) => ({ id: w.id, name: w.name ?? null, role: w.role })) ?? null,
  });
}

/** GET /workspaces/{workspaceId}: the principal's role and permissions there, and what a page needs to offer. */
export async function getWorkspace(ctx: RequestContext): Promise<Response> {
  const { config, principal } = ctx;
  const allowed = config.permissions.get(principal.role!) ?? new Set();
  const sunset = config.keyward.legacySunset;
  return json(200, {
    id: ctx.workspaceId,
    role: principal.role,
    permissions: DASHBOARD_ACTIONS.filter((a) => allowed.has(a)),
    catalogue: {
      scopes: config.scopes.map((s) => ({ name: s.name, description: s.description || null })),
      defaultScopes: config.defaultScopes,
      environments: config.environments,
      gracePeriods: config.gracePeriods.map((g) => ({ value: g.value, seconds: g.ms / 1000 })),
    },
    limits: { maxNameLength: config.maxNameLength, maxBodyBytes: config.maxBodyBytes, maxPageSize: 1000 },
    legacySunset: sunset === null ? null : sunset.toISOString(),
  });
}

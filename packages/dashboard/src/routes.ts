import type { RequestContext } from './context.js';
import { createKey, deleteKey, getKey, listKeys, revokeKey, rotateKey, updateKey } from './handlers/keys.js';
import { createLegacyKey, listLegacyKeys, revokeLegacyKey } from './handlers/legacy.js';
import { getUsage, listAudit } from './handlers/reports.js';
import { getMe, getWorkspace } from './handlers/session.js';
import type { DashboardAction } from './permissions.js';

/**
 * Who may call a route: anyone (`public`), anyone signed in (`signed-in`), or a principal with a
 * role in the path's workspace (`workspace`) and, when an action is named, that action.
 */
export type RouteAccess =
  | { readonly kind: 'public' }
  | { readonly kind: 'signed-in' }
  | { readonly kind: 'workspace'; readonly action: DashboardAction | null };

/** One operation of the management API. */
export interface DashboardRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to `<basePath>/api`, with `{param}` segments, exactly as in the OpenAPI document. */
  readonly path: string;
  readonly operationId: string;
  readonly access: RouteAccess;
  /** Filled in by the handler itself: the OpenAPI document. */
  readonly handler: ((ctx: RequestContext) => Promise<Response>) | 'openapi';
}

const ws = (action: DashboardAction | null): RouteAccess => ({ kind: 'workspace', action });
const signedIn: RouteAccess = { kind: 'signed-in' };

/** Every route the handler answers under `<basePath>/api`. The OpenAPI document has each, and only these. */
export const ROUTES: readonly DashboardRoute[] = Object.freeze([
  { method: 'GET', path: '/openapi.json', operationId: 'getOpenApiDocument', access: { kind: 'public' }, handler: 'openapi' },
  { method: 'GET', path: '/me', operationId: 'getMe', access: signedIn, handler: getMe },
  { method: 'GET', path: '/workspaces/{workspaceId}', operationId: 'getWorkspace', access: ws(null), handler: getWorkspace },
  { method: 'GET', path: '/workspaces/{workspaceId}/keys', operationId: 'listKeys', access: ws('keys:read'), handler: listKeys },
  { method: 'POST', path: '/workspaces/{workspaceId}/keys', operationId: 'createKey', access: ws('keys:create'), handler: createKey },
  { method: 'GET', path: '/workspaces/{workspaceId}/keys/{keyId}', operationId: 'getKey', access: ws('keys:read'), handler: getKey },
  { method: 'PATCH', path: '/workspaces/{workspaceId}/keys/{keyId}', operationId: 'updateKey', access: ws('keys:update'), handler: updateKey },
  { method: 'DELETE', path: '/workspaces/{workspaceId}/keys/{keyId}', operationId: 'deleteKey', access: ws('keys:delete'), handler: deleteKey },
  { method: 'POST', path: '/workspaces/{workspaceId}/keys/{keyId}/rotate', operationId: 'rotateKey', access: ws('keys:rotate'), handler: rotateKey },
  { method: 'POST', path: '/workspaces/{workspaceId}/keys/{keyId}/revoke', operationId: 'revokeKey', access: ws('keys:revoke'), handler: revokeKey },
  { method: 'GET', path: '/workspaces/{workspaceId}/audit', operationId: 'listAuditEvents', access: ws('audit:read'), handler: listAudit },
  { method: 'GET', path: '/workspaces/{workspaceId}/usage', operationId: 'getUsage', access: ws('usage:read'), handler: getUsage },
  { method: 'GET', path: '/legacy-keys', operationId: 'listLegacyKeys', access: signedIn, handler: listLegacyKeys },
  { method: 'POST', path: '/legacy-keys', operationId: 'createLegacyKey', access: signedIn, handler: createLegacyKey },
  { method: 'POST', path: '/legacy-keys/{keyId}/revoke', operationId: 'revokeLegacyKey', access: signedIn, handler: revokeLegacyKey },
] satisfies DashboardRoute[]);

/** A route's path as segments: literals, or `{name}` parameters. */
const compiled = ROUTES.map((route) => ({ route, segments: route.path.split('/').slice(1) }));

/**
 * The route of a path (relative to `<basePath>/api`) and method: `{ route, params }`; `{ allow }`
 * when the path exists with other methods (405); `null` when it does not exist (404).
 */
export function matchRoute(method: string, path: string): { route: DashboardRoute; params: Record<string, string> } | { allow: string[] } | null {
  const parts = path.split('/').slice(1);
  const allow: string[] = [];
  for (const { route, segments } of compiled) {
    if (segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const segment = segments[i]!;
      const part = parts[i]!;
      if (segment.startsWith('{')) {
        let value: string;
        try {
          value = decodeURIComponent(part);
        } catch {
          return null;
        }
        if (value.length === 0) ok = false;
        else params[segment.slice(1, -1)] = value;
      } else ok = segment === part;
    }
    if (!ok) continue;
    if (route.method === method) return { route, params };
    allow.push(route.method);
  }
  return allow.length > 0 ? { allow } : null;
}

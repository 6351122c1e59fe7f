import type { ApiKey, Awaitable, Duration } from '@keyward/core';
import type { PageOptions } from './page/options.js';
import type { DashboardRole, PermissionTable } from './permissions.js';

/**
 * The signed-in person, as the provider's own session knows them (a cookie, a header, anything).
 * `id` is the `actor` of every audit event and the `createdBy` of the keys they create.
 */
export interface Principal {
  /** A stable id: 1-256 characters. */
  readonly id: string;
  /** The name to show (`"Olivia Owner"`). */
  readonly name: string;
  /**
   * The principal's role in the workspace of the request (`context.workspaceId`); `null` when it
   * has none there, or when the request names no workspace. A workspace without a role answers
   * 404, exactly like a workspace that does not exist.
   */
  readonly role: DashboardRole | null;
  /**
   * The workspaces the principal may switch between (for a workspace switcher), when the provider
   * knows them cheaply. Shown by `GET <base>/api/me`; never used to decide access (`role` is).
   */
  readonly workspaces?: readonly { readonly id: string; readonly name?: string; readonly role: DashboardRole }[];
  /**
   * For a provider whose API keys may call the management API themselves: the key of the request
   * (`(await keyward.verify(request.headers)).key`). Every change is then made with it as the
   * engine's `actingKey`, so it is bounded by that key — it grants and reaches only scopes the key
   * holds, acts only in its workspace, makes keys that expire no later than it, and does nothing
   * once the key stops working (403 `forbidden`). People have none.
   * @example
   * ```ts
   * authorize: async (request, { workspaceId }) => {
   *   if (request.headers.has('authorization')) {
   *     const result = await keyward.verify(request.headers, { scopes: ['keys:manage'] });
   *     if (!result.ok) return null;
   *     const key = result.key;
   *     return { id: `key:${key.id}`, name: key.name, role: workspaceId === key.workspaceId ? 'admin' : null, actingKey: key };
   *   }
   *   return sessions.principal(request, workspaceId);
   * }
   * ```
   */
  readonly actingKey?: Pick<ApiKey, 'id'>;
}

/** What {@link DashboardOptions.authorize} is told about the request. */
export interface AuthorizeContext {
  /** The workspace the request is about (from its path), or `null` (`/me`, legacy keys). */
  readonly workspaceId: string | null;
}

/** A scope of the catalogue, with the text the page shows next to it. */
export interface ScopeDescription {
  readonly name: string;
  readonly description?: string;
}

/** Provider-facing texts and security schemes of the OpenAPI document. */
export interface OpenApiOptions {
  /** @default 'Keyward key management API' */
  title?: string;
  /** The version of your API. @default '1.0.0' */
  version?: string;
  /** Markdown shown at the top of the document. */
  description?: string;
  /**
   * How your session is sent, as OpenAPI security schemes (`{ session: { type: 'apiKey', in:
   * 'cookie', name: 'sid' } }`); every operation but the document itself then requires them.
   */
  securitySchemes?: Record<string, Record<string, unknown>>;
}

/** Options of {@link createDashboard}. */
export interface DashboardOptions {
  /**
   * Who is asking, from your own session: the principal and their role in `context.workspaceId`,
   * or `null` when nobody is signed in (401). A throw or a rejection answers 503 with
   * `Retry-After` (your session store is down: never a pass).
   *
   * @example
   * ```ts
   * authorize: async (request, { workspaceId }) => {
   *   const user = await sessions.fromCookie(request.headers.get('cookie'));
   *   if (!user) return null;
   *   return { id: user.id, name: user.name, role: workspaceId ? await members.roleOf(user.id, workspaceId) : null };
   * }
   * ```
   */
  authorize: (request: Request, context: AuthorizeContext) => Awaitable<Principal | null>;
  /**
   * Where the handler is mounted: every path it answers starts with it (`/keyward/api/...`). A
   * request outside it answers 404.
   * @default '/keyward'
   */
  basePath?: string;
  /** The scopes a key may be given, in the order the page shows them. @default [] (keys without scopes) */
  scopes?: readonly (string | ScopeDescription)[];
  /**
   * Scopes of the catalogue that a new key gets when its creator names none (`POST …/keys` without
   * `scopes`), and that the page's create dialog starts with checked.
   * @default [] (no scope)
   * @example `['*']` (Tooken: a management key has full workspace access)
   */
  defaultScopes?: readonly string[];
  /**
   * The environments a new key may be created in (each must be one the key format accepts); the
   * first is the default. `[]`: no choice, keys get the format's default.
   * @default []
   */
  environments?: readonly string[];
  /**
   * Grace periods offered when rotating, as durations; the first is the default. `'0s'` revokes
   * the old key at once.
   * @default ['0s', '1h', '24h', '7d']
   */
  gracePeriods?: readonly Duration[];
  /**
   * Role → allowed actions, merged over {@link DEFAULT_PERMISSIONS} role by role.
   * @example `{ member: ['keys:read', 'usage:read', 'audit:read'] }`
   */
  permissions?: Partial<PermissionTable>;
  /** Name of the key format of new keys, when the engine has several. @default the engine's first */
  format?: string;
  /** Longest key name, in characters (1-200). @default 100 */
  maxNameLength?: number;
  /** Largest request body, in bytes (an oversize body answers 413). @default 16384 */
  maxBodyBytes?: number;
  /**
   * Origins besides the request's own from which browsers may send changes (the origin of your
   * app when it is served from another host, or behind a proxy that changes the Host).
   * @example `['https://app.example.com']`
   */
  trustedOrigins?: readonly string[];
  /**
   * Display names of other people (creators of keys, actors of audit events), one call per
   * response with every id it needs. Without it only the signed-in principal's own name is shown.
   * A throw answers 503.
   */
  resolveNames?: (ids: readonly string[], context: AuthorizeContext) => Awaitable<Readonly<Record<string, string>>>;
  /** A request that takes longer (your `authorize` and the store together) answers 503. @default 5000 (ms) */
  timeout?: number;
  /** `Retry-After` seconds of a 503. @default 1 */
  retryAfter?: number;
  /**
   * Told about every 5xx: a failing store, a throwing `authorize`, a bug. The error's message and
   * stack are scrubbed of anything that looks like a key or a hash; it never holds a request body.
   */
  onError?: (error: Error, context: { readonly method: string; readonly path: string; readonly status: number }) => void;
  /** Problem `type` URIs are this base plus the code; without it, `about:blank` (RFC 9457 §4.2.1). */
  problemTypeBase?: string;
  /** Texts and security schemes of the OpenAPI document. */
  openapi?: OpenApiOptions;
  /** Clock, for tests (expiry checks, key status). @default Date.now */
  now?: () => number;
  /**
   * The key-management page at `GET <basePath>/`: its words, theme, who may frame it, a notice,
   * where to sign in. `false` serves the API only.
   * @default {} (the page, with its defaults)
   */
  page?: PageOptions | false;
}

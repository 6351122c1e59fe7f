import { isKeywardError, type Keyward } from '@keyward/core';
import { type Config, resolveConfig } from './config.js';
import type { RequestContext } from './context.js';
import { readJsonBody } from './http/body.js';
import { checkBrowserOrigin, checkJsonContentType, UNSAFE_METHODS } from './http/csrf.js';
import { notFound } from './http/input.js';
import { DashboardProblem, problemBody } from './http/problem.js';
import { scrubbedError } from './http/scrub.js';
import { openApiDocument, type OpenApiDocument } from './openapi/document.js';
import type { DashboardOptions, Principal } from './options.js';
import { servePage } from './page/serve.js';
import { matchRoute } from './routes.js';

/** The management API: a web-standard handler, with what adapters need to mount it. */
export interface Dashboard {
  (request: Request): Promise<Response>;
  /** Where it is mounted (`/keyward`): it answers every path under it, and 404 outside. */
  readonly basePath: string;
  /** The OpenAPI 3.1 document of the API, also served at `<basePath>/api/openapi.json`. */
  readonly openapi: OpenApiDocument;
}

/** The workspace ids the engine accepts; any other cannot exist (404). */
const WORKSPACE_RE = /^[\w.:@-]{1,128}$/;

/**
 * Headers of every answer: nothing is sniffed as HTML, and nothing is cached — but for the page's
 * files, whose names change with their content (they say so themselves).
 */
const ALWAYS: Readonly<Record<string, string>> = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/**
 * The management API of a Keyward engine, as one `(request: Request) => Promise<Response>` handler:
 * no Node built-in, so it runs wherever core runs (Node, Bun, Deno, Workers, the Next.js edge).
 * Mount it with your adapter (`@keyward/express`, `koa`, `fastify`, `next`) or call it from a
 * fetch handler.
 *
 * Routes (under `basePath`, `/keyward` by default): the key-management page at `/` (HTML, with
 * its script and styles under `/assets/`, under a strict Content-Security-Policy; `page: false`
 * turns it off), and the JSON API under `/api/...` (see the OpenAPI document at
 * `/api/openapi.json`).
 *
 * @example
 * ```ts
 * const dashboard = createDashboard(keyward, {
 *   authorize: async (request, { workspaceId }) => {
 *     const user = await sessionOf(request);
 *     return user && { id: user.id, name: user.name, role: workspaceId ? await roleOf(user, workspaceId) : null };
 *   },
 *   scopes: ['notes:read', 'notes:write'],
 *   environments: ['live', 'test'],
 * });
 * // Bun.serve({ fetch: (request) => dashboard(request) })
 * ```
 * @throws {TypeError} / {RangeError} for options that cannot work (checked once, here).
 */
export function createDashboard(keyward: Keyward, options: DashboardOptions): Dashboard {
  const config = resolveConfig(keyward, options);
  const document = openApiDocument(config);
  const documentText = JSON.stringify(document);
  const api = `${config.basePath}/api`;

  async function handle(request: Request, url: URL): Promise<Response> {
    const path = url.pathname;
    if (path === config.basePath || (path.startsWith(`${config.basePath}/`) && !path.startsWith(`${api}/`))) {
      const rest = path.slice(config.basePath.length);
      if (config.page !== null) {
        const page = await servePage(config.page, request, rest, config.basePath);
        if (page !== null) return page;
      } else if (rest === '' || rest === '/') {
        throw new DashboardProblem(
          404,
          'not_found',
          `the key-management page is turned off (page: false); the API is under ${api} (${api}/openapi.json)`,
        );
      }
    }
    const match = path.startsWith(`${api}/`) ? matchRoute(request.method, path.slice(api.length)) : null;
    if (match === null) throw new DashboardProblem(404, 'not_found', `no such route; the API is described at ${api}/openapi.json`);
    if ('allow' in match) {
      throw new DashboardProblem(405, 'method_not_allowed', `this route answers ${match.allow.join(', ')}`, {
        headers: { allow: match.allow.join(', ') },
      });
    }
    const { route, params } = match;
    if (route.handler === 'openapi') return new Response(documentText, { status: 200, headers: { 'content-type': 'application/json' } });
    if (UNSAFE_METHODS.has(request.method)) {
      checkBrowserOrigin(request, url, config.trustedOrigins);
      checkJsonContentType(request);
    }
    const pathWorkspace = params.workspaceId ?? null;
    const workspaceId = pathWorkspace !== null && WORKSPACE_RE.test(pathWorkspace) ? pathWorkspace : null;
    const principal = await signedIn(config, request, workspaceId);
    if (route.access.kind === 'workspace') {
      // No role there and no such workspace are one answer: a 404 tells nothing about others' workspaces.
      if (workspaceId === null || principal.role === null) throw notFound('workspace');
      const action = route.access.action;
      if (action !== null && !config.permissions.get(principal.role)?.has(action)) {
        throw new DashboardProblem(
          403,
          'forbidden',
          `your role in this workspace (${principal.role}) does not allow ${action}: ask a workspace owner or admin`,
        );
      }
    }
    let body: Promise<unknown> | undefined;
    const ctx: RequestContext = {
      config,
      request,
      url,
      params,
      workspaceId,
      principal,
      body: () => (body ??= readJsonBody(request, config.maxBodyBytes)),
      names: (ids) => names(config, principal, workspaceId, ids),
    };
    const response = await route.handler(ctx);
    // The change's audit event goes to the store now, not at the next flush interval: the page
    // reads the log right after. Not awaited: the answer (a new key!) must not wait on it.
    if (UNSAFE_METHODS.has(request.method) && response.ok) void keyward.flush();
    return response;
  }

  function report(error: unknown, request: Request, url: URL, status: number): void {
    try {
      config.onError?.(scrubbedError(error, keyward.formats), { method: request.method, path: url.pathname, status });
    } catch {
      // A throwing hook must not change the answer.
    }
  }

  function render(error: unknown, request: Request, url: URL): Response {
    const problem = toProblem(error, config);
    if (problem.status >= 500) report(problem.cause ?? problem, request, url, problem.status);
    return new Response(problemBody(problem, config.problemTypeBase), {
      status: problem.status,
      headers: { 'content-type': 'application/problem+json', ...problem.extra.headers },
    });
  }

  const dashboard = async (request: Request): Promise<Response> => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      url = new URL('http://invalid/');
    }
    let response: Response;
    try {
      response = await withDeadline(handle(request, url), config);
    } catch (error) {
      response = render(error, request, url);
    }
    for (const name in ALWAYS) if (name !== 'cache-control' || !response.headers.has(name)) response.headers.set(name, ALWAYS[name]!);
    return response;
  };
  return Object.assign(dashboard, { basePath: config.basePath, openapi: document });
}

/** The signed-in principal, checked: 401 for nobody, 503 when the provider's session cannot say. */
async function signedIn(config: Config, request: Request, workspaceId: string | null): Promise<Principal> {
  let principal: Principal | null;
  try {
    principal = await config.authorize(request, { workspaceId });
  } catch (cause) {
    throw new DashboardProblem(503, 'unavailable', 'sign-in could not be checked: retry later', { headers: retry(config) }, cause);
  }
  if (principal === null || principal === undefined) throw new DashboardProblem(401, 'unauthenticated', 'sign in to manage API keys');
  if (
    typeof principal !== 'object' ||
    typeof principal.id !== 'string' ||
    principal.id.length === 0 ||
    principal.id.length > 256 ||
    typeof principal.name !== 'string' ||
    (principal.role !== null && typeof principal.role !== 'string')
  ) {
    throw new TypeError('authorize returned an invalid principal: it must be { id: 1-256 characters, name: string, role: string or null }, or null');
  }
  return principal;
}

/** Display names for these ids: the principal's own, and the others from `resolveNames` (one call). */
async function names(
  config: Config,
  principal: Principal,
  workspaceId: string | null,
  ids: readonly (string | null)[],
): Promise<ReadonlyMap<string, string>> {
  const out = new Map<string, string>([[principal.id, principal.name]]);
  const others = [...new Set(ids.filter((id): id is string => id !== null && id !== principal.id))];
  if (others.length === 0 || config.resolveNames === undefined) return out;
  let resolved: Readonly<Record<string, string>>;
  try {
    resolved = await config.resolveNames(others, { workspaceId });
  } catch (cause) {
    throw new DashboardProblem(503, 'unavailable', 'names could not be looked up: retry later', { headers: retry(config) }, cause);
  }
  for (const id of others) {
    const name = resolved?.[id];
    if (typeof name === 'string' && Object.hasOwn(resolved, id)) out.set(id, name);
  }
  return out;
}

const retry = (config: Config, seconds?: number) => ({ 'retry-after': String(Math.max(1, Math.ceil(seconds ?? config.retryAfter))) });

/** Every failure as a problem: refusals as they are, engine errors by code, anything else a 500. */
function toProblem(error: unknown, config: Config): DashboardProblem {
  if (error instanceof DashboardProblem) return error;
  if (isKeywardError(error)) {
    switch (error.code) {
      case 'not_found':
        return notFound('key');
      case 'conflict':
        return new DashboardProblem(409, 'conflict', error.message);
      case 'invalid_argument':
        return new DashboardProblem(400, 'invalid_request', error.message);
      case 'forbidden':
        return new DashboardProblem(403, 'forbidden', error.message);
      case 'store_unavailable':
        return new DashboardProblem(
          503,
          'unavailable',
          'the key store is unavailable: retry later',
          { headers: retry(config, error.retryAfter) },
          error,
        );
    }
  }
  return new DashboardProblem(500, 'internal_error', 'the request failed on the server; it has been reported', {}, error);
}

/** The answer, or a 503 when it takes longer than `timeout` (the work may still finish behind it). */
function withDeadline(answer: Promise<Response>, config: Config): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DashboardProblem(
            503,
            'unavailable',
            `the request took longer than ${config.timeout} ms: retry later`,
            { headers: retry(config) },
            new Error('dashboard timeout'),
          ),
        ),
      config.timeout,
    );
  });
  answer.catch(() => undefined);
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

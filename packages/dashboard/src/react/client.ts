import type { AuditEventView, KeyView } from '../views.js';
import type { CreatedKeyView, CreateKeyInput, MeView, PageView, RotatedKeyView, UsageView, WorkspaceView } from './types.js';

/** One invalid input of a 400, as the API names it. */
export interface DashboardFieldError {
  /** A JSON pointer into the body (`/name`) or `?param`. */
  readonly pointer: string;
  readonly detail: string;
}

/**
 * A refusal of the management API (its Problem Details), or a network failure (`status` 0). The
 * message is the API's `detail`: it never holds a key.
 */
export class DashboardApiError extends Error {
  override readonly name = 'DashboardApiError';
  constructor(
    /** The HTTP status; 0 when the request did not reach the server. */
    readonly status: number,
    /** The problem's machine code (`unavailable`, `forbidden`, …), or `network_error`. */
    readonly code: string,
    message: string,
    readonly errors: readonly DashboardFieldError[] = [],
    /** Seconds, from `Retry-After` (503). */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }

  /** The service (the key store, the session check) is down: not the caller's fault, retry later. */
  get unavailable(): boolean {
    return this.status === 503 || this.status === 0 || this.status >= 500;
  }
}

/** Options of {@link createDashboardClient}. */
export interface DashboardClientOptions {
  /**
   * Where the dashboard handler is mounted, as the browser sees it.
   * @default '/keyward'
   */
  basePath?: string;
  /**
   * The `fetch` to call; requests go with the same-origin cookies of your session.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
  /** Extra headers of every request (a session header, when your app does not use cookies). */
  headers?: Readonly<Record<string, string>>;
}

/** The management API, typed: what the components call. Every method rejects with {@link DashboardApiError}. */
export interface DashboardClient {
  readonly basePath: string;
  me(): Promise<MeView>;
  workspace(workspaceId: string): Promise<WorkspaceView>;
  listKeys(workspaceId: string, options?: { cursor?: string; limit?: number }): Promise<PageView<KeyView>>;
  createKey(workspaceId: string, input: CreateKeyInput): Promise<CreatedKeyView>;
  renameKey(workspaceId: string, keyId: string, name: string): Promise<KeyView>;
  rotateKey(workspaceId: string, keyId: string, gracePeriod: string): Promise<RotatedKeyView>;
  revokeKey(workspaceId: string, keyId: string): Promise<KeyView>;
  deleteKey(workspaceId: string, keyId: string): Promise<void>;
  auditLog(
    workspaceId: string,
    options?: { cursor?: string; types?: readonly string[]; keyId?: string; limit?: number },
  ): Promise<PageView<AuditEventView>>;
  usage(workspaceId: string, options?: { keyId?: string; from?: string; to?: string }): Promise<UsageView>;
  legacyKeys(): Promise<PageView<KeyView>>;
  revokeLegacyKey(keyId: string): Promise<KeyView>;
}

const enc = encodeURIComponent;

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) q.set(name, String(value));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/**
 * A client of the management API for the browser: same-origin requests with the session's
 * cookies, JSON bodies (which the API's CSRF check requires), and Problem Details turned into
 * {@link DashboardApiError}s.
 *
 * @example
 * ```ts
 * const client = createDashboardClient({ basePath: '/keyward' });
 * const { items } = await client.listKeys('ws_1');
 * ```
 */
export function createDashboardClient(options: DashboardClientOptions = {}): DashboardClient {
  const basePath = (options.basePath ?? '/keyward').replace(/\/+$/, '');
  const api = `${basePath}/api`;
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(`${api}${path}`, {
        method,
        headers,
        credentials: 'same-origin',
        cache: 'no-store',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new DashboardApiError(0, 'network_error', 'the server could not be reached: check your connection and retry');
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.ok) return parsed as T;
    const problem = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { code?: unknown; detail?: unknown; errors?: unknown };
    const retry = Number(response.headers.get('retry-after'));
    throw new DashboardApiError(
      response.status,
      typeof problem.code === 'string' ? problem.code : 'http_error',
      typeof problem.detail === 'string' ? problem.detail : `the server answered ${response.status}`,
      Array.isArray(problem.errors) ? (problem.errors as DashboardFieldError[]) : [],
      Number.isFinite(retry) && retry > 0 ? retry : null,
    );
  }

  const ws = (workspaceId: string) => `/workspaces/${enc(workspaceId)}`;
  const key = (workspaceId: string, keyId: string) => `${ws(workspaceId)}/keys/${enc(keyId)}`;
  return {
    basePath,
    me: () => call('GET', '/me'),
    workspace: (w) => call('GET', ws(w)),
    listKeys: (w, o = {}) => call('GET', `${ws(w)}/keys${query({ cursor: o.cursor, limit: o.limit })}`),
    createKey: (w, input) => call('POST', `${ws(w)}/keys`, input),
    renameKey: (w, id, name) => call('PATCH', key(w, id), { name }),
    rotateKey: (w, id, gracePeriod) => call('POST', `${key(w, id)}/rotate`, { gracePeriod }),
    revokeKey: (w, id) => call('POST', `${key(w, id)}/revoke`, {}),
    deleteKey: (w, id) => call('DELETE', key(w, id)),
    auditLog: (w, o = {}) =>
      call(
        'GET',
        `${ws(w)}/audit${query({ cursor: o.cursor, limit: o.limit, keyId: o.keyId, type: o.types?.length ? o.types.join(',') : undefined })}`,
      ),
    usage: (w, o = {}) => call('GET', `${ws(w)}/usage${query({ keyId: o.keyId, from: o.from, to: o.to })}`),
    legacyKeys: () => call('GET', '/legacy-keys'),
    revokeLegacyKey: (id) => call('POST', `/legacy-keys/${enc(id)}/revoke`, {}),
  };
}

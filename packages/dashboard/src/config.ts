import { type Keyward, toMilliseconds } from '@keyward/core';
import type { DashboardOptions, OpenApiOptions, ScopeDescription } from './options.js';
import { type ResolvedPage, resolvePage } from './page/config.js';
import type { DashboardAction } from './permissions.js';
import { resolvePermissions } from './permissions.js';

/** A grace period as the API names it (`"24h"`) and its length. */
export interface GracePeriod {
  readonly value: string;
  readonly ms: number;
}

/** The options of a dashboard, checked once at construction. */
export interface Config {
  readonly keyward: Keyward;
  readonly basePath: string;
  readonly authorize: DashboardOptions['authorize'];
  readonly permissions: ReadonlyMap<string, ReadonlySet<DashboardAction>>;
  readonly scopes: readonly Required<ScopeDescription>[];
  readonly scopeNames: ReadonlySet<string>;
  readonly defaultScopes: readonly string[];
  readonly environments: readonly string[];
  readonly gracePeriods: readonly GracePeriod[];
  readonly format: string | undefined;
  readonly maxNameLength: number;
  readonly maxBodyBytes: number;
  readonly trustedOrigins: ReadonlySet<string>;
  readonly resolveNames: DashboardOptions['resolveNames'];
  readonly timeout: number;
  readonly retryAfter: number;
  readonly onError: DashboardOptions['onError'];
  readonly problemTypeBase: string | undefined;
  readonly openapi: OpenApiOptions;
  readonly now: () => number;
  /** The key-management page, or `null` when it is turned off. */
  readonly page: ResolvedPage | null;
}

const BASE_PATH_RE = /^(?:\/[A-Za-z0-9._~-]+)+$/;
const SCOPE_RE = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;

function positiveInteger(value: number | undefined, fallback: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new RangeError(`${name} must be an integer from 1 to ${max}`);
  return n;
}

/** @throws {TypeError} / {RangeError} for options that cannot work. */
export function resolveConfig(keyward: Keyward, options: DashboardOptions): Config {
  if (!keyward || typeof keyward.list !== 'function' || typeof keyward.create !== 'function') {
    throw new TypeError('createDashboard needs the Keyward engine: createDashboard(keyward, { authorize })');
  }
  if (!options || typeof options.authorize !== 'function') {
    throw new TypeError('createDashboard needs options.authorize: (request, { workspaceId }) => the signed-in principal or null');
  }
  const basePath = options.basePath ?? '/keyward';
  if (typeof basePath !== 'string' || !BASE_PATH_RE.test(basePath)) {
    throw new RangeError(`basePath must be a path such as "/keyward" (no trailing slash, no parameters), got ${JSON.stringify(basePath)}`);
  }
  const scopes = (options.scopes ?? []).map((s) => {
    const scope = typeof s === 'string' ? { name: s, description: '' } : { name: s?.name, description: s?.description ?? '' };
    if (typeof scope.name !== 'string' || !SCOPE_RE.test(scope.name))
      throw new RangeError(`scopes: ${JSON.stringify(scope.name)} is not a valid scope`);
    if (typeof scope.description !== 'string') throw new TypeError(`scopes: the description of ${scope.name} must be a string`);
    return scope;
  });
  const scopeNames = new Set(scopes.map((s) => s.name));
  if (scopeNames.size !== scopes.length) throw new RangeError('scopes: each scope must be listed once');
  const defaultScopes = [...(options.defaultScopes ?? [])];
  for (const scope of defaultScopes) {
    if (!scopeNames.has(scope)) throw new RangeError(`defaultScopes: ${JSON.stringify(scope)} is not in the scopes catalogue`);
  }
  if (new Set(defaultScopes).size !== defaultScopes.length) throw new RangeError('defaultScopes: each scope must be listed once');
  const format = options.format === undefined ? keyward.formats[0]! : keyward.formats.find((f) => f.name === options.format);
  if (!format)
    throw new RangeError(`format ${JSON.stringify(options.format)} is not one of the engine's (${keyward.formats.map((f) => f.name).join(', ')})`);
  const environments = [...(options.environments ?? [])];
  for (const env of environments) {
    try {
      format.generate({ environment: env });
    } catch {
      throw new RangeError(`environments: the key format ${format.name} does not accept ${JSON.stringify(env)}`);
    }
  }
  if (new Set(environments).size !== environments.length) throw new RangeError('environments: each environment must be listed once');
  const gracePeriods = (options.gracePeriods ?? ['0s', '1h', '24h', '7d']).map((d) => ({
    value: typeof d === 'number' ? `${d}ms` : String(d).trim(),
    ms: toMilliseconds(d, 'gracePeriods'),
  }));
  if (gracePeriods.length === 0) throw new RangeError('gracePeriods must offer at least one period');
  if (new Set(gracePeriods.map((g) => g.ms)).size !== gracePeriods.length) throw new RangeError('gracePeriods: each period must be listed once');
  const trustedOrigins = new Set<string>();
  for (const origin of options.trustedOrigins ?? []) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(origin);
    } catch {}
    if (parsed === null || parsed.origin !== origin)
      throw new RangeError(`trustedOrigins: ${JSON.stringify(origin)} is not an origin such as "https://app.example.com"`);
    trustedOrigins.add(origin);
  }
  for (const hook of ['resolveNames', 'onError', 'now'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') throw new TypeError(`${hook} must be a function`);
  }
  return {
    keyward,
    basePath,
    authorize: options.authorize,
    permissions: resolvePermissions(options.permissions),
    scopes,
    scopeNames,
    defaultScopes,
    environments,
    gracePeriods,
    format: options.format,
    maxNameLength: positiveInteger(options.maxNameLength, 100, 'maxNameLength', 200),
    maxBodyBytes: positiveInteger(options.maxBodyBytes, 16_384, 'maxBodyBytes', 1_048_576),
    trustedOrigins,
    resolveNames: options.resolveNames,
    timeout: positiveInteger(options.timeout, 5000, 'timeout', 600_000),
    retryAfter: positiveInteger(options.retryAfter, 1, 'retryAfter', 86_400),
    onError: options.onError,
    problemTypeBase: options.problemTypeBase,
    openapi: options.openapi ?? {},
    now: options.now ?? Date.now,
    page: resolvePage(options.page, basePath),
  };
}

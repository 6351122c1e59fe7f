import { findKeys, type KeyFormat } from '@keyward/core';
import { DashboardProblem, type InvalidParam, invalid } from './problem.js';

// C0 and C1 controls, DEL, and the line and paragraph separators: nothing a name should hold.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Collects every invalid input of a request, so that one 400 names them all. */
export class InputErrors {
  private readonly errors: InvalidParam[] = [];

  add(pointer: string, detail: string): undefined {
    this.errors.push({ pointer, detail });
    return undefined;
  }

  /** @throws {DashboardProblem} 400 naming every error collected. */
  check(): void {
    if (this.errors.length > 0) throw invalid(this.errors);
  }
}

/**
 * The body as an object with only the given members (absent body: `{}`).
 * @throws {DashboardProblem} 400 for anything else, naming the unknown members.
 */
export function bodyObject(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid([{ pointer: '', detail: `the body must be a JSON object${allowed.length ? ` with ${allowed.join(', ')}` : ' ({} or empty)'}` }]);
  }
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw invalid(
      unknown.slice(0, 10).map((k) => ({
        pointer: `/${k.replaceAll('~', '~0').replaceAll('/', '~1').slice(0, 64)}`,
        detail: `unknown member${allowed.length ? `; allowed: ${allowed.join(', ')}` : ': this request takes no input'}`,
      })),
    );
  }
  return body as Record<string, unknown>;
}

/** A key name: trimmed, 1..max characters, no control characters, no key in it. */
export function checkName(value: unknown, max: number, formats: readonly KeyFormat[], errors: InputErrors, pointer = '/name'): string | undefined {
  if (typeof value !== 'string') return errors.add(pointer, 'name must be a string');
  const name = value.trim();
  if (name.length === 0) return errors.add(pointer, 'name must not be empty: say where the key is used ("prod-billing-worker")');
  if ([...name].length > max) return errors.add(pointer, `name must be at most ${max} characters`);
  if (CONTROL_RE.test(name)) return errors.add(pointer, 'name must not contain control characters or line breaks');
  // Names are shown to everyone in the workspace: a pasted key would leak there.
  if (findKeys(name, formats).length > 0) return errors.add(pointer, 'name must not contain an API key: name the key after where it is used');
  return name;
}

/** Scopes from the catalogue, each once. */
export function checkScopes(value: unknown, catalogue: ReadonlySet<string>, errors: InputErrors): string[] | undefined {
  if (!Array.isArray(value)) return errors.add('/scopes', 'scopes must be a list of scope names');
  const seen = new Set<string>();
  let bad = false;
  value.forEach((scope, i) => {
    if (typeof scope !== 'string' || !catalogue.has(scope)) {
      bad = true;
      errors.add(
        `/scopes/${i}`,
        catalogue.size === 0 ? 'keys of this dashboard have no scopes' : `unknown scope; the catalogue has: ${[...catalogue].join(', ')}`,
      );
    } else if (seen.has(scope)) {
      bad = true;
      errors.add(`/scopes/${i}`, 'scope listed twice');
    } else seen.add(scope);
  });
  return bad ? undefined : [...seen];
}

/** An RFC 3339 date-time, as milliseconds. */
export function checkTime(value: unknown, pointer: string, errors: InputErrors): number | undefined {
  const ms = typeof value === 'string' && RFC3339_RE.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) return errors.add(pointer, 'must be an RFC 3339 date-time such as "2027-01-31T00:00:00Z"');
  return ms;
}

/** A UTC day, `YYYY-MM-DD`, that exists (no 2026-02-30). */
export function checkDay(value: string, pointer: string, errors: InputErrors): string | undefined {
  if (!DAY_RE.test(value) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    return errors.add(pointer, 'must be a day, YYYY-MM-DD');
  }
  return value;
}

/**
 * The query parameters, each named at most once unless `repeatable`.
 * @throws {DashboardProblem} 400 for an unknown or repeated parameter.
 */
export function queryParams(url: URL, allowed: readonly string[], repeatable: readonly string[] = []): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const errors = new InputErrors();
  for (const [name, value] of url.searchParams) {
    if (!allowed.includes(name)) {
      errors.add(`?${name.slice(0, 64)}`, allowed.length ? `unknown parameter; allowed: ${allowed.join(', ')}` : 'this request takes no parameters');
      continue;
    }
    const list = out.get(name) ?? [];
    if (list.length === 1 && !repeatable.includes(name)) errors.add(`?${name}`, 'given twice');
    list.push(value);
    out.set(name, list);
  }
  errors.check();
  return out;
}

/** `limit`: an integer from 1 to `max`. */
export function checkLimit(value: string | undefined, fallback: number, max: number, errors: InputErrors): number | undefined {
  if (value === undefined) return fallback;
  const n = /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= max)) return errors.add('?limit', `limit must be an integer from 1 to ${max}`);
  return n;
}

/** `cursor`: the `nextCursor` of the previous page, unchanged. */
export function checkCursor(value: string | undefined, errors: InputErrors): string | undefined {
  if (value === undefined) return undefined;
  if (value.length === 0 || value.length > 512) return errors.add('?cursor', 'pass the nextCursor of the previous page unchanged');
  return value;
}

/** Throws a 404 that says nothing about why: used for ids that cannot exist. */
export function notFound(what: 'key' | 'workspace'): DashboardProblem {
  return new DashboardProblem(404, 'not_found', what === 'key' ? 'No such key.' : 'No such workspace.');
}

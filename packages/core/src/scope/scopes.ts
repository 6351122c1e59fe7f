/**
 * Scopes are `resource:action` strings (`notes:read`). A granted scope matches a required one when
 * it is equal, when it is `*`, or when it is `resource:*` and the required scope starts with
 * `resource:` — so `notes:*` grants `notes:read` but never `notesx:read`.
 */

const SCOPE_RE = /^(?:\*|[A-Za-z0-9_.-]+(?::[A-Za-z0-9_.-]+)*(?::\*)?)$/;

/** True when `scope` is `*`, `resource`, `resource:action` (any depth) or `resource:*`. */
export function isValidScope(scope: unknown): scope is string {
  return typeof scope === 'string' && scope.length <= 128 && SCOPE_RE.test(scope);
}

/** True when the granted scope covers the required one. */
export function scopeMatches(granted: string, required: string): boolean {
  if (granted === required || granted === '*') return true;
  // `notes:*` → `notes:` must be a prefix; the colon keeps `notesx:read` out.
  return granted.endsWith(':*') && required.startsWith(granted.slice(0, -1));
}

/** The required scopes that none of the granted scopes covers, or `null` when all are granted. */
export function missingScopes(granted: readonly string[], required: readonly string[]): string[] | null {
  let missing: string[] | null = null;
  for (const need of required) {
    let ok = false;
    for (const have of granted) {
      if (scopeMatches(have, need)) {
        ok = true;
        break;
      }
    }
    if (!ok) {
      missing ??= [];
      missing.push(need);
    }
  }
  return missing;
}

/** Checks and de-duplicates a list of scopes. @throws {RangeError} naming the first invalid scope. */
export function normalizeScopes(scopes: readonly unknown[] | undefined): string[] {
  if (scopes === undefined) return [];
  if (!Array.isArray(scopes)) throw new TypeError('scopes must be an array of strings');
  const out: string[] = [];
  for (const s of scopes) {
    if (!isValidScope(s)) {
      throw new RangeError(`invalid scope ${JSON.stringify(s)}: use "resource:action", "resource:*" or "*"`);
    }
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

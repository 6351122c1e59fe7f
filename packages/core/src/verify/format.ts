import { isParseFailure, type KeyFormat, type ParsedKey } from '../format/types.js';

/** The format step's helpers: which format a token is, and its quick parse. */

/** The hash format's unchecked parse when its secret is the whole token (the prefixed format), else `null`. */
export function parseWhole(format: KeyFormat, token: string): ParsedKey | null {
  if (format.parseUnchecked === undefined || format.lookup !== 'hash') return null;
  const quick = format.parseUnchecked(token);
  return isParseFailure(quick) || quick.secret !== token ? null : quick;
}

export function pickFormat(formats: readonly KeyFormat[], token: string): KeyFormat | null {
  for (const f of formats) if (f.matches(token)) return f;
  return null;
}

import { type Expectation, fail, INVALID_REQUEST, INVALID_TOKEN } from './expectations.js';
import { utf8Bytes } from './http-client.js';
import { LEGACY_CREATED, LEGACY_SUNSET, type Seeded } from './keys.js';

/** One request of the table, built from the keys (which exist only once the suite has seeded them). */
export interface HeaderCase {
  name: string;
  make(keys: Seeded): { path: string; headers?: Record<string, string | string[]>; expect: Expectation };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const c = (name: string, make: HeaderCase['make']): HeaderCase => ({ name, make });

/**
 * The table of the suite: what the `Authorization` header says, and which key it carries, on each
 * route. Every framework must give each request the same status, headers and body.
 */
export function headerCases(duplicateAuthorization: 'refused' | 'first'): HeaderCase[] {
  // With two headers, `'first'` servers answer as if the first one alone was sent.
  const two = (first: Expectation): Expectation => (duplicateAuthorization === 'first' ? first : fail('malformed_header', INVALID_REQUEST));
  const validKey = (k: Seeded): Expectation => ({ ok: true, keyId: k.validId, workspaceId: 'ws_a' });
  return [
    c('no Authorization header', () => ({ path: '/protected', expect: fail('missing_credentials', 'Bearer') })),
    c('an empty Authorization header', () => ({
      path: '/protected',
      headers: { authorization: '' },
      expect: fail('missing_credentials', 'Bearer'),
    })),
    c('a valid key', (k) => ({
      path: '/protected',
      headers: bearer(k.valid),
      expect: { ok: true, keyId: k.validId, workspaceId: 'ws_a', headers: { deprecation: undefined, sunset: undefined } },
    })),
    c('`bearer` in lowercase (the scheme is case-insensitive)', (k) => ({
      path: '/protected',
      headers: { authorization: `bearer ${k.valid}` },
      expect: validKey(k),
    })),
    c('two spaces after Bearer (RFC 6750 1*SP)', (k) => ({
      path: '/protected',
      headers: { authorization: `Bearer  ${k.valid}` },
      expect: validKey(k),
    })),
    c('a tab after Bearer', (k) => ({
      path: '/protected',
      headers: { authorization: `Bearer\t${k.valid}` },
      expect: fail('malformed_header', INVALID_REQUEST),
    })),
    c('`Bearer` with no token', () => ({
      path: '/protected',
      headers: { authorization: 'Bearer' },
      expect: fail('malformed_header', INVALID_REQUEST),
    })),
    c('`Bearer ` and spaces only (Node trims them)', () => ({
      path: '/protected',
      headers: { authorization: 'Bearer   ' },
      expect: fail('malformed_header', INVALID_REQUEST),
    })),
    c('a Basic header', () => ({
      path: '/protected',
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
      expect: fail('malformed_header', INVALID_REQUEST),
    })),
    // Each pair sends the valid key where a server that keeps only one header would let it through.
    c('two Authorization headers, even both valid', (k) => ({
      path: '/protected',
      headers: { authorization: [`Bearer ${k.valid}`, `Bearer ${k.valid}`] },
      expect: two(validKey(k)),
    })),
    c('two Authorization headers, the first one valid', (k) => ({
      path: '/protected',
      headers: { authorization: [`Bearer ${k.valid}`, 'Bearer x'] },
      expect: two(validKey(k)),
    })),
    c('two Authorization headers, the last one valid', (k) => ({
      path: '/protected',
      headers: { authorization: [`Bearer ${k.unknown}`, `Bearer ${k.valid}`] },
      expect: two(fail('invalid_key', INVALID_TOKEN)),
    })),
    c('two Authorization headers, the first one empty', (k) => ({
      path: '/protected',
      headers: { authorization: ['', `Bearer ${k.valid}`] },
      expect: duplicateAuthorization === 'first' ? fail('missing_credentials', 'Bearer') : fail('malformed_header', INVALID_REQUEST),
    })),
    c('two Authorization headers on the route of another workspace, the last one of it', (k) => ({
      path: '/workspaces/ws_b/protected',
      headers: { authorization: [`Bearer ${k.valid}`, `Bearer ${k.other}`] },
      expect: two(fail('invalid_key', INVALID_TOKEN)),
    })),
    c('two credentials joined by a comma in one header', (k) => ({
      path: '/protected',
      headers: { authorization: `Bearer ${k.valid}, Bearer ${k.valid}` },
      expect: fail('malformed_header', INVALID_REQUEST),
    })),
    c('an 8 KB header', () => ({
      path: '/protected',
      headers: { authorization: `Bearer kw_live_${'a'.repeat(8192)}` },
      expect: fail('malformed_header', INVALID_REQUEST),
    })),
    c('a latin1 byte (é) in the token', (k) => ({
      path: '/protected',
      headers: { authorization: `Bearer ${k.valid.slice(0, -1)}\u00e9` },
      expect: fail('malformed_header', INVALID_REQUEST),
    })),
    c('raw UTF-8 bytes (✓) after the token', (k) => ({
      path: '/protected',
      headers: { authorization: `Bearer ${k.valid}${utf8Bytes('✓')}` },
      expect: fail('malformed_header', INVALID_REQUEST),
    })),
    c('a valid prefix with a bad checksum', (k) => ({
      path: '/protected',
      headers: bearer(k.badChecksum),
      expect: fail('malformed_key', INVALID_TOKEN),
    })),
    c('only the key id of an id.secret key', () => ({
      path: '/protected',
      headers: bearer('abc123def456'),
      expect: fail('key_id_only', INVALID_TOKEN),
    })),
    c('an unknown key', (k) => ({ path: '/protected', headers: bearer(k.unknown), expect: fail('invalid_key', INVALID_TOKEN) })),
    c('a revoked key', (k) => ({ path: '/protected', headers: bearer(k.revoked), expect: fail('invalid_key', INVALID_TOKEN) })),
    c('an expired key', (k) => ({ path: '/protected', headers: bearer(k.expired), expect: fail('expired_key', INVALID_TOKEN) })),
    c('a key of the workspace in the path', (k) => ({ path: '/workspaces/ws_a/protected', headers: bearer(k.valid), expect: validKey(k) })),
    c("another workspace's key on a workspace route", (k) => ({
      path: '/workspaces/ws_a/protected',
      headers: bearer(k.other),
      expect: fail('invalid_key', INVALID_TOKEN),
    })),
    c('a key with the required scope', (k) => ({
      path: '/scoped',
      headers: bearer(k.writer),
      expect: { ok: true, keyId: k.writerId, workspaceId: 'ws_a' },
    })),
    c('a key lacking the required scope', (k) => ({
      path: '/scoped',
      headers: bearer(k.valid),
      expect: fail('insufficient_scope', 'Bearer error="insufficient_scope", scope="notes:write"', { missingScopes: ['notes:write'] }),
    })),
    c('a legacy key before its sunset (Deprecation + Sunset)', (k) => ({
      path: '/protected',
      headers: bearer(k.legacy),
      expect: {
        ok: true,
        keyId: k.legacyId,
        workspaceId: null,
        headers: { deprecation: `@${Math.floor(LEGACY_CREATED.getTime() / 1000)}`, sunset: LEGACY_SUNSET.toUTCString() },
      },
    })),
    c('a legacy key after its sunset', (k) => ({ path: '/protected', headers: bearer(k.legacySunset), expect: fail('key_sunset', INVALID_TOKEN) })),
    c('a store that does not answer', (k) => ({
      path: '/down',
      headers: bearer(k.valid),
      expect: fail('store_unavailable', undefined, { retryAfter: 1 }),
    })),
    c('no header on the route whose store is down (refused before any store call)', () => ({
      path: '/down',
      expect: fail('missing_credentials', 'Bearer'),
    })),
    c('a key in ?access_token= (never read from the URL)', (k) => ({
      path: `/protected?access_token=${k.valid}`,
      expect: fail('missing_credentials', 'Bearer'),
    })),
    c('a valid key on the route of a guarded group', (k) => ({ path: '/group/protected', headers: bearer(k.valid), expect: validKey(k) })),
    c('no key on the route of a guarded group', () => ({ path: '/group/protected', expect: fail('missing_credentials', 'Bearer') })),
    c('a revoked key on the route of a guarded group', (k) => ({
      path: '/group/protected',
      headers: bearer(k.revoked),
      expect: fail('invalid_key', INVALID_TOKEN),
    })),
    c('an unprotected route sees no key, even when one is sent', (k) => ({
      path: '/unprotected',
      headers: bearer(k.valid),
      expect: { ok: true, keyId: null, workspaceId: null },
    })),
    c('an unprotected route without a key', () => ({ path: '/unprotected', expect: { ok: true, keyId: null, workspaceId: null } })),
  ];
}

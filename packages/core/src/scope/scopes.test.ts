import { describe, expect, it } from 'vitest';
import { isValidScope, missingScopes, normalizeScopes, scopeMatches } from './scopes.js';

describe('scopes', () => {
  it.each([
    ['notes:read', 'notes:read', true],
    ['notes:*', 'notes:read', true],
    ['notes:*', 'notes:write', true],
    ['*', 'anything:at:all', true],
    ['notes:*', 'notesx:read', false],
    ['notes:read', 'notes:write', false],
    ['notes:read', 'notes:*', false],
    ['notes', 'notes:read', false],
    ['tokens:read', 'tokens:write', false],
  ])('%s grants %s: %s', (granted, required, expected) => {
    expect(scopeMatches(granted, required)).toBe(expected);
  });

  it('names the missing scopes', () => {
    expect(missingScopes(['notes:read', 'folders:*'], ['notes:read', 'notes:write', 'folders:list'])).toEqual(['notes:write']);
    expect(missingScopes([], ['a:b'])).toEqual(['a:b']);
    expect(missingScopes(['*'], ['a:b', 'c:d'])).toBeNull();
  });

  it('validates and de-duplicates', () => {
    expect(normalizeScopes(['a:b', 'a:b', 'c:*'])).toEqual(['a:b', 'c:*']);
    expect(() => normalizeScopes(['a b'])).toThrow(RangeError);
    expect(() => normalizeScopes(['*:read'])).toThrow(RangeError);
    expect(() => normalizeScopes('a:b' as never)).toThrow(TypeError);
    expect(isValidScope('tokens:read')).toBe(true);
    expect(isValidScope('')).toBe(false);
  });
});

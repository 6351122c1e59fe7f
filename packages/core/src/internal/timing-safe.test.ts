import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timingSafeEqualString } from './timing-safe.js';

describe('timingSafeEqualString', () => {
  it('agrees with ===', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => timingSafeEqualString(a, b) === (a === b)));
    expect(timingSafeEqualString('a'.repeat(64), 'a'.repeat(64))).toBe(true);
    expect(timingSafeEqualString('a'.repeat(64), `${'a'.repeat(63)}b`)).toBe(false);
  });
});

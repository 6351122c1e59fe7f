import { createHash, createHmac, hash as nodeHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSha256Hasher, sha256Hasher } from './hasher.js';

const pepper = 'pepper-0123456789-0123456789-0123456789';

describe('hashers', () => {
  it('SHA-256 matches FIPS 180-4 test vectors', () => {
    for (const h of [sha256Hasher(), sha256Hasher({ native: false })]) {
      expect(h.hash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      expect(h.hash('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    }
  });

  it('HMAC-SHA256 matches RFC 4231 test case 2', () => {
    const key = new TextEncoder().encode('Jefe'.repeat(8)); // padded to 32 bytes: check against node below
    for (const h of [hmacSha256Hasher({ pepper: key }), hmacSha256Hasher({ pepper: key, native: false })]) {
      expect(h.hash('what do ya want for nothing?')).toBe(createHmac('sha256', key).update('what do ya want for nothing?').digest('hex'));
    }
  });

  it('property: portable (@noble/hashes) and native paths agree with node:crypto on any string', () => {
    const portable = sha256Hasher({ native: false });
    const native = sha256Hasher();
    const hp = hmacSha256Hasher({ pepper, native: false });
    const hn = hmacSha256Hasher({ pepper });
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        const expected = createHash('sha256').update(s, 'utf8').digest('hex');
        const expectedMac = createHmac('sha256', pepper).update(s, 'utf8').digest('hex');
        return (
          portable.hash(s) === expected &&
          native.hash(s) === expected &&
          nodeHash('sha256', s) === expected &&
          hp.hash(s) === expectedMac &&
          hn.hash(s) === expectedMac
        );
      }),
      { numRuns: 500 },
    );
  });

  it('names its version so a stored hash says how it was made', () => {
    expect(sha256Hasher().version).toBe('sha256');
    expect(hmacSha256Hasher({ pepper }).version).toBe('hmac-sha256:v1');
    expect(hmacSha256Hasher({ pepper, id: '2026-11' }).version).toBe('hmac-sha256:2026-11');
  });

  it('refuses a missing or short pepper', () => {
    expect(() => hmacSha256Hasher({} as never)).toThrow(TypeError);
    expect(() => hmacSha256Hasher({ pepper: 'short' })).toThrow(RangeError);
    expect(() => hmacSha256Hasher({ pepper, id: 'bad id' })).toThrow(RangeError);
  });

  it('different peppers give different hashes', () => {
    const a = hmacSha256Hasher({ pepper });
    const b = hmacSha256Hasher({ pepper: `${pepper}x`, id: 'v2' });
    expect(a.hash('key')).not.toBe(b.hash('key'));
  });
});

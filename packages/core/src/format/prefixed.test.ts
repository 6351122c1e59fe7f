import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base62Uint32 } from '../internal/base62.js';
import { crc32Ascii } from '../internal/crc32.js';
import { prefixedFormat } from './prefixed.js';

const tipar = prefixedFormat({ prefix: 'tipar', environments: ['live', 'test'], randomLength: 32 });

describe('prefixedFormat', () => {
  it('generates <prefix>_<env>_<32 random><6 checksum> keys that parse back', () => {
    const { key, environment } = tipar.generate();
    expect(key).toMatch(/^tipar_live_[0-9A-Za-z]{38}$/);
    expect(environment).toBe('live');
    expect(tipar.parse(key)).toEqual({ secret: key, environment: 'live' });
    expect(tipar.generate({ environment: 'test' }).key.startsWith('tipar_test_')).toBe(true);
  });

  it('has at least 128 bits of entropy and no repeats', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(tipar.generate().key);
    expect(seen.size).toBe(2000);
    expect(() => prefixedFormat({ prefix: 'x', randomLength: 21 })).toThrow(RangeError);
    expect(() => prefixedFormat({ prefix: 'x', randomLength: 22 })).not.toThrow();
  });

  it('draws characters uniformly (no modulo bias)', () => {
    const counts = new Map<string, number>();
    const f = prefixedFormat({ prefix: 'u', environments: [], randomLength: 256, checksum: false });
    for (let i = 0; i < 200; i++) for (const c of f.generate().key.slice(2)) counts.set(c, (counts.get(c) ?? 0) + 1);
    const expected = (200 * 256) / 62;
    expect(counts.size).toBe(62);
    // chi-square with 61 degrees of freedom: 99.9th percentile ≈ 100.9
    let chi = 0;
    for (const n of counts.values()) chi += (n - expected) ** 2 / expected;
    expect(chi).toBeLessThan(101);
  });

  it('appends the base62 CRC32 of the body (GitHub design), checked against node:zlib', async () => {
    const { crc32 } = await import('node:zlib');
    const { key } = tipar.generate();
    const body = key.slice(0, -6);
    expect(crc32Ascii(body)).toBe(crc32(body));
    expect(key.slice(-6)).toBe(base62Uint32(crc32(body), 6));
    expect(base62Uint32(0xffffffff, 6)).toBe('4gfFC3'); // 4294967295 in base62, computed independently with Python;
    expect(base62Uint32(0, 6)).toBe('000000');
  });

  it.each([
    ['wrong prefix', `tipax_live_${'a'.repeat(38)}`],
    ['no environment', `tipar_${'a'.repeat(38)}`],
    ['unknown environment', `tipar_prod_${'a'.repeat(38)}`],
    ['too short', `tipar_live_${'a'.repeat(37)}`],
    ['too long', `tipar_live_${'a'.repeat(39)}`],
    ['bad alphabet', `tipar_live_${'a'.repeat(37)}-`],
    ['bad checksum', `tipar_live_${'a'.repeat(38)}`],
  ])('refuses a key with %s', (_, token) => {
    expect(tipar.parse(token)).toMatchObject({ error: 'malformed_key' });
  });

  it('property: every generated key parses back, in every environment', () => {
    fc.assert(
      fc.property(fc.constantFrom('live', 'test'), fc.integer({ min: 22, max: 64 }), fc.boolean(), (env, len, checksum) => {
        const f = prefixedFormat({ prefix: 'tok', randomLength: len, checksum });
        const { key } = f.generate({ environment: env });
        const parsed = f.parse(key);
        return !('error' in parsed) && parsed.secret === key && parsed.environment === env;
      }),
    );
  });

  it('property: parseUnchecked gives what parse gives for every key parse accepts, and checks the prefix, environment and length', () => {
    fc.assert(
      fc.property(fc.constantFrom('live', 'test'), fc.integer({ min: 22, max: 64 }), fc.boolean(), fc.nat(), (env, len, checksum, cut) => {
        const f = prefixedFormat({ prefix: 'tok', randomLength: len, checksum });
        const { key } = f.generate({ environment: env });
        expect(f.parseUnchecked!(key)).toEqual(f.parse(key));
        // Whatever parse refuses for its shape, parseUnchecked refuses too (only the checksum and alphabet differ).
        for (const token of [key.slice(0, cut % key.length), `tak${key.slice(3)}`, key.replace(`_${env}_`, '_prod_'), `${key}x`]) {
          expect(f.parseUnchecked!(token)).toMatchObject({ error: 'malformed_key' });
        }
      }),
    );
    expect(tipar.parseUnchecked!(`tipar_live_${'a'.repeat(38)}`)).toEqual({ secret: `tipar_live_${'a'.repeat(38)}`, environment: 'live' });
  });

  it('property: any one-character change of a valid key is refused', () => {
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-.~+/=';
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (pos, pick) => {
        const { key } = tipar.generate();
        const i = pos % key.length;
        const replacement = alphabet[pick % alphabet.length]!;
        fc.pre(replacement !== key[i]);
        const changed = key.slice(0, i) + replacement + key.slice(i + 1);
        return 'error' in tipar.parse(changed);
      }),
      { numRuns: 5000 },
    );
  });

  it('supports keys without an environment segment or checksum', () => {
    const f = prefixedFormat({ prefix: 'sk', environments: [], randomLength: 24, checksum: false });
    const { key } = f.generate();
    expect(key).toMatch(/^sk_[0-9A-Za-z]{24}$/);
    expect(f.parse(key)).toEqual({ secret: key });
    expect(() => f.generate({ environment: 'live' })).toThrow(RangeError);
  });

  it('validates its options', () => {
    expect(() => prefixedFormat({ prefix: 'Tipar' })).toThrow(RangeError);
    expect(() => prefixedFormat({ prefix: 'ti_par' })).toThrow(RangeError);
    expect(() => prefixedFormat({ prefix: 'tipar', environments: ['LIVE'] })).toThrow(RangeError);
    expect(() => tipar.generate({ environment: 'prod' })).toThrow(RangeError);
  });

  it('redacts to prefix + last 4', () => {
    const { key } = tipar.generate();
    expect(tipar.redact(key)).toBe(`tipar_live_…${key.slice(-4)}`);
    expect(tipar.redact(key)).not.toContain(key.slice(11, 30));
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findKeys } from '../helpers.js';
import { BASE62 } from '../internal/base62.js';
import { idSecretFormat } from './id-secret.js';
import { prefixedFormat } from './prefixed.js';
import type { KeyFormat, SecretScanningPattern } from './types.js';

/**
 * The pattern as a scanner with GitHub's fields runs it: `before`, `secret`, `after`, with the
 * PCRE anchors \A and \z read as the start and end of the text.
 */
function asScanner(p: SecretScanningPattern): RegExp {
  const js = (s: string) => s.replaceAll('\\A', '^').replaceAll('\\z', '$');
  return new RegExp(`${js(p.before)}(${p.secret})${js(p.after)}`, 'g');
}

/** Keys the scanner finds in `text` (the capture group: the key without its boundaries). */
function scan(p: SecretScanningPattern, text: string): string[] {
  return [...text.matchAll(asScanner(p))].map((m) => m[1]!);
}

const configs = fc.record({
  prefix: fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/),
  environments: fc.constantFrom<readonly string[]>(['live', 'test'], [], ['prod']),
  randomLength: fc.integer({ min: 22, max: 48 }),
});

const base62Char = fc.constantFrom(...BASE62);
const boundary = fc.constantFrom(' ', '\n', '"', "'", '=', ':', ',', '`', '(', ')', '<', '>', '/', '-', '.');
const glue = fc.constantFrom('a', 'Z', '0', '9', '_');

describe('secretScanningPattern', () => {
  it('describes the key: type, secret without lookarounds, boundaries, checksum', () => {
    const p = prefixedFormat({ prefix: 'tipar' }).secretScanningPattern!();
    expect(p.type).toBe('tipar_api_key');
    expect(p.secret).toBe('tipar_(?:live|test)_[0-9A-Za-z]{38}');
    expect(p.secret).not.toMatch(/\(\?<?[=!]/);
    expect(p.before).toBe('(?:\\A|[^0-9A-Za-z_])');
    expect(p.after).toBe('(?:\\z|[^0-9A-Za-z_])');
    expect(p.checksum).toBe(true);
    expect(prefixedFormat({ prefix: 'x', checksum: false }).secretScanningPattern!().checksum).toBe(false);
    expect(prefixedFormat({ prefix: 'tok', name: 'tooken-mgmt' }).secretScanningPattern!().type).toBe('tooken_mgmt_api_key');
  });

  it('is not offered by id.secret keys, which have no unique prefix', () => {
    const f: KeyFormat = idSecretFormat();
    expect(f.secretScanningPattern).toBeUndefined();
  });

  it('finds every generated key, alone or between boundaries, as a scanner and as the JS regex', () => {
    fc.assert(
      fc.property(configs, boundary, boundary, fc.string({ maxLength: 20 }), (config, left, right, filler) => {
        const format = prefixedFormat(config);
        const p = format.secretScanningPattern!();
        const env = config.environments.length ? { environment: config.environments[config.environments.length - 1]! } : undefined;
        const { key } = format.generate(env);
        expect(scan(p, key)).toEqual([key]);
        const text = `${filler}${left}${key}${right}${filler}`;
        expect(scan(p, `${left}${key}${right}`)).toEqual([key]);
        expect([...text.matchAll(p.regex)].map((m) => m[0])).toContain(key);
        expect(findKeys(text, format).map((f) => f.key)).toContain(key);
      }),
      { numRuns: 300 },
    );
  });

  it('misses near misses: a character more or less, another prefix or environment, glued to a word, a character outside base62', () => {
    fc.assert(
      fc.property(configs, fc.nat(), base62Char, glue, fc.constantFrom('-', '.', '+', '/', '=', ' '), (config, at, extra, stick, foreign) => {
        const format = prefixedFormat(config);
        const p = format.secretScanningPattern!();
        const { key } = format.generate();
        const start = key.length - (config.randomLength + 6);
        const i = start + (at % (key.length - start));
        const misses = [
          key.slice(0, -1), // one short
          key + extra, // one long
          `${key.slice(0, i)}${foreign}${key.slice(i + 1)}`, // a character outside the alphabet
          key.replace(/^[a-z]/, (c) => (c === 'z' ? 'a' : String.fromCharCode(c.charCodeAt(0) + 1))), // another prefix
          `${stick}${key}`, // glued after a word character
          `${key}${stick}`, // glued before one
        ];
        if (config.environments.length) misses.push(key.replace(`_${config.environments[0]}_`, '_staging_'));
        for (const miss of misses) {
          const found = scan(p, miss);
          expect(found).not.toContain(key);
          // Whatever else a scanner may match in a near miss is no key of the format.
          expect(found.filter((f) => !('error' in format.parse(f)))).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('leaves same-length look-alikes to the checksum: the pattern matches, the format refuses, findKeys ignores them', () => {
    fc.assert(
      fc.property(configs, fc.nat(), base62Char, (config, at, replacement) => {
        const format = prefixedFormat(config);
        const p = format.secretScanningPattern!();
        const { key } = format.generate();
        const start = key.length - (config.randomLength + 6);
        const i = start + (at % (key.length - start));
        fc.pre(key[i] !== replacement);
        const lookalike = `${key.slice(0, i)}${replacement}${key.slice(i + 1)}`;
        expect(scan(p, lookalike)).toEqual([lookalike]);
        // A CRC32 catches every single-character change.
        expect(format.parse(lookalike)).toMatchObject({ error: 'malformed_key' });
        expect(findKeys(` ${lookalike} `, format)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('answers a fresh regular expression each time (lastIndex of one use does not leak into the next)', () => {
    const format = prefixedFormat({ prefix: 'kw' });
    const { key } = format.generate();
    const first = format.secretScanningPattern!().regex;
    expect(first.exec(` ${key}`)).not.toBeNull();
    expect(first.lastIndex).toBeGreaterThan(0);
    expect(format.secretScanningPattern!().regex.lastIndex).toBe(0);
  });
});

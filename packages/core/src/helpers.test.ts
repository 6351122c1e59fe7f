import { describe, expect, it } from 'vitest';
import { idSecretFormat } from './format/id-secret.js';
import { prefixedFormat } from './format/prefixed.js';
import { findKeys, redact, scrubKeys } from './helpers.js';

const tipar = prefixedFormat({ prefix: 'tipar', randomLength: 26 });
const tiro = idSecretFormat();

describe('redact', () => {
  it('keeps the prefix and the last 4 characters', () => {
    const { key } = tipar.generate();
    expect(redact(key)).toBe(`tipar_live_…${key.slice(-4)}`);
    expect(redact(key, tipar)).toBe(`tipar_live_…${key.slice(-4)}`);
    const t = tiro.generate();
    expect(redact(t.key)).toBe(`${t.id}.…${t.key.slice(-4)}`);
  });

  it('shows nothing of short or odd strings', () => {
    expect(redact('abc')).toBe('…');
    expect(redact('sk_12345678')).toBe('sk_…');
    expect(redact(undefined as never)).toBe('…');
  });
});

describe('findKeys and scrubKeys', () => {
  it('finds well-formed keys in text and ignores look-alikes with a bad checksum', () => {
    const a = tipar.generate().key;
    const b = tipar.generate({ environment: 'test' }).key;
    const fake = `tipar_live_${'a'.repeat(32)}`;
    const c = tiro.generate().key;
    const text = `GET /x Authorization: Bearer ${a}\nenv TIPAR=${b} and ${fake}; tiro=${c}.`;
    const found = findKeys(text, [tipar, tiro]);
    expect(found.map((f) => f.key)).toEqual([a, b, c]);
    expect(found[0]!.index).toBe(text.indexOf(a));
    expect(found.map((f) => f.format)).toEqual(['tipar', 'tipar', 'id-secret']);
  });

  it('scrubs look-alikes too: a mistyped key (bad checksum) is still most of a secret', () => {
    const a = tipar.generate().key;
    const mistyped = a.slice(0, 20) + (a[20] === 'a' ? 'b' : 'a') + a.slice(21);
    const line = `sent ${mistyped} and ${a}`;
    expect(findKeys(line, tipar).map((f) => f.key)).toEqual([a]);
    expect(scrubKeys(line, tipar)).toBe(`sent ${tipar.redact(mistyped)} and ${tipar.redact(a)}`);
  });

  it('asks for the formats to look for, in words', () => {
    expect(() => findKeys('text', undefined as never)).toThrow(/findKeys\(text, format\).*keyward\.findKeys\(text\)/);
    expect(() => scrubKeys('text', [] as never)).toThrow(TypeError);
  });

  it('scrubs every key from a log line', () => {
    const a = tipar.generate().key;
    const line = `user sent ${a} twice: ${a}`;
    const scrubbed = scrubKeys(line, tipar);
    expect(scrubbed).not.toContain(a);
    expect(scrubbed).toBe(`user sent ${tipar.redact(a)} twice: ${tipar.redact(a)}`);
  });
});

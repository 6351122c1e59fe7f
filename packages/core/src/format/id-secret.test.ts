import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idSecretFormat } from './id-secret.js';

const tiro = idSecretFormat();

describe('idSecretFormat', () => {
  it('generates {id}.{secret} with a public id', () => {
    const { key, id } = tiro.generate();
    expect(key).toMatch(/^[0-9a-z]{12}\.[0-9A-Za-z]{32}$/);
    expect(key.startsWith(`${id}.`)).toBe(true);
    expect(tiro.parse(key)).toEqual({ id, secret: key.slice(13) });
    expect(tiro.lookup).toBe('id');
  });

  it('tells "only the key id was sent" apart from a malformed key (Tiro\'s common mistake)', () => {
    expect(tiro.parse('abc123')).toMatchObject({ error: 'key_id_only' });
    expect(tiro.parse('abc123.')).toMatchObject({ error: 'key_id_only' });
    expect(tiro.parse('abc 123')).toMatchObject({ error: 'malformed_key' });
    expect(tiro.parse('abc123.short')).toMatchObject({ error: 'malformed_key' });
    expect(tiro.parse(`abc123.${'a'.repeat(31)}!`)).toMatchObject({ error: 'malformed_key' });
    expect(tiro.parse(`abc!23.${'a'.repeat(32)}`)).toMatchObject({ error: 'malformed_key' });
  });

  it('accepts imported secrets of other lengths when told to', () => {
    const f = idSecretFormat({ acceptSecretLength: [20, 64] });
    expect(f.parse(`abc123.${'x'.repeat(20)}`)).toEqual({ id: 'abc123', secret: 'x'.repeat(20) });
    expect(f.parse(`abc123.${'x'.repeat(19)}`)).toMatchObject({ error: 'malformed_key' });
  });

  it('property: generate → parse round trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 40 }), fc.integer({ min: 22, max: 80 }), (idLength, secretLength) => {
        const f = idSecretFormat({ idLength, secretLength });
        const { key, id } = f.generate();
        const parsed = f.parse(key);
        return !('error' in parsed) && parsed.id === id && `${parsed.id}.${parsed.secret}` === key;
      }),
    );
  });

  it('redacts to id + last 4 and validates options', () => {
    const { key, id } = tiro.generate();
    expect(tiro.redact(key)).toBe(`${id}.…${key.slice(-4)}`);
    expect(() => idSecretFormat({ secretLength: 16 })).toThrow(RangeError);
    expect(() => idSecretFormat({ idLength: 2 })).toThrow(RangeError);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeAuthorization, readBearerToken, type HeaderBag } from './authorization.js';

const TOKEN = 'tipar_live_abcDEF0123456789abcDEF0123456789ab';

type Row = [label: string, headers: HeaderBag, expected: string, options?: Parameters<typeof readBearerToken>[1]];

// [what is sent, header bag, token or error code]
const table: Row[] = [
  ['a valid header', { authorization: `Bearer ${TOKEN}` }, TOKEN],
  ['scheme in lowercase (RFC 9110 §11.1: case-insensitive)', { authorization: `bearer ${TOKEN}` }, TOKEN],
  ['scheme in uppercase', { authorization: `BEARER ${TOKEN}` }, TOKEN],
  ['a Web Headers object', new Headers({ Authorization: `Bearer ${TOKEN}` }), TOKEN],
  ['a token68 with all its punctuation and padding', { authorization: 'Bearer a-b.c_d~e+f/g==' }, 'a-b.c_d~e+f/g=='],
  ['two spaces (RFC 6750 1*SP)', { authorization: `Bearer  ${TOKEN}` }, TOKEN],
  ['two spaces when exactly one is promised', { authorization: `Bearer  ${TOKEN}` }, 'malformed_header', { spaces: 'single' }],
  ['one space when exactly one is promised', { authorization: `Bearer ${TOKEN}` }, TOKEN, { spaces: 'single' }],
  ['no header', {}, 'missing_credentials'],
  ['an undefined header', { authorization: undefined }, 'missing_credentials'],
  ['an empty header', { authorization: '' }, 'missing_credentials'],
  ['an empty Headers object', new Headers(), 'missing_credentials'],
  ['an empty array (headersDistinct)', { authorization: [] }, 'missing_credentials'],
  ['Bearer with no token', { authorization: 'Bearer' }, 'malformed_header'],
  ['Bearer and a space', { authorization: 'Bearer ' }, 'malformed_header'],
  ['a tab after Bearer', { authorization: `Bearer\t${TOKEN}` }, 'malformed_header'],
  ['a tab inside the token', { authorization: `Bearer ${TOKEN.slice(0, 5)}\t${TOKEN.slice(5)}` }, 'malformed_header'],
  ['Basic credentials', { authorization: 'Basic dXNlcjpwYXNz' }, 'malformed_header'],
  ['a token without a scheme', { authorization: TOKEN }, 'malformed_header'],
  ['another scheme', { authorization: `Token ${TOKEN}` }, 'malformed_header'],
  ['two Authorization headers (Node headersDistinct)', { authorization: [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`] }, 'malformed_header'],
  [
    'two Authorization headers joined by Headers',
    (() => {
      const h = new Headers();
      h.append('authorization', `Bearer ${TOKEN}`);
      h.append('authorization', 'Bearer other');
      return h;
    })(),
    'malformed_header',
  ],
  ['one header in an array', { authorization: [`Bearer ${TOKEN}`] }, TOKEN],
  ['an 8 KB header', { authorization: `Bearer ${'a'.repeat(8192)}` }, 'malformed_header'],
  ['a header just under the cap', { authorization: `Bearer ${'a'.repeat(1017)}` }, 'a'.repeat(1017)],
  ['a header over a custom cap', { authorization: `Bearer ${TOKEN}` }, 'malformed_header', { maxLength: 20 }],
  ['non-ASCII in the token', { authorization: `Bearer ${TOKEN}é` }, 'malformed_header'],
  ['a latin-1 byte', { authorization: `Bearer ${TOKEN}\u00ff` }, 'malformed_header'],
  ['a NUL byte', { authorization: `Bearer ${TOKEN}\u0000` }, 'malformed_header'],
  ['a newline', { authorization: `Bearer ${TOKEN}\nX-Injected: 1` }, 'malformed_header'],
  ['DEL', { authorization: `Bearer ${TOKEN}\u007f` }, 'malformed_header'],
  ['a trailing space', { authorization: `Bearer ${TOKEN} ` }, 'malformed_header'],
  ['a leading space', { authorization: ` Bearer ${TOKEN}` }, 'malformed_header'],
  ['two tokens', { authorization: `Bearer ${TOKEN} ${TOKEN}` }, 'malformed_header'],
  ['a comma-separated second challenge', { authorization: `Bearer ${TOKEN}, Basic x` }, 'malformed_header'],
  ['padding in the middle', { authorization: 'Bearer ab=cd' }, 'malformed_header'],
  ['quotes', { authorization: `Bearer "${TOKEN}"` }, 'malformed_header'],
  ['a capitalized record key', { Authorization: `Bearer ${TOKEN}` }, TOKEN],
];

describe('readBearerToken', () => {
  it('covers at least 25 cases', () => expect(table.length).toBeGreaterThanOrEqual(25));

  it.each(table)('%s', (_label, headers, expected, options) => {
    const result = readBearerToken(headers, options);
    expect(typeof result === 'string' ? result : result.error).toBe(expected);
  });

  it('reads exactly what the grammar describes (the scan against the regular expression of RFC 6750 §2.1)', () => {
    const grammar = { rfc: /^[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9\-._~+/]+=*)$/, single: /^[Bb][Ee][Aa][Rr][Ee][Rr] ([A-Za-z0-9\-._~+/]+=*)$/ };
    // Pieces that sit near the edges of the grammar, glued in any order.
    const piece = fc.constantFrom(
      'Bearer',
      'bearer',
      'BEARER',
      'bEaReR',
      'Bearer ',
      'Bearer  ',
      'Basic ',
      'Bearerx',
      'Beare',
      ' ',
      '  ',
      '\t',
      '=',
      '==',
      'a',
      'Z',
      '9',
      '-',
      '.',
      '_',
      '~',
      '+',
      '/',
      ',',
      '"',
      'é',
      '\u00ff',
      '\u0000',
      '\u007f',
      '\u0142',
      '\u0162',
      'B\u0165arer',
      TOKEN,
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), fc.constantFrom('rfc', 'single'), (parts, spaces: 'rfc' | 'single') => {
        const value = parts.join('');
        const result = readBearerToken({ authorization: value }, { spaces });
        const expected = value.length === 0 ? null : (grammar[spaces].exec(value)?.[1] ?? null);
        expect(typeof result === 'string' ? result : null).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('never reads a query string: only the header bag exists', () => {
    const url = new URL(`https://api.example.com/notes?access_token=${TOKEN}`);
    expect(readBearerToken(Object.fromEntries(url.searchParams) as never)).toMatchObject({ error: 'missing_credentials' });
  });

  it('never puts the header into the refusal', () => {
    const secret = 'tipar_live_SECRETSECRETSECRETSECRETSECRET12';
    for (const value of [`Basic ${secret}`, `Bearer\t${secret}`, `Bearer ${secret}é`, `Bearer ${secret} x`]) {
      const result = readBearerToken({ authorization: value });
      expect(JSON.stringify(result)).not.toContain('SECRET');
    }
  });
});

describe('nodeAuthorization', () => {
  it('keeps every Authorization header of rawHeaders, whatever its case, and nothing else', () => {
    expect(nodeAuthorization({ rawHeaders: ['Host', 'x', 'authorization', 'Bearer a'], headers: {} })).toEqual({ authorization: 'Bearer a' });
    expect(
      nodeAuthorization({
        rawHeaders: ['AUTHORIZATION', 'Bearer a', 'Accept', '*/*', 'Authorization', 'Bearer b'],
        headers: { authorization: 'Bearer a' },
      }),
    ).toEqual({ authorization: ['Bearer a', 'Bearer b'] });
    expect(nodeAuthorization({ rawHeaders: ['Host', 'x', 'X-Authorization', 'Bearer a'], headers: {} })).toEqual({ authorization: undefined });
    expect(readBearerToken(nodeAuthorization({ rawHeaders: ['authorization', 'Bearer a', 'authorization', 'Bearer b'], headers: {} }))).toEqual({
      error: 'malformed_header',
      detail: 'more than one Authorization header',
    });
    // A mock request without rawHeaders: its headers.
    expect(nodeAuthorization({ headers: { authorization: 'Bearer c' } })).toEqual({ authorization: 'Bearer c' });
  });
});

import { BASE62, BASE62_VALUE, base62Uint32, CHECKSUM_LENGTH, decodeBase62 } from '../internal/base62.js';
import { CRC32_INIT, CRC32_TABLE, crc32Ascii, crc32Final, crc32Update } from '../internal/crc32.js';
import { entropyBits, randomString } from '../internal/random.js';
import type { GeneratedKey, KeyFormat, KeyParseFailure, ParsedKey, SecretScanningPattern } from './types.js';

/** Options of {@link prefixedFormat}. */
export interface PrefixedFormatOptions {
  /** Lowercase letters and digits, starting with a letter: `tipar`, `tok`. */
  prefix: string;
  /**
   * Environments written into the key after the prefix (`tipar_live_…`). The first is the default
   * for new keys. Pass `[]` for keys without an environment segment (`sk_…`).
   * @default ['live', 'test']
   */
  environments?: readonly string[];
  /**
   * Number of random base62 characters. At least 22 (128 bits).
   * @default 32
   */
  randomLength?: number;
  /**
   * Append a 6-character base62 CRC32 of the rest of the key (GitHub's design), so that a typo or a
   * truncated key is refused without a store call.
   * @default true
   */
  checksum?: boolean;
  /** Format name stored with each key. @default the prefix */
  name?: string;
}

const PREFIX_RE = /^[a-z][a-z0-9]{0,31}$/;
const ENV_RE = /^[a-z][a-z0-9]{0,15}$/;

const fail = (detail: string): KeyParseFailure => ({ error: 'malformed_key', detail });

/**
 * Opaque keys `<prefix>_<environment>_<random><checksum>`, e.g. `tipar_live_` + 32 characters.
 * They carry no id, so they are looked up by their hash.
 *
 * @throws {RangeError} for a prefix, environment or length outside the grammar above.
 * @example
 * ```ts
 * const format = prefixedFormat({ prefix: 'tipar', environments: ['live', 'test'], randomLength: 26 });
 * format.generate().key; // 'tipar_live_' + 26 random + 6 checksum characters
 * ```
 */
export function prefixedFormat(options: PrefixedFormatOptions): KeyFormat {
  const { prefix } = options;
  if (typeof prefix !== 'string' || !PREFIX_RE.test(prefix)) {
    throw new RangeError(`prefix must be 1-32 lowercase letters or digits starting with a letter, got ${JSON.stringify(prefix)}`);
  }
  const environments = [...(options.environments ?? ['live', 'test'])];
  for (const env of environments) {
    if (typeof env !== 'string' || !ENV_RE.test(env)) {
      throw new RangeError(`environment must be 1-16 lowercase letters or digits, got ${JSON.stringify(env)}`);
    }
  }
  const randomLength = options.randomLength ?? 32;
  if (!Number.isInteger(randomLength) || entropyBits(randomLength, 62) < 128 || randomLength > 256) {
    throw new RangeError(`randomLength must be an integer from 22 (128 bits) to 256, got ${randomLength}`);
  }
  const checksum = options.checksum ?? true;
  const head = `${prefix}_`;
  const tailLength = randomLength + (checksum ? CHECKSUM_LENGTH : 0);
  const envSet = new Set(environments);
  const maxEnv = environments.reduce((m, e) => Math.max(m, e.length + 1), 0);
  const maxLength = head.length + maxEnv + tailLength;
  const envGroup = environments.length ? `(?:${environments.join('|')})_` : '';
  const secret = `${prefix}_${envGroup}[0-9A-Za-z]{${tailLength}}`;
  const pattern = new RegExp(`(?<![A-Za-z0-9_])${secret}(?![A-Za-z0-9_])`, 'g');
  const name = options.name ?? prefix;

  // The CRC register after each fixed start (`tipar_live_`), computed once: a request then feeds
  // only its random characters into the checksum.
  const starts = (environments.length ? environments : [undefined]).map((env) => {
    const text = env === undefined ? head : `${head}${env}_`;
    return { env, text, crc: crc32Update(CRC32_INIT, text, 0, text.length) };
  });

  /** The fixed start of a token (prefix and environment), after checking it and the length. */
  function startOf(token: string): (typeof starts)[number] | KeyParseFailure {
    let start: (typeof starts)[number] | undefined;
    for (let i = 0; i < starts.length; i++) {
      if (token.startsWith(starts[i]!.text)) {
        start = starts[i];
        break;
      }
    }
    if (start === undefined) {
      if (!token.startsWith(head)) return fail('wrong prefix');
      return fail(token.indexOf('_', head.length) < 0 ? 'no environment' : 'unknown environment');
    }
    if (token.length - start.text.length !== tailLength) return fail('wrong length');
    return start;
  }

  // No regular expression, no substring: one pass over the random characters that checks the
  // alphabet and runs the checksum together.
  function parse(token: string): ParsedKey | KeyParseFailure {
    const start = startOf(token);
    if ('error' in start) return start;
    const end = token.length;
    const body = checksum ? end - CHECKSUM_LENGTH : end;
    let crc = start.crc;
    for (let i = start.text.length; i < body; i++) {
      const c = token.charCodeAt(i);
      if (c >= 128 || BASE62_VALUE[c]! < 0) return fail('character outside base62');
      crc = CRC32_TABLE[(crc ^ c) & 0xff]! ^ (crc >>> 8);
    }
    if (checksum) {
      const expected = decodeBase62(token, body, CHECKSUM_LENGTH);
      if (expected < 0) return fail('character outside base62');
      if (expected !== crc32Final(crc)) return fail('bad checksum');
    }
    return start.env === undefined ? { secret: token } : { secret: token, environment: start.env };
  }

  // The key is its own secret: the engine may skip the alphabet and checksum pass for a key it
  // finds at once by hash (see KeyFormat.parseUnchecked).
  function parseUnchecked(token: string): ParsedKey | KeyParseFailure {
    const start = startOf(token);
    if ('error' in start) return start;
    return start.env === undefined ? { secret: token } : { secret: token, environment: start.env };
  }

  // GitHub's form: the secret, and the boundaries in the fields of its custom patterns (\A and \z
  // are the start and end of the text in PCRE and Hyperscan). A key never contains "_" after its
  // start, nor any character outside base62, so either of those ends it.
  const scanning: SecretScanningPattern = Object.freeze({
    type: `${name.replace(/[^A-Za-z0-9_]/g, '_')}_api_key`,
    secret,
    before: '(?:\\A|[^0-9A-Za-z_])',
    after: '(?:\\z|[^0-9A-Za-z_])',
    regex: pattern,
    checksum,
  });

  return {
    name,
    lookup: 'hash',
    maxLength,
    pattern,
    generate(opts?: { environment?: string }): GeneratedKey {
      let environment: string | undefined;
      if (environments.length) {
        environment = opts?.environment ?? environments[0]!;
        if (!envSet.has(environment)) {
          throw new RangeError(`unknown environment ${JSON.stringify(environment)}; expected one of ${environments.join(', ')}`);
        }
      } else if (opts?.environment !== undefined) {
        throw new RangeError('this format has no environment segment');
      }
      const body = `${head}${environment ? `${environment}_` : ''}${randomString(randomLength, BASE62)}`;
      const key = checksum ? body + base62Uint32(crc32Ascii(body), CHECKSUM_LENGTH) : body;
      return environment === undefined ? { key } : { key, environment };
    },
    matches: (token) => token.startsWith(head),
    parse,
    parseUnchecked,
    redact(key: string): string {
      const parsed = parse(key);
      const visible = 'error' in parsed ? head : key.slice(0, key.length - tailLength);
      return `${visible}…${key.slice(-4)}`;
    },
    secretScanningPattern: () => ({ ...scanning, regex: new RegExp(pattern.source, 'g') }),
  };
}

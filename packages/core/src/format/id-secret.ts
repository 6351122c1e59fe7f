import { BASE62 } from '../internal/base62.js';
import { entropyBits, randomString } from '../internal/random.js';
import type { GeneratedKey, KeyFormat, KeyParseFailure, ParsedKey } from './types.js';

/** Options of {@link idSecretFormat}. */
export interface IdSecretFormatOptions {
  /**
   * Length of generated ids (lowercase letters and digits). Ids are public; they only need to be
   * unique. @default 12
   */
  idLength?: number;
  /** Length of generated secrets (base62). At least 22 (128 bits). @default 32 */
  secretLength?: number;
  /**
   * Shortest and longest secret accepted when parsing, for keys imported from another system.
   * @default [secretLength, secretLength]
   */
  acceptSecretLength?: readonly [min: number, max: number];
  /** Format name stored with each key. @default 'id-secret' */
  name?: string;
}

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Keys of the form `{id}.{secret}` (Tiro): the id is public and shown in dashboards, only a hash of
 * the secret is stored. The store is read by id, then the secret's hash is compared in constant
 * time. A token that is only an id gets the `key_id_only` error, which tells the user to send the
 * whole key.
 *
 * @throws {RangeError} for lengths outside the documented bounds.
 */
export function idSecretFormat(options: IdSecretFormatOptions = {}): KeyFormat {
  const idLength = options.idLength ?? 12;
  const secretLength = options.secretLength ?? 32;
  if (!Number.isInteger(idLength) || idLength < 4 || idLength > 64) {
    throw new RangeError(`idLength must be an integer from 4 to 64, got ${idLength}`);
  }
  if (!Number.isInteger(secretLength) || entropyBits(secretLength, 62) < 128 || secretLength > 256) {
    throw new RangeError(`secretLength must be an integer from 22 (128 bits) to 256, got ${secretLength}`);
  }
  const [minSecret, maxSecret] = options.acceptSecretLength ?? [secretLength, secretLength];
  if (!(Number.isInteger(minSecret) && Number.isInteger(maxSecret) && minSecret >= 16 && maxSecret >= minSecret && maxSecret <= 256)) {
    throw new RangeError('acceptSecretLength must be [min, max] with 16 <= min <= max <= 256');
  }
  const secretRe = new RegExp(`^[A-Za-z0-9]{${minSecret},${maxSecret}}$`);
  const maxLength = 64 + 1 + maxSecret;

  function parse(token: string): ParsedKey | KeyParseFailure {
    const dot = token.indexOf('.');
    if (dot < 0) {
      return ID_RE.test(token)
        ? { error: 'key_id_only', detail: 'only the key id was sent' }
        : { error: 'malformed_key', detail: 'expected {id}.{secret}' };
    }
    const id = token.slice(0, dot);
    const secret = token.slice(dot + 1);
    if (!ID_RE.test(id)) return { error: 'malformed_key', detail: 'bad key id' };
    if (secret.length === 0) return { error: 'key_id_only', detail: 'the secret after the dot is missing' };
    if (!secretRe.test(secret)) return { error: 'malformed_key', detail: 'bad secret' };
    return { id, secret };
  }

  return {
    name: options.name ?? 'id-secret',
    lookup: 'id',
    maxLength,
    pattern: new RegExp(`(?<![A-Za-z0-9_.-])[A-Za-z0-9_-]{1,64}\\.[A-Za-z0-9]{${minSecret},${maxSecret}}(?![A-Za-z0-9])`, 'g'),
    generate(opts?: { environment?: string }): GeneratedKey {
      const id = randomString(idLength, ID_ALPHABET);
      const key = `${id}.${randomString(secretLength, BASE62)}`;
      return opts?.environment === undefined ? { key, id } : { key, id, environment: opts.environment };
    },
    matches: (token) => token.indexOf('.') > 0 || ID_RE.test(token),
    parse,
    redact(key: string): string {
      const dot = key.indexOf('.');
      const id = dot > 0 ? key.slice(0, dot) : '';
      return `${ID_RE.test(id) ? `${id}.` : ''}…${key.slice(-4)}`;
    },
  };
}

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * Turns a key's secret into the digest that is stored. Versioned: the `version` is stored next to
 * each hash, so that a store can hold hashes of several algorithms or peppers at once and a key
 * hashed the old way is re-hashed with the newest hasher on its next successful use.
 */
export interface Hasher {
  /** Stored with each hash: `sha256`, `hmac-sha256:v1`, … */
  readonly version: string;
  /** Lowercase hex digest of the UTF-8 bytes of `input`. Synchronous: it is on the hot path. */
  hash(input: string): string;
}

/** Options shared by the built-in hashers. */
export interface HasherOptions {
  /**
   * Use `node:crypto` when the runtime offers it (through `process.getBuiltinModule`, so nothing is
   * imported and other runtimes are unaffected). Results are identical to `@noble/hashes`; tests
   * check both against each other and against `node:crypto`.
   * @default true
   */
  native?: boolean;
}

interface NodeCrypto {
  hash?: (algorithm: string, data: string, encoding: 'hex') => string;
  createHash: (algorithm: string) => { update(data: string, enc: 'utf8'): { digest(enc: 'hex'): string } };
  createHmac: (algorithm: string, key: Uint8Array) => { update(data: string, enc: 'utf8'): { digest(enc: 'hex'): string } };
}

let nodeCrypto: NodeCrypto | null | undefined;

/** `node:crypto` when the runtime exposes `process.getBuiltinModule` (Node ≥ 20.16), else null. */
function loadNodeCrypto(): NodeCrypto | null {
  if (nodeCrypto !== undefined) return nodeCrypto;
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const mod = typeof proc?.getBuiltinModule === 'function' ? proc.getBuiltinModule('node:crypto') : null;
    nodeCrypto = mod && typeof (mod as NodeCrypto).createHash === 'function' ? (mod as NodeCrypto) : null;
  } catch {
    nodeCrypto = null;
  }
  return nodeCrypto;
}

/** Plain SHA-256 (FIPS 180-4) of the UTF-8 bytes of the input. Version `sha256`. */
export function sha256Hasher(options: HasherOptions = {}): Hasher {
  const native = options.native === false ? null : loadNodeCrypto();
  if (native?.hash) {
    const oneShot = native.hash;
    return { version: 'sha256', hash: (input) => oneShot('sha256', input, 'hex') };
  }
  if (native) {
    const { createHash } = native;
    return { version: 'sha256', hash: (input) => createHash('sha256').update(input, 'utf8').digest('hex') };
  }
  return { version: 'sha256', hash: (input) => bytesToHex(sha256(utf8ToBytes(input))) };
}

/** Options of {@link hmacSha256Hasher}. */
export interface HmacHasherOptions extends HasherOptions {
  /**
   * The server-side secret (pepper), at least 32 bytes; a string is taken as UTF-8. Keep it out of
   * the database, so that a leaked table of hashes cannot be checked against guesses offline.
   */
  pepper: string | Uint8Array;
  /** Names this pepper: the hasher's version is `hmac-sha256:<id>`. @default 'v1' */
  id?: string;
}

const PEPPER_ID_RE = /^[A-Za-z0-9_.-]{1,32}$/;

/**
 * HMAC-SHA256 (RFC 2104) keyed with a pepper. Version `hmac-sha256:<id>`; pass several to
 * `createKeyward({ hash: [...] })`, newest first, to rotate peppers.
 *
 * @throws {TypeError} when the pepper is missing. @throws {RangeError} when it is shorter than 32 bytes.
 */
export function hmacSha256Hasher(options: HmacHasherOptions): Hasher {
  const { pepper } = options;
  if (typeof pepper !== 'string' && !(pepper instanceof Uint8Array)) {
    throw new TypeError('hmacSha256Hasher needs a pepper: a string or Uint8Array of at least 32 bytes');
  }
  const key = typeof pepper === 'string' ? utf8ToBytes(pepper) : Uint8Array.from(pepper);
  // RFC 2104 §3: a key shorter than the hash output (32 bytes for SHA-256) weakens the MAC.
  if (key.length < 32) throw new RangeError(`the pepper must be at least 32 bytes, got ${key.length}`);
  const id = options.id ?? 'v1';
  if (!PEPPER_ID_RE.test(id)) throw new RangeError(`pepper id must match ${PEPPER_ID_RE}, got ${JSON.stringify(id)}`);
  const version = `hmac-sha256:${id}`;
  const native = options.native === false ? null : loadNodeCrypto();
  if (native) {
    const { createHmac } = native;
    return { version, hash: (input) => createHmac('sha256', key).update(input, 'utf8').digest('hex') };
  }
  // Precompute the inner/outer pad states once; each hash then clones them (noble's `_cloneInto`).
  const base = hmac.create(sha256, key);
  return {
    version,
    hash: (input) => bytesToHex(base.clone().update(utf8ToBytes(input)).digest()),
  };
}

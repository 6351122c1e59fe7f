/** What a format reads out of a well-formed key. */
export interface ParsedKey {
  /** The public key id carried by the key, for formats that look keys up by id. */
  readonly id?: string;
  /** The part that is hashed and compared with the stored hash. Never log it. */
  readonly secret: string;
  /** The environment written in the key (`live`, `test`), when the format has one. */
  readonly environment?: string;
}

/** Why a token is not a key of the format. */
export interface KeyParseFailure {
  readonly error: 'malformed_key' | 'key_id_only';
  /** A short, key-free explanation for logs (`"bad checksum"`). */
  readonly detail: string;
}

/**
 * What to register with a secret scanner (GitHub's secret scanning partner program, or any tool
 * that takes a regular expression) so that it finds the keys of a format. See
 * {@link KeyFormat.secretScanningPattern}.
 */
export interface SecretScanningPattern {
  /**
   * A unique, human-readable name of the secret type (`tipar_api_key`): GitHub sends it back as
   * `type` in each alert.
   */
  readonly type: string;
  /**
   * The key itself, as a regular expression without anchors or lookarounds (which not every
   * scanner supports): `tipar_(?:live|test)_[0-9A-Za-z]{38}`.
   */
  readonly secret: string;
  /** What must come before the key: the start of the text or a character no key contains. */
  readonly before: string;
  /** What must come after the key: the end of the text or a character no key contains. */
  readonly after: string;
  /**
   * The three together as one JavaScript regular expression (global; the key is the whole match,
   * the boundaries are lookarounds). Use it to test the pattern, or with tools that take one
   * expression.
   */
  readonly regex: RegExp;
  /** Whether the key ends with a checksum that tells a real key from a random look-alike. */
  readonly checksum: boolean;
}

/** A freshly generated key. `key` is the plaintext: hand it to the user once, never store it. */
export interface GeneratedKey {
  readonly key: string;
  /** The public id inside the key, for formats that carry one. */
  readonly id?: string;
  readonly environment?: string;
}

/**
 * A key format: how keys are generated, recognised and parsed. Parsing is pure and synchronous so
 * that a malformed token is refused before any hashing or store call.
 *
 * Implement this interface for a custom format; {@link prefixedFormat} and {@link idSecretFormat}
 * are the built-in ones.
 *
 * @example
 * ```ts
 * const uuidFormat: KeyFormat = {
 *   name: 'uuid',
 *   lookup: 'hash',
 *   maxLength: 36,
 *   pattern: /\b[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\b/g,
 *   generate: () => ({ key: crypto.randomUUID() }),
 *   matches: (t) => t.length === 36,
 *   parse: (t) => /^[0-9a-f-]{36}$/.test(t) ? { secret: t } : { error: 'malformed_key', detail: 'not a uuid' },
 *   redact: (k) => `…${k.slice(-4)}`,
 * };
 * ```
 */
export interface KeyFormat {
  /** A unique name, stored with each key so that several formats can share one store. */
  readonly name: string;
  /**
   * `'id'`: the key carries a public id; the store is read by id, then the hash is compared.
   * `'hash'`: the key carries no id; the store is read by the hash of the whole key.
   */
  readonly lookup: 'id' | 'hash';
  /** Longest token the format accepts; longer tokens are refused before parsing. */
  readonly maxLength: number;
  /** A global regular expression that finds candidate keys in text (see `findKeys`). */
  readonly pattern: RegExp;
  /** Generates a new key with at least 128 bits of entropy from `crypto.getRandomValues`. */
  generate(options?: { environment?: string }): GeneratedKey;
  /** Cheap test whether a token is meant to be a key of this format (its prefix); picks the format. */
  matches(token: string): boolean;
  /** Parses and checks a token without any I/O. */
  parse(token: string): ParsedKey | KeyParseFailure;
  /**
   * Optional, for hash formats whose secret is the whole key: {@link parse} without the checks that
   * only catch a mistyped key (a checksum). A key found by the hash of its whole text is a key that
   * was issued, so the engine uses this when the lookup costs nothing (a memory store, a cache hit)
   * and runs `parse` only when the key is not found. Must accept every key `parse` accepts, with
   * the same result.
   */
  parseUnchecked?(token: string): ParsedKey | KeyParseFailure;
  /** A display form that cannot be used as the key: its public prefix and its last 4 characters. */
  redact(key: string): string;
  /**
   * Optional: the pattern to register with a secret scanner (GitHub's secret scanning partner
   * program). Only formats with a unique prefix have one: `prefixedFormat` does; `idSecretFormat`
   * does not (`{id}.{secret}` looks like countless other strings, and GitHub asks for a unique
   * prefix).
   */
  secretScanningPattern?(): SecretScanningPattern;
}

/** True when `parse` refused the token. */
export function isParseFailure(value: ParsedKey | KeyParseFailure): value is KeyParseFailure {
  return (value as KeyParseFailure).error !== undefined;
}

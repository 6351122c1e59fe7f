const IDENTIFIER_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1); we refuse instead. */
const MAX_IDENTIFIER = 63;

/** The longest name we derive from the table prefix: `<prefix>keys_workspace_idx`. */
const LONGEST_SUFFIX = 'keys_workspace_idx'.length;

/** Double-quotes an identifier that was validated already (so it cannot contain a quote). */
export function quoteIdentifier(name: string): string {
  return `"${name}"`;
}

/**
 * Checks a schema name.
 * @throws {RangeError} unless it is a plain SQL identifier (letters, digits, `_`) of at most 63 characters.
 */
export function checkSchema(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError('schema must be a string such as "public" or "keyward"');
  if (!IDENTIFIER_RE.test(value) || value.length > MAX_IDENTIFIER) {
    throw new RangeError(`schema must be a SQL identifier: a letter or "_", then letters, digits or "_", at most ${MAX_IDENTIFIER} characters`);
  }
  return value;
}

/**
 * Checks a table prefix (may be empty).
 * @throws {RangeError} unless it is empty or a plain SQL identifier short enough for the derived names.
 */
export function checkTablePrefix(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError('tablePrefix must be a string such as "keyward_" (or "" for none)');
  const max = MAX_IDENTIFIER - LONGEST_SUFFIX;
  if (value !== '' && (!IDENTIFIER_RE.test(value) || value.length > max)) {
    throw new RangeError(`tablePrefix must be empty or a SQL identifier: a letter or "_", then letters, digits or "_", at most ${max} characters`);
  }
  return value;
}

/**
 * Checks a LISTEN/NOTIFY channel name.
 * @throws {RangeError} unless it is a plain SQL identifier of at most 63 characters.
 */
export function checkChannel(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError('channel must be a string such as "keyward_invalidation"');
  if (!IDENTIFIER_RE.test(value) || value.length > MAX_IDENTIFIER) {
    throw new RangeError(`channel must be a SQL identifier: a letter or "_", then letters, digits or "_", at most ${MAX_IDENTIFIER} characters`);
  }
  return value;
}

/** The quoted, schema-qualified names of everything a store uses. */
export interface TableNames {
  readonly schema: string;
  readonly prefix: string;
  /** `"schema"."<prefix>keys"` */
  readonly keys: string;
  /** `"schema"."<prefix>migrations"` */
  readonly migrations: string;
  /** `"schema"."<prefix>usage"`: request counts per key and day. */
  readonly usage: string;
  /** `"schema"."<prefix>audit"`: the audit log. */
  readonly audit: string;
  /** `"schema"."<prefix>counters"`: rate-limit and quota counters. */
  readonly counters: string;
  /** Bare (unquoted, unqualified) name of an object derived from the prefix, e.g. `index('keys_owner_idx')`. */
  object(suffix: string): string;
}

export function tableNames(schema: string, prefix: string): TableNames {
  const qualified = (suffix: string) => `${quoteIdentifier(schema)}.${quoteIdentifier(prefix + suffix)}`;
  return {
    schema,
    prefix,
    keys: qualified('keys'),
    migrations: qualified('migrations'),
    usage: qualified('usage'),
    audit: qualified('audit'),
    counters: qualified('counters'),
    object: (suffix) => prefix + suffix,
  };
}

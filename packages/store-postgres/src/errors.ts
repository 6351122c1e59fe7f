import { KeywardError } from '@keyward/core/store';

/**
 * A PostgreSQL error without its `detail`, `where` and parameters: PostgreSQL puts row values
 * (hashes, for one) in `detail`, and nothing of a key may reach a log.
 */
export class PostgresStoreError extends Error {
  override readonly name = 'PostgresStoreError';
  /** The SQLSTATE (`23505`, `42P01`, …), when PostgreSQL sent one. */
  readonly code: string | undefined;

  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

function isDatabaseError(error: unknown): error is Error & { code: string; constraint?: string } {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((error as unknown as { code: string }).code) &&
    typeof (error as { severity?: unknown }).severity === 'string'
  );
}

/**
 * Turns what node-postgres threw into what the engine expects: `conflict` for a unique violation,
 * a scrubbed error for other database errors, connection errors as they are.
 */
export function translateError(error: unknown, keyId?: string): unknown {
  if (!isDatabaseError(error)) return error;
  if (error.code === '23505') {
    const what = error.constraint?.endsWith('_hash_key') ? 'hash' : 'id';
    return new KeywardError('conflict', { message: `a key with this ${what} exists`, ...(what === 'id' && keyId ? { keyId } : {}) });
  }
  // Class 22 (data exception): a value PostgreSQL cannot take (a NUL in text, a number or a date out
  // of range: a cursor it did not make) is bad input, never an outage. Its message quotes the input:
  // keep only the code.
  if (error.code.startsWith('22')) {
    return new KeywardError('invalid_argument', { message: `PostgreSQL refused a value (SQLSTATE ${error.code}): check ids, cursors and dates` });
  }
  return new PostgresStoreError(`PostgreSQL error ${error.code}: ${error.message}`, error.code);
}

/** The row had a shape the schema does not allow: a store failure, never a pass. */
export function malformedRow(column: string): PostgresStoreError {
  return new PostgresStoreError(`the keys table returned a malformed row (column ${column}); check that the schema is migrated and unchanged`);
}

import { expect } from 'vitest';
import { isKeywardError } from '../errors.js';
import { idSecretFormat } from '../format/id-secret.js';
import { prefixedFormat } from '../format/prefixed.js';

/** What the store suites share. */

/** The key store suite's formats: a prefixed one (found by hash) and id.secret (found by id). */
export const keySuiteFormats = [prefixedFormat({ prefix: 'kw' }), idSecretFormat()];

/** An `Authorization` header bag for `key`. */
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A label no other test (nor another run on the same store) uses. */
export const unique = (label: string): string => `${label}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** Awaits a `KeywardError` of this code. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(isKeywardError(error) ? error.code : error).toBe(code);
    return;
  }
  expect.fail(`expected a KeywardError ${code}`);
}

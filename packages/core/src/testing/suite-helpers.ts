import { expect } from 'vitest';
import { isKeywardError } from '../errors.js';

/** What the store suites share. */

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

import { type KeyFormat, scrubKeys } from '@keyward/core';

const HEX64_RE = /\b[0-9a-f]{64}\b/gi;

/**
 * A copy of an error (and of its causes) whose message and stack hold no key and nothing that
 * looks like a SHA-256 digest, for `onError`: a store's error may quote a row.
 */
export function scrubbedError(error: unknown, formats: readonly KeyFormat[], depth = 0): Error {
  const source = error instanceof Error ? error : new Error(typeof error === 'string' ? error : 'non-Error value thrown');
  const clean = (text: string) => scrubKeys(text, formats).replace(HEX64_RE, '[hash]');
  const copy = new Error(clean(source.message));
  copy.name = source.name;
  copy.stack = source.stack === undefined ? undefined : clean(source.stack);
  const code = (source as { code?: unknown }).code;
  if (typeof code === 'string') (copy as Error & { code?: string }).code = code;
  if (source.cause !== undefined && depth < 4) copy.cause = scrubbedError(source.cause, formats, depth + 1);
  return copy;
}

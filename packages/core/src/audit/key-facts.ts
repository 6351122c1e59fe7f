import type { KeywardError } from '../errors.js';
import type { KeyFacts } from './recorder.js';

/**
 * The key behind a refusal, when the pipeline had its record (a revoked, expired or another
 * workspace's key, a missing scope, a quota): its hint and workspace travel with the error, so
 * that the audit event of the refusal needs no store read. Internal: a weak map, never a field of
 * the error (the error is rendered; its key's workspace is not the caller's to see).
 */
const FACTS = new WeakMap<KeywardError, KeyFacts>();

/** `error`, remembered as a refusal of this key. */
export function refusedKey<E extends KeywardError>(error: E, key: { readonly hint: string; readonly workspaceId: string | null }): E {
  FACTS.set(error, { hint: key.hint, workspaceId: key.workspaceId });
  return error;
}

/** The key of a refusal, when the pipeline had it. */
export function refusedKeyOf(error: KeywardError): KeyFacts | undefined {
  return FACTS.get(error);
}

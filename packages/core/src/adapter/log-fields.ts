import type { Keyward } from '../engine/keyward.js';
import { errorTypeOf, redactMessage } from '../instrument/probe.js';

/** What an adapter may log of a failure: never a key, a hash or a header. */
export interface FailureLogFields {
  /** The engine's code (`store_unavailable`), or `internal` for an error that is not the engine's. */
  code: string;
  /** The class of what failed underneath: `ECONNREFUSED`, a SQLSTATE, a constructor name. */
  cause: string;
  /** Its message, with the engine's keys, anything that looks like one, digests and long base64 runs redacted; ≤ 300 characters. */
  detail: string;
}

/**
 * The fields to log for a failure (a store that failed, a handler that threw), safe to hand to any
 * logger: the message of the error underneath passes the same redaction as the logger's notices.
 *
 * @example
 * ```ts
 * request.log.error(failureLogFields(keyward, error), 'API key verification failed');
 * ```
 */
export function failureLogFields(keyward: Pick<Keyward, 'scrubKeys'>, error: unknown): FailureLogFields {
  const code = (error as { name?: unknown; code?: unknown } | null)?.name === 'KeywardError' ? String((error as { code: unknown }).code) : 'internal';
  return { code, cause: errorTypeOf(error), detail: redactMessage(error, (text) => keyward.scrubKeys(text)) };
}

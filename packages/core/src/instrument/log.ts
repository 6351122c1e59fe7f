import type { Logger, Notice } from './types.js';

/** The sentence of each notice, for people reading the log. */
function sentence(notice: Notice): string {
  switch (notice.event) {
    case 'keyward.store.unavailable':
      return `keyward: the ${notice.system} store failed (${notice.operation}: ${notice.errorType}); requests get 503 until it answers again`;
    case 'keyward.store.recovered':
      return `keyward: the ${notice.system} store answers again after ${notice.downMs} ms`;
    case 'keyward.invalidation.lost':
      return `keyward: the invalidation bus lost its connection (${notice.errorType}); the key cache is bypassed until it listens again`;
    case 'keyward.invalidation.resubscribed':
      return 'keyward: the invalidation bus listens again; the key cache is used after one TTL';
    case 'keyward.hash.upgraded':
      return `keyward: key ${notice.keyId} re-hashed from ${notice.from} to ${notice.to}`;
    case 'keyward.legacy_key.used':
      return `keyward: legacy key ${notice.keyId} used${notice.sunsetAt ? ` (sunset ${notice.sunsetAt})` : ' (no sunset)'}`;
    case 'keyward.misconfiguration':
      return `keyward: misconfiguration (${notice.problem}): ${notice.detail}`;
  }
}

/**
 * Hands a notice to a pino- or console-like logger: `logger[level]({ event, ...fields }, sentence)`.
 * The fields are the notice's own (never a key, a hash or a pepper), without `level`.
 */
export function noticeToLog(logger: Logger, notice: Notice): void {
  const { level, ...fields } = notice;
  const write = logger[level];
  if (typeof write !== 'function') return;
  write.call(logger, fields, sentence(notice));
}

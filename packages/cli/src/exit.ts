import { isKeywardError } from '@keyward/core';
import { NotFoundError, UsageError } from './args.js';
import type { Command } from './commands/command.js';
import { redactUrl } from './store.js';

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, failure: 1, usage: 2, notFound: 3, unreachable: 4, leaked: 5 } as const;

/** The message and exit code of an error of a command. */
export function fail(error: unknown, command: Command, err: (text: string) => void): number {
  if (error instanceof UsageError) {
    err(`keyward: ${error.message}\n\n${command.help}`);
    return EXIT.usage;
  }
  if (error instanceof NotFoundError || (isKeywardError(error) && error.code === 'not_found')) {
    err(`keyward: ${(error as Error).message}\n`);
    return EXIT.notFound;
  }
  if (isKeywardError(error) && (error.code === 'invalid_argument' || error.code === 'conflict')) {
    err(`keyward: ${error.message}\n`);
    return EXIT.usage;
  }
  if (isKeywardError(error) && error.code === 'store_unavailable') {
    err('keyward: the store stopped answering\n');
    return EXIT.unreachable;
  }
  // The stores strip row values from their errors; connection strings are redacted here.
  const message = error instanceof Error ? error.message : String(error);
  err(`keyward: failed: ${message.replace(/[a-z]+:\/\/[^\s]+/gi, (u) => redactUrl(u))}\n`);
  return EXIT.failure;
}

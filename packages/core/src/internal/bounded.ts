import type { Awaitable } from '../store/types.js';
import { isPromiseLike } from './awaitable.js';

/**
 * The answer of a store call within `ms`, or a rejection once they have passed: every store call
 * of the engine goes through this or `timed` (verify/lookup.ts), so that a hung store is a 503
 * within a bounded time, never a request held until the server comes back. A value that is at hand
 * (a memory store) is returned as it is, with no timer.
 *
 * `onTimeout`, when given, is called when the time is up, before the rejection: it aborts the
 * call's signal, so that a store that honours it gives up what it has not committed yet (the
 * PostgreSQL counters and rotation roll back instead of committing for a caller answered 503).
 */
export function bounded<T>(value: Awaitable<T>, ms: number, what: string, onTimeout?: (error: Error) => void): Awaitable<T> {
  if (!isPromiseLike(value)) return value;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`${what} did not answer within ${ms} ms`);
      onTimeout?.(error);
      reject(error);
    }, ms);
  });
  return Promise.race([value, timeout]).finally(() => clearTimeout(timer));
}

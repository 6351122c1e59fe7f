import type { Awaitable } from '../store/types.js';

/**
 * The one place that tells a value from a promise of it. The memory store, a warm cache and fixed
 * policies answer at once; a network store does not. Every step of the verify pipeline that may
 * wait returns an `Awaitable`, and its caller joins through {@link chain} (or through this test,
 * where a closure per call would cost on the synchronous path: see each call).
 */
export function isPromiseLike<T>(value: Awaitable<T>): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<T>).then === 'function';
}

/**
 * `next(value)` at once for a value, after it settles for a promise; a rejection goes to `fail`
 * (without `fail`, the promise rejects). One join point for value-or-promise results.
 */
export function chain<T, R>(value: Awaitable<T>, next: (value: T) => R | Promise<R>, fail?: (cause: unknown) => R | Promise<R>): R | Promise<R> {
  return isPromiseLike(value) ? Promise.resolve(value).then(next, fail) : next(value);
}

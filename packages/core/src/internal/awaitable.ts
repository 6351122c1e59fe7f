import type { Awaitable } from '../store/types.js';

/**
 * The one place that tells a value from a promise of it. The memory store, a warm cache and fixed
 * policies answer at once; a network store does not. Every step of the verify pipeline that may
 * wait returns an `Awaitable`, and the steps join through {@link chain}.
 */
export function isPromiseLike<T>(value: Awaitable<T>): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<T>).then === 'function';
}

/**
 * The join point of value-or-promise results: `next(value, a, b, c, d, e)` at once for a value,
 * after it settles for a promise (a rejection goes to `fail`). The inputs of the next step are
 * passed on rather than captured, so that no closure is made when the value is at hand (28aaff8:
 * no closure per verify on the memory store): `next` and `fail` are functions made once.
 */
export function chain<T, R, A, B = undefined, C = undefined, D = undefined, E = undefined>(
  value: Awaitable<T>,
  next: (value: T, a: A, b: B, c: C, d: D, e: E) => R | Promise<R>,
  fail: ((cause: unknown) => R | Promise<R>) | undefined,
  a: A,
  b?: B,
  c?: C,
  d?: D,
  e?: E,
): R | Promise<R> {
  if (!isPromiseLike(value)) return next(value, a, b as B, c as C, d as D, e as E);
  return Promise.resolve(value).then((settled) => next(settled, a, b as B, c as C, d as D, e as E), fail);
}

/** The metadata of every key without any: one frozen object, shared (most keys have none). */
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * A deeply frozen copy of a JSON-like value (plain objects, arrays, primitives), so that the
 * metadata handed to a request's handler is not the cached record's own object: a handler that
 * writes to it throws in strict mode and changes nothing for later requests. Made once per stored
 * record (the engine memoizes public views), never per request.
 */
export function frozenCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy)) as T;
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  if (keys.length === 0) return EMPTY as T;
  const copy: Record<string, unknown> = {};
  for (const key of keys) copy[key] = frozenCopy(source[key]);
  return Object.freeze(copy) as T;
}

/**
 * Names of the attributes @keyward/otel records. Keyward's own are in the `keyward.*` namespace
 * (OpenTelemetry's naming guidance: lowercase, dot-namespaced, snake_case words); store spans
 * and metrics also carry the database conventions' `db.system.name` (and the older `db.system`),
 * `db.operation.name` and `error.type`.
 */

/** Span: whether the verify passed. */
export const ATTR_VERIFY_OK = 'keyward.verify.ok';
/** Metrics: `ok`, or the refusal's code (`invalid_key`, `rate_limited`, `store_unavailable`, …). */
export const ATTR_VERIFY_OUTCOME = 'keyward.verify.outcome';
/** Span: the refusal's code. */
export const ATTR_ERROR_CODE = 'keyward.error.code';
/** Span, and the verify counter: the internal reason of an `invalid_key` (`unknown`, `revoked`, `workspace_mismatch`). */
export const ATTR_ERROR_REASON = 'keyward.error.reason';
/** Span: the key's public id. Never a metric attribute (unbounded). */
export const ATTR_KEY_ID = 'keyward.key.id';
/** Span (`keyward.rotate`): the id of the key that was replaced. */
export const ATTR_KEY_PREVIOUS_ID = 'keyward.key.previous_id';
/** Span and metrics: the name of the key format. */
export const ATTR_KEY_FORMAT = 'keyward.key.format';
/** Span: a legacy key. */
export const ATTR_KEY_LEGACY = 'keyward.key.legacy';
/** Span: the key's workspace. Never a metric attribute (unbounded). */
export const ATTR_WORKSPACE_ID = 'keyward.workspace.id';
/** Span: the workspace the route asked for. */
export const ATTR_ROUTE_WORKSPACE_ID = 'keyward.route.workspace_id';
/** Span: whether the in-process cache answered the lookup. */
export const ATTR_CACHE_HIT = 'keyward.cache.hit';
/** Metrics: `hit`, `miss`, or `none` (no lookup, or no cache). */
export const ATTR_CACHE_RESULT = 'keyward.cache.result';
/** Metrics: `key` (one key's entries dropped) or `all` (the whole cache, after the bus was lost). */
export const ATTR_CACHE_INVALIDATION_SCOPE = 'keyward.cache.invalidation.scope';
/** Metrics: the lifecycle call (`create`, `rotate`, `revoke`, …). */
export const ATTR_LIFECYCLE_OPERATION = 'keyward.lifecycle.operation';
/** Metrics: `ok`, or the lifecycle call's error code. */
export const ATTR_LIFECYCLE_OUTCOME = 'keyward.lifecycle.outcome';

/** OpenTelemetry database conventions (stable): the store's system (`postgresql`, `redis`, `memory`). */
export const ATTR_DB_SYSTEM_NAME = 'db.system.name';
/** The pre-1.26 name of `db.system.name`, still what many backends group by. */
export const ATTR_DB_SYSTEM = 'db.system';
/** The store method (`findByHash`, `consumeCounters`, `insert`, …). */
export const ATTR_DB_OPERATION_NAME = 'db.operation.name';
/** The class of a failure: `timeout`, an error code (`ECONNREFUSED`), or a Keyward error code. */
export const ATTR_ERROR_TYPE = 'error.type';

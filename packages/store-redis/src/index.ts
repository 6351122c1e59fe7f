export { redisStore } from './redis-store.js';
export type { RedisStore, RedisStoreOptions } from './redis-store.js';
export type { RedisAuditRetention } from './audit.js';
export { redisInvalidation } from './invalidation.js';
export type { RedisInvalidation, RedisInvalidationOptions } from './invalidation.js';
export { FAIL_FAST_OPTIONS } from './internal/connection.js';
export type { RedisConnection } from './internal/connection.js';

export { postgresStore } from './store.js';
export type { PostgresStore, PostgresStoreOptions } from './store.js';
export { migrate, MIGRATIONS } from './migrations.js';
export type { Migration, MigrateOptions, MigrateResult } from './migrations.js';
export { postgresInvalidation } from './invalidation.js';
export type { PostgresInvalidationBus, PostgresInvalidationOptions } from './invalidation.js';
export type { PostgresConnection } from './connection.js';
export { PostgresStoreError } from './errors.js';
export type { TableNames } from './identifiers.js';

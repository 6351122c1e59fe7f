export { embeddedStore } from './embedded-store.js';
export type { EmbeddedStore, EmbeddedStoreOptions } from './embedded-store.js';
export { embeddedInvalidation } from './embedded-invalidation.js';
export type { EmbeddedInvalidationBus, EmbeddedInvalidationOptions } from './embedded-invalidation.js';
export { DataDirInUseError } from './data-dir-lock.js';

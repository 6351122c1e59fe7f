export { describeKeyStore } from './describe-key-store.js';
export type { KeyStoreSuiteOptions } from './describe-key-store.js';
export { sampleStoredKey } from './fixtures.js';
export { describeAdapter } from './describe-adapter.js';
export type { AdapterHarness, AdapterRoutes, AdapterSuiteOptions, StartedAdapter } from './describe-adapter.js';

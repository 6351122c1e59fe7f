export { describeKeyStore } from './describe-key-store.js';
export type { KeyStoreSuiteOptions } from './describe-key-store.js';
export { sampleStoredKey } from './fixtures.js';

export { describeKeyStore } from './describe-key-store.js';
export type { KeyStoreSuiteOptions } from './describe-key-store.js';
export { sampleStoredKey } from './fixtures.js';
export { describeAdapter } from './describe-adapter.js';
export type { AdapterHarness, AdapterRoutes, AdapterSuiteOptions, StartedAdapter } from './describe-adapter.js';
export { describeUsageStore } from './describe-usage-store.js';
export type { UsageStoreSuiteOptions } from './describe-usage-store.js';
export { describeAuditStore } from './describe-audit-store.js';
export type { AuditStoreSuiteOptions } from './describe-audit-store.js';

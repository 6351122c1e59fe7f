/**
 * `@keyward/core/store`: what a store author needs — the storage contracts (keys, counters, usage,
 * audit, invalidation), the helpers their implementations share, and the error to throw. Every
 * store passes the suites of `@keyward/core/testing`.
 */
export type { Awaitable, ExpiringQuery, KeyPatch, KeyStore, ListPage, ListQuery, RotateInput, StoredKey } from './types.js';
export { expiringPage, isExpiringIn } from '../lifecycle/expiring-page.js';
export { counterRequest, gcra, gcraState, guardAdmits } from '../policy/types.js';
export type {
  CounterGuard,
  CounterPlan,
  CounterRequest,
  CounterResult,
  CounterStore,
  FusedCounterStore,
  LimitScope,
  PlannedCounter,
  QuotaCounter,
  RateCounter,
  RateState,
} from '../policy/types.js';
export type { KeyTouch, UsageCount, UsageRange, UsageStore } from '../usage/types.js';
export type { AuditEvent, AuditEventType, AuditRange, AuditRequest, AuditStore } from '../audit/types.js';
export type { InvalidationBus, InvalidationMessage } from '../cache/invalidation.js';
export { KeywardError, isKeywardError } from '../errors.js';
export type { KeywardErrorCode, KeywardErrorOptions } from '../errors.js';

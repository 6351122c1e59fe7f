/**
 * Names that moved from `@keyward/core` to the entry point of their audience — `@keyward/core/store`
 * (store authors) and `@keyward/core/adapter` (adapter authors) — kept here for one release so
 * that code importing them from `@keyward/core` keeps compiling, with an editor warning. Removed in
 * the next release: import them from their new home.
 */
import * as adapter from './adapter/index.js';
import * as store from './store/index.js';

/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export const counterRequest: typeof store.counterRequest = store.counterRequest;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export const gcra: typeof store.gcra = store.gcra;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export const gcraState: typeof store.gcraState = store.gcraState;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export const guardAdmits: typeof store.guardAdmits = store.guardAdmits;
/** @deprecated Moved: import it from `@keyward/core/adapter`; removed from `@keyward/core` in the next release. */
export const routeOptions: typeof adapter.routeOptions = adapter.routeOptions;
/** @deprecated Moved: import it from `@keyward/core/adapter`; removed from `@keyward/core` in the next release. */
export const renderedResponse: typeof adapter.renderedResponse = adapter.renderedResponse;
/** @deprecated Moved: import it from `@keyward/core/adapter`; removed from `@keyward/core` in the next release. */
export const withResponseHeaders: typeof adapter.withResponseHeaders = adapter.withResponseHeaders;
/** @deprecated Moved: import it from `@keyward/core/adapter`; removed from `@keyward/core` in the next release. */
export const readBearerToken: typeof adapter.readBearerToken = adapter.readBearerToken;
/** @deprecated Moved: import it from `@keyward/core/adapter`; removed from `@keyward/core` in the next release. */
export const nodeAuthorization: typeof adapter.nodeAuthorization = adapter.nodeAuthorization;
/** @deprecated Moved: import it from `@keyward/core/adapter`; removed from `@keyward/core` in the next release. */
export const isHeaderRefusal: typeof adapter.isHeaderRefusal = adapter.isHeaderRefusal;

/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type Awaitable<T> = store.Awaitable<T>;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type KeyPatch = store.KeyPatch;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type RotateInput = store.RotateInput;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type StoredKey = store.StoredKey;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type CounterRequest = store.CounterRequest;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type CounterResult = store.CounterResult;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type CounterGuard = store.CounterGuard;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type CounterPlan = store.CounterPlan;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type FusedCounterStore = store.FusedCounterStore;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type PlannedCounter = store.PlannedCounter;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type QuotaCounter = store.QuotaCounter;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type RateCounter = store.RateCounter;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type RateState = store.RateState;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type KeyTouch = store.KeyTouch;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type UsageCount = store.UsageCount;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type UsageRange = store.UsageRange;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type UsageStore = store.UsageStore;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type AuditRange = store.AuditRange;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type AuditStore = store.AuditStore;
/** @deprecated Moved: import it from `@keyward/core/store`; removed from `@keyward/core` in the next release. */
export type InvalidationMessage = store.InvalidationMessage;
/** @deprecated Moved: import it from `@keyward/core/adapter`; removed from `@keyward/core` in the next release. */
export type RouteOptions<Req> = adapter.RouteOptions<Req>;
/** @deprecated Moved: import it from `@keyward/core/adapter`; removed from `@keyward/core` in the next release. */
export type RouteOptionsResolver<Req> = adapter.RouteOptionsResolver<Req>;
/** @deprecated Moved: import it from `@keyward/core/adapter`; removed from `@keyward/core` in the next release. */
export type HeaderFailure = adapter.HeaderFailure;
/** @deprecated Moved: import it from `@keyward/core/adapter`; removed from `@keyward/core` in the next release. */
export type HeaderRefusal = adapter.HeaderRefusal;
/** @deprecated Moved: import it from `@keyward/core/adapter`; removed from `@keyward/core` in the next release. */
export type NodeRequestLike = adapter.NodeRequestLike;

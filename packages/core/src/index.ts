/**
 * `@keyward/core`: what an application uses — the engine, key formats, hashers, errors, renderers,
 * policies, and the fetch helpers. Store authors import `@keyward/core/store`, adapter authors
 * `@keyward/core/adapter`, tests `@keyward/core/testing`.
 */
export { Keyward, createKeyward } from './engine/keyward.js';
export type { KeywardOptions } from './engine/keyward.js';
export type * from './engine/types.js';

export { ERROR_CODES, KeywardError, isKeywardError } from './errors.js';
export type { InvalidKeyReason, KeywardErrorCode, KeywardErrorOptions } from './errors.js';

export { prefixedFormat } from './format/prefixed.js';
export type { PrefixedFormatOptions } from './format/prefixed.js';
export { idSecretFormat } from './format/id-secret.js';
export type { IdSecretFormatOptions } from './format/id-secret.js';
export { isParseFailure } from './format/types.js';
export type { GeneratedKey, KeyFormat, KeyParseFailure, ParsedKey, SecretScanningPattern } from './format/types.js';

export { hmacSha256Hasher, sha256Hasher } from './hash/hasher.js';
export type { Hasher, HasherOptions, HmacHasherOptions } from './hash/hasher.js';

export type { HeaderBag, HeaderOptions } from './header/authorization.js';

export { isValidScope, missingScopes, normalizeScopes, scopeMatches } from './scope/scopes.js';

export { bearerChallenge, errorHeaders } from './render/challenge.js';
export type { ChallengeOptions } from './render/challenge.js';
export { jsonRenderer, problemDetails } from './render/problem-details.js';
export type { ProblemDetailsOptions } from './render/problem-details.js';
export type { RenderedError, Renderer } from './render/types.js';

export type { Awaitable, KeyStore, ListPage, ListQuery } from './store/types.js';
export type { InvalidationBus } from './cache/invalidation.js';
export type { CacheOptions } from './cache/verify-cache.js';
export { localInvalidation, localInvalidationBus } from './cache/local-bus.js';
export type { LocalInvalidation } from './cache/local-bus.js';

export type { UsageOptions, UsageQuery, UsageReport } from './usage/types.js';
export { AUDIT_EVENT_TYPES } from './audit/filters.js';
export type { AuditEvent, AuditEventType, AuditOptions, AuditPage, AuditQuery, AuditRequest } from './audit/types.js';

export type { Leak, LeakAction, LeakLocation, LeakOptions, LeakOutcome, LeakPolicy, LeakReport } from './leaks/types.js';
export { DEFAULT_EXPIRY_THRESHOLDS, expiryThreshold } from './lifecycle/expiring.js';
export type { ExpiringKeysQuery, ExpiryOptions } from './lifecycle/expiring.js';
export type { TokenInspection, TokenStatus } from './lifecycle/inspect.js';

export { QUOTA_EXCEEDED_TYPE, QUOTA_EXHAUSTED_TYPE, RATELIMIT_DRAFT } from './policy/enforcer.js';
export type { CounterStore, LimitScope, Policies, PolicyOption, Quota, RateLimit } from './policy/types.js';

export { findKeys, redact, scrubKeys } from './helpers.js';
export type { FoundKey } from './helpers.js';
export { toMilliseconds } from './internal/duration.js';
export type { Duration } from './internal/duration.js';

export { authenticateRequest, withApiKey } from './web/fetch.js';
export { readBodyCapped } from './web/body.js';
export type { ApiKeyFetchHandler, AuthenticateResult, FetchAuthOptions, WithApiKeyOptions } from './web/fetch.js';

export type {
  CacheEvent,
  CacheResult,
  Instrumentation,
  LifecycleEvent,
  LifecycleOperation,
  Logger,
  Notice,
  NoticeLevel,
  StoreCallEvent,
  StoreOperation,
  Timestamp,
  VerifyEvent,
} from './instrument/types.js';

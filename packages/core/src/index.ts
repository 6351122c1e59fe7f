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

export { isHeaderRefusal, nodeAuthorization, readBearerToken } from './header/authorization.js';
export type { HeaderBag, HeaderFailure, HeaderOptions, HeaderRefusal, NodeRequestLike } from './header/authorization.js';

export { isValidScope, missingScopes, normalizeScopes, scopeMatches } from './scope/scopes.js';

export { bearerChallenge, errorHeaders } from './render/challenge.js';
export type { ChallengeOptions } from './render/challenge.js';
export { jsonRenderer, problemDetails } from './render/problem-details.js';
export type { ProblemDetailsOptions } from './render/problem-details.js';
export type { RenderedError, Renderer } from './render/types.js';

export type { Awaitable, ExpiringQuery, KeyPatch, KeyStore, ListPage, ListQuery, RotateInput, StoredKey } from './store/types.js';

export { Keyward, createKeyward } from './engine/keyward.js';
export type { KeywardOptions } from './engine/keyward.js';
export type {
  ApiKey,
  ChangeOptions,
  CreatedKey,
  CreateKeyInput,
  ImportKeyInput,
  RotateOptions,
  UpdateKeyInput,
  VerifyFailure,
  VerifyOptions,
  VerifyResult,
  VerifySuccess,
  WorkspaceGuard,
} from './engine/types.js';

export type { KeyTouch, UsageCount, UsageOptions, UsageQuery, UsageRange, UsageReport, UsageStore } from './usage/types.js';
export { AUDIT_EVENT_TYPES } from './audit/filters.js';
export type {
  AuditEvent,
  AuditEventType,
  AuditOptions,
  AuditPage,
  AuditQuery,
  AuditRange,
  AuditRequest,
  AuditStore,
} from './audit/types.js';

export type { Leak, LeakAction, LeakLocation, LeakOptions, LeakOutcome, LeakPolicy, LeakReport } from './leaks/types.js';
export { DEFAULT_EXPIRY_THRESHOLDS, expiringPage, expiryThreshold, isExpiringIn } from './lifecycle/expiring.js';
export type { ExpiringKeysQuery, ExpiryOptions } from './lifecycle/expiring.js';
export type { TokenInspection, TokenStatus } from './lifecycle/inspect.js';

export { findKeys, redact, scrubKeys } from './helpers.js';
export type { FoundKey } from './helpers.js';
export { toMilliseconds } from './internal/duration.js';
export type { Duration } from './internal/duration.js';
export type { InvalidationBus, InvalidationMessage } from './cache/invalidation.js';
export { VerifyCache } from './cache/verify-cache.js';
export type { CacheOptions } from './cache/verify-cache.js';
export { localInvalidationBus } from './cache/local-bus.js';

export { routeOptions } from './web/route-options.js';
export type { RouteOptions, RouteOptionsResolver } from './web/route-options.js';
export { authenticateRequest, renderedResponse, withApiKey, withResponseHeaders } from './web/fetch.js';
export { isUnderBasePath, toFetchRequest, writeFetchResponse } from './web/node-fetch.js';
export { readBodyCapped } from './web/body.js';
export type { FetchHandler, FetchRequestInit, NodeIncomingLike, NodeResponseLike } from './web/node-fetch.js';
export type { ApiKeyFetchHandler, AuthenticateResult, FetchAuthOptions, WithApiKeyOptions } from './web/fetch.js';

export { PolicyEnforcer, QUOTA_EXCEEDED_TYPE, QUOTA_EXHAUSTED_TYPE, RATELIMIT_DRAFT } from './policy/enforcer.js';
export { counterRequest, gcra, gcraState, guardAdmits } from './policy/types.js';
export type {
  CounterRequest,
  CounterResult,
  CounterStore,
  CounterGuard,
  CounterPlan,
  FusedCounterStore,
  LimitScope,
  PlannedCounter,
  Policies,
  PolicyOption,
  Quota,
  QuotaCounter,
  RateCounter,
  RateLimit,
  RateState,
} from './policy/types.js';

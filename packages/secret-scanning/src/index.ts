export { secretScanningHandler } from './handler.js';
export type { SecretScanningFeedback, SecretScanningHandler, SecretScanningOptions } from './handler.js';
export { githubSigningKeys, GITHUB_SECRET_SCANNING_KEYS_URL, SigningKeysUnavailable } from './signing-keys.js';
export type { GitHubSigningKeysOptions, SigningKeys } from './signing-keys.js';
export { parseAlert, AlertFormatError } from './alert.js';
export type { SecretMatch } from './alert.js';
export { secretScanningPatterns } from './patterns.js';
export type { FormatPattern } from './patterns.js';
export { derToRawSignature, verifyP256Signature } from './signature.js';

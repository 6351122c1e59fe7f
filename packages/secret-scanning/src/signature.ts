/**
 * ECDSA P-256 with SHA-256 (GitHub's `ECDSA-NIST-P256V1-SHA256`) on WebCrypto alone, so that the
 * endpoint runs on Node, Bun, Deno, Workers and the Next.js edge runtime.
 *
 * GitHub publishes its keys as PEM (SubjectPublicKeyInfo) and signs with an ASN.1 DER signature
 * (`SEQUENCE { INTEGER r, INTEGER s }`, RFC 3279 §2.2.3); WebCrypto takes and gives the raw form
 * `r ‖ s`, each 32 bytes big-endian (IEEE P1363, WebCrypto §23.4). So: PEM → DER → `importKey`,
 * and DER signature → raw.
 */

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes of standard base64 (with padding), or `null` for anything else. */
export function base64Bytes(text: string): Uint8Array<ArrayBuffer> | null {
  const clean = text.replace(/\s+/g, '');
  if (clean.length === 0 || clean.length % 4 !== 0 || !BASE64_RE.test(clean)) return null;
  let binary: string;
  try {
    binary = atob(clean);
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The DER of a PEM `PUBLIC KEY` block (RFC 7468 §13), or `null`. */
export function pemPublicKey(pem: string): Uint8Array<ArrayBuffer> | null {
  const match = /-----BEGIN PUBLIC KEY-----([\s\S]+?)-----END PUBLIC KEY-----/.exec(pem);
  return match ? base64Bytes(match[1]!) : null;
}

/**
 * One DER INTEGER at `at` as an unsigned big-endian number of `size` bytes (left-padded), and
 * where it ends; `null` for a negative, oversized or badly encoded one.
 */
function readInteger(der: Uint8Array, at: number, size: number): { value: Uint8Array; end: number } | null {
  if (der[at] !== 0x02) return null;
  const length = der[at + 1];
  if (length === undefined || length === 0 || length > size + 1) return null;
  const start = at + 2;
  const end = start + length;
  if (end > der.length) return null;
  let first = start;
  // A positive INTEGER whose top bit is set carries one leading zero; more would not be DER.
  if (der[first]! & 0x80) return null;
  if (der[first] === 0 && length > 1) {
    if (!(der[first + 1]! & 0x80)) return null;
    first++;
  }
  if (end - first > size) return null;
  const value = new Uint8Array(size);
  value.set(der.subarray(first, end), size - (end - first));
  return { value, end };
}

/** A DER ECDSA signature as WebCrypto's raw `r ‖ s` (64 bytes for P-256), or `null` when it is not one. */
export function derToRawSignature(der: Uint8Array, size = 32): Uint8Array<ArrayBuffer> | null {
  if (der.length < 8 || der[0] !== 0x30) return null;
  let at = 2;
  let length = der[1]!;
  if (length === 0x81) {
    length = der[2]!;
    at = 3;
    if (length < 0x80) return null;
  } else if (length > 0x7f) return null;
  if (at + length !== der.length) return null;
  const r = readInteger(der, at, size);
  if (r === null) return null;
  const s = readInteger(der, r.end, size);
  if (s === null || s.end !== der.length) return null;
  const raw = new Uint8Array(size * 2);
  raw.set(r.value, 0);
  raw.set(s.value, size);
  return raw;
}

/** Imports a PEM P-256 public key for verification. @throws when it is not one. */
export async function importP256PublicKey(pem: string): Promise<CryptoKey> {
  const der = pemPublicKey(pem);
  if (der === null) throw new TypeError('not a PEM public key');
  return crypto.subtle.importKey('spki', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
}

/**
 * Whether `signature` (base64 of a DER ECDSA signature, GitHub's `Github-Public-Key-Signature`)
 * signs exactly these bytes with `key`. Never throws: anything malformed is `false`.
 */
export async function verifyP256Signature(key: CryptoKey, signature: string, body: Uint8Array<ArrayBuffer>): Promise<boolean> {
  const der = base64Bytes(signature);
  const raw = der === null ? null : derToRawSignature(der);
  if (raw === null) return false;
  try {
    return await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, raw, body);
  } catch {
    return false;
  }
}

/** `0-9A-Za-z`: the alphabet of GitHub's token checksums and of our random parts. */
export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Encodes an unsigned 32-bit integer in base62, left-padded with `0` to `width` characters. */
export function base62Uint32(value: number, width: number): string {
  let n = value >>> 0;
  let out = '';
  while (n > 0) {
    out = BASE62[n % 62]! + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(width, '0');
}

/** 62^6 > 2^32, so six characters hold any CRC32. */
export const CHECKSUM_LENGTH = 6;

/** Value of each base62 character by char code, -1 for any other code below 128. */
export const BASE62_VALUE: Int8Array = /* @__PURE__ */ (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < BASE62.length; i++) t[BASE62.charCodeAt(i)] = i;
  return t;
})();

/**
 * Decodes `width` base62 characters of `s` from `start` (no allocation); -1 when one of them is not
 * base62. Used to compare a checksum without building a string.
 */
export function decodeBase62(s: string, start: number, width: number): number {
  let n = 0;
  for (let i = start; i < start + width; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? BASE62_VALUE[c]! : -1;
    if (v < 0) return -1;
    n = n * 62 + v;
  }
  return n;
}

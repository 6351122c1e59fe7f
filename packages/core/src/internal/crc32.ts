// CRC-32 (ISO-HDLC, the zlib/PNG polynomial 0xEDB88320, reflected). GitHub's token format appends
// the CRC32 of the token body so that a typo or a truncated copy is refused offline, before any
// lookup. It is an integrity check against accidents, not a MAC: it adds no secrecy.

export const CRC32_TABLE: Int32Array = /* @__PURE__ */ (() => {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/**
 * CRC32 of the UTF-16 code units of an ASCII string (each unit is one byte for ASCII input; callers
 * check the alphabet first, so no non-ASCII string reaches here).
 */
export function crc32Ascii(s: string, end = s.length): number {
  return crc32Final(crc32Update(CRC32_INIT, s, 0, end));
}

/** The CRC register before any byte. */
export const CRC32_INIT = -1;

/** Feeds `s[start..end)` into a running CRC register (so that a fixed prefix is hashed once). */
export function crc32Update(state: number, s: string, start: number, end: number): number {
  let c = state;
  for (let i = start; i < end; i++) c = CRC32_TABLE[(c ^ s.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
  return c;
}

/** The CRC32 value of a register. */
export function crc32Final(state: number): number {
  return (state ^ -1) >>> 0;
}

// CRC-32 (ISO-HDLC, the zlib/PNG polynomial 0xEDB88320, reflected). GitHub's token format appends
// the CRC32 of the token body so that a typo or a truncated copy is refused offline, before any
// lookup. It is an integrity check against accidents, not a MAC: it adds no secrecy.

const TABLE = /* @__PURE__ */ (() => {
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
  let c = -1;
  for (let i = 0; i < end; i++) c = TABLE[(c ^ s.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

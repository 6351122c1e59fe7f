import { BASE62 } from './base62.js';

// Randomness comes only from the Web Crypto CSPRNG, present on Node ≥ 19, Bun, Deno, Workers and
// the Next.js edge runtime. Characters are drawn by rejection sampling: a byte is used only when it
// falls below the largest multiple of the alphabet size, so every character is equally likely
// (a plain `byte % 62` would favour the first 8 characters).

/** `length` characters drawn uniformly from `alphabet` (2..256 distinct characters). */
export function randomString(length: number, alphabet: string = BASE62): string {
  const size = alphabet.length;
  const limit = 256 - (256 % size);
  let out = '';
  const buf = new Uint8Array(Math.max(32, length * 2));
  while (out.length < length) {
    crypto.getRandomValues(buf);
    for (let i = 0; i < buf.length && out.length < length; i++) {
      const b = buf[i]!;
      if (b < limit) out += alphabet[b % size];
    }
  }
  return out;
}

/** Bits of entropy of `length` uniform characters of an alphabet of `size`. */
export function entropyBits(length: number, size: number): number {
  return length * Math.log2(size);
}

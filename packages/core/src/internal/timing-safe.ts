/**
 * Compares two strings in time that depends only on their length, not on where they differ.
 * Used for stored digests (hex); both sides have a fixed, public length, so an early return on a
 * length difference leaks nothing.
 */
export function timingSafeEqualString(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

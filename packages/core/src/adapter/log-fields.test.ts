import { memoryStore } from '@keyward/store-memory';
import { describe, expect, it } from 'vitest';
import { createKeyward } from '../engine/keyward.js';
import { KeywardError } from '../errors.js';
import { prefixedFormat } from '../format/prefixed.js';
import { failureLogFields } from './log-fields.js';

/** Every run of 8 characters of `secret`: none may be left in what is logged. */
function pieces(secret: string): string[] {
  return Array.from({ length: secret.length - 7 }, (_, i) => secret.slice(i, i + 8));
}

describe('failureLogFields', () => {
  const format = prefixedFormat({ prefix: 'lgf' });
  const keyward = createKeyward({ store: memoryStore(), format });

  it('gives the code, the failing class and a message with no key, digest or header', () => {
    const key = format.generate().key;
    const digest = 'ab'.repeat(32);
    const cause = Object.assign(new Error(`connection lost while reading ${key} (hash ${digest}); Authorization: Bearer ${key}`), {
      code: 'ECONNRESET',
    });
    const fields = failureLogFields(keyward, new KeywardError('store_unavailable', { cause }));
    expect(fields.code).toBe('store_unavailable');
    expect(fields.cause).toBe('ECONNRESET');
    expect(fields.detail).toContain('connection lost');
    const logged = JSON.stringify(fields);
    for (const piece of [...pieces(key.slice(4)), digest.slice(0, 16)]) expect(logged).not.toContain(piece);
  });
});

import { describe, expect, it } from 'vitest';
import { idSecretFormat } from '../format/id-secret.js';
import { prefixedFormat } from '../format/prefixed.js';
import { strictLogger } from './strict-logger.js';

describe('strictLogger', () => {
  const prefixed = prefixedFormat({ prefix: 'tst' });
  const idSecret = idSecretFormat();
  const pepper = 'a-pepper-of-the-test-0123456789';

  it('records clean lines without violations', () => {
    const logger = strictLogger({ formats: [prefixed, idSecret], secrets: [pepper] });
    logger.warn({ event: 'keyward.legacy_key.used', keyId: 'key_abc', sunsetAt: null }, 'keyward: legacy key key_abc used (no sunset)');
    logger.info({ event: 'keyward.store.recovered', system: 'postgresql', downMs: 12 }, 'keyward: the postgresql store answers again after 12 ms');
    expect(logger.lines).toHaveLength(2);
    expect(logger.violations).toEqual([]);
  });

  it('catches a key (even mistyped), a digest, a header, a secret — and names what, not the text', () => {
    const logger = strictLogger({ formats: [prefixed, idSecret], secrets: [pepper] });
    const key = prefixed.generate().key;
    const mistyped = `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`;
    logger.error({ error: `bad ${mistyped}` }, 'x');
    logger.error({}, `id-secret ${idSecret.generate().key}`);
    logger.warn({ hash: 'f'.repeat(64) }, 'x');
    logger.info({}, `got Bearer something`);
    logger.debug({ note: pepper }, 'x');
    expect(logger.violations).toEqual([
      'error : a tst key',
      `error : a ${idSecret.name} key`,
      'warn : a hexadecimal digest',
      'info : an Authorization header',
      'debug : a secret of the test',
    ]);
    expect(logger.violations.join(' ')).not.toContain(key.slice(4, 20));
  });
});

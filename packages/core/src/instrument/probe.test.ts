import { describe, expect, it } from 'vitest';
import { prefixedFormat } from '../format/prefixed.js';
import { scrubKeys } from '../helpers.js';
import { noticeToLog } from './log.js';
import { createProbe, errorTypeOf, redactMessage } from './probe.js';
import type { Instrumentation, Logger, Notice, VerifyEvent } from './types.js';

const format = prefixedFormat({ prefix: 'tst' });
const scrub = (text: string) => scrubKeys(text, format);

function recordingLogger() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields, message });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

const event = { ok: true } as VerifyEvent;

describe('createProbe', () => {
  it('is null when nothing is attached, or nothing attached listens', () => {
    expect(createProbe(undefined, undefined, scrub)).toBeNull();
    expect(createProbe([], undefined, scrub)).toBeNull();
    expect(createProbe({}, undefined, scrub)).toBeNull();
  });

  it('keeps a hook null when no instrument has it', () => {
    const probe = createProbe({ verify: () => undefined }, undefined, scrub)!;
    expect(probe.verify).toBeTypeOf('function');
    expect([probe.lifecycle, probe.store, probe.cache, probe.notice]).toEqual([null, null, null, null]);
  });

  it('calls every instrument, and an instrument that throws changes nothing for the others or the caller', () => {
    const heard: string[] = [];
    const list: Instrumentation[] = [
      {
        verify: () => {
          throw new Error('broken instrument');
        },
      },
      { verify: () => heard.push('second') },
    ];
    const probe = createProbe(list, undefined, scrub)!;
    expect(() => probe.verify!(event)).not.toThrow();
    expect(heard).toEqual(['second']);
    const single = createProbe(list[0], undefined, scrub)!;
    expect(() => single.verify!(event)).not.toThrow();
  });

  it('keeps `this` of an instrument written as a class', () => {
    class Counter implements Instrumentation {
      count = 0;
      verify() {
        this.count++;
      }
    }
    const counter = new Counter();
    createProbe(counter, undefined, scrub)!.verify!(event);
    expect(counter.count).toBe(1);
  });

  it('refuses what is not an instrument or a logger (TypeError)', () => {
    expect(() => createProbe(42 as never, undefined, scrub)).toThrow(TypeError);
    expect(() => createProbe(undefined, { info: () => undefined } as never, scrub)).toThrow(/logger must have warn/);
  });
});

describe('notices', () => {
  it('tells an outage once per store system, and its end once', () => {
    const { logger, lines } = recordingLogger();
    const probe = createProbe(undefined, logger, scrub)!;
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    probe.storeAnswered('postgresql', 'findByHash', 1000, error, false);
    probe.storeAnswered('postgresql', 'findByHash', 1500, error, false);
    probe.storeAnswered('redis', 'consumeCounters', 1600, new Error('x'), true);
    probe.storeAnswered('postgresql', 'findById', 4000, undefined, false);
    probe.storeAnswered('postgresql', 'findById', 4100, undefined, false);
    expect(lines.map((l) => [l.level, l.fields.event, l.fields.system])).toEqual([
      ['error', 'keyward.store.unavailable', 'postgresql'],
      ['error', 'keyward.store.unavailable', 'redis'],
      ['info', 'keyward.store.recovered', 'postgresql'],
    ]);
    expect(lines[0]!.fields).toEqual({
      event: 'keyward.store.unavailable',
      system: 'postgresql',
      operation: 'findByHash',
      errorType: 'ECONNREFUSED',
      error: 'connect ECONNREFUSED 127.0.0.1:5432',
    });
    expect(lines[1]!.fields.errorType).toBe('timeout');
    expect(lines[2]!.fields.downMs).toBe(3000);
    expect(lines[0]!.message).toMatch(/postgresql store failed.*503/);
  });

  it('tells a lost bus once, and its return only after a loss', () => {
    const { logger, lines } = recordingLogger();
    const probe = createProbe(undefined, logger, scrub)!;
    probe.busListening();
    probe.busLost(new Error('the subscriber connection closed'));
    probe.busLost(new Error('the subscriber connection closed'));
    probe.busListening();
    probe.busListening();
    expect(lines.map((l) => [l.level, l.fields.event])).toEqual([
      ['warn', 'keyward.invalidation.lost'],
      ['info', 'keyward.invalidation.resubscribed'],
    ]);
  });

  it('tells a misconfiguration once per problem, a legacy key once per hour', () => {
    const { logger, lines } = recordingLogger();
    const probe = createProbe(undefined, logger, scrub)!;
    probe.misconfigured('unknown_hash_version', 'sha1');
    probe.misconfigured('unknown_hash_version', 'sha1');
    probe.misconfigured('unknown_hash_version', 'md5');
    probe.legacyUsed('key_1', null, 'usr_1', null);
    probe.legacyUsed('key_1', null, 'usr_1', null);
    probe.legacyUsed('key_2', 'ws_1', null, new Date('2030-01-01T00:00:00Z'));
    expect(lines.map((l) => l.fields.event)).toEqual([
      'keyward.misconfiguration',
      'keyward.misconfiguration',
      'keyward.legacy_key.used',
      'keyward.legacy_key.used',
    ]);
    expect(lines[3]!.fields).toEqual({
      event: 'keyward.legacy_key.used',
      keyId: 'key_2',
      workspaceId: 'ws_1',
      ownerId: null,
      sunsetAt: '2030-01-01T00:00:00.000Z',
    });
  });

  it('console fits as a logger', () => {
    const calls: unknown[][] = [];
    const fake = {
      info: (...a: unknown[]) => calls.push(['info', ...a]),
      warn: (...a: unknown[]) => calls.push(['warn', ...a]),
      error: () => undefined,
    };
    const notice: Notice = { event: 'keyward.hash.upgraded', level: 'info', keyId: 'key_1', from: 'sha256', to: 'hmac-sha256:v1' };
    noticeToLog(fake, notice);
    // A logger without debug gets no debug lines, and no error.
    noticeToLog(fake, { ...notice, level: 'debug' } as unknown as Notice);
    expect(calls).toEqual([
      [
        'info',
        { event: 'keyward.hash.upgraded', keyId: 'key_1', from: 'sha256', to: 'hmac-sha256:v1' },
        'keyward: key key_1 re-hashed from sha256 to hmac-sha256:v1',
      ],
    ]);
  });
});

describe('redaction of error messages', () => {
  it('keeps the error class and drops keys, digests and long tokens from messages', () => {
    const key = format.generate().key;
    const digest = 'ab'.repeat(32);
    const message = redactMessage(new Error(`insert failed: Key (hash)=(${digest}) exists; token ${key}; b64 ${'QUJD'.repeat(10)}`), scrub);
    expect(message).not.toContain(digest);
    expect(message).not.toContain(key);
    expect(message).not.toContain('QUJD'.repeat(10));
    expect(message).toMatch(/^insert failed: Key \(hash\)=\(\[redacted\]\) exists/);
    expect(redactMessage(new Error('x'.repeat(5000)), (t) => t).length).toBeLessThanOrEqual(300);
  });

  it('reads the class of an error from its code or name, never its message', () => {
    expect(errorTypeOf(Object.assign(new Error('boom'), { code: '57P01' }))).toBe('57P01');
    expect(errorTypeOf(new TypeError('secret stuff'))).toBe('TypeError');
    expect(errorTypeOf({ code: 'has spaces and a secret tst_abc' })).toBe('Error');
    expect(errorTypeOf('a string')).toBe('Error');
  });
});

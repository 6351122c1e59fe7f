import { expect } from 'vitest';
import { ERROR_CODES, KeywardError, type Keyward, type KeywardErrorCode } from '../../index.js';
import type { HttpAnswer } from './http-client.js';

/** What one request must get: the handler's answer with this key, or exactly the rendered refusal. */
export type Expectation =
  | { ok: true; keyId: string | null; workspaceId: string | null; headers?: Record<string, string | undefined> }
  | { ok: false; code: KeywardErrorCode; challenge: string | undefined; missingScopes?: readonly string[]; retryAfter?: number };

export const INVALID_REQUEST = 'Bearer error="invalid_request"';
export const INVALID_TOKEN = 'Bearer error="invalid_token"';

/** A refusal with `code`, whose `WWW-Authenticate` must read `challenge`. */
export const fail = (code: KeywardErrorCode, challenge: string | undefined, more: Partial<Expectation> = {}): Expectation =>
  ({ ok: false, code, challenge, ...more }) as Expectation;

/** Asserts that `answer` is what `expected` says, byte for byte where it is a refusal. */
export function check(keyward: Keyward, answer: HttpAnswer, expected: Expectation): void {
  if (expected.ok) {
    expect({ status: answer.status, body: JSON.parse(answer.body) as unknown }).toEqual({
      status: 200,
      body: { keyId: expected.keyId, workspaceId: expected.workspaceId },
    });
    expect(answer.headers['content-type']).toMatch(/^application\/json\b/);
    for (const [name, value] of Object.entries(expected.headers ?? {})) expect(answer.headers[name], name).toBe(value);
    return;
  }
  const error = new KeywardError(expected.code, {
    ...(expected.missingScopes ? { missingScopes: expected.missingScopes } : {}),
    ...(expected.retryAfter !== undefined ? { retryAfter: expected.retryAfter } : {}),
  });
  // Exactly what the renderer produced, and the challenge spelled out so that a renderer change
  // cannot silently change the contract.
  const rendered = keyward.render(error);
  expect(rendered.headers['www-authenticate']).toBe(expected.challenge);
  const status = ERROR_CODES[expected.code];
  expect({
    status: answer.status,
    'content-type': answer.headers['content-type'],
    'www-authenticate': answer.headers['www-authenticate'],
    'retry-after': answer.headers['retry-after'],
    'cache-control': answer.headers['cache-control'],
    body: answer.body,
  }).toEqual({
    status,
    'content-type': rendered.headers['content-type'],
    'www-authenticate': rendered.headers['www-authenticate'],
    'retry-after': rendered.headers['retry-after'],
    'cache-control': rendered.headers['cache-control'],
    body: rendered.body,
  });
  for (const name of ['deprecation', 'sunset']) expect(answer.headers[name], name).toBeUndefined();
}

/**
 * A request that no route may serve: a client error (4xx) — the adapter's refusal or the
 * framework's own 400/404/405 — or a redirect to the canonical path (a 3xx with a `Location`,
 * which the client then requests, checked like any other); never a success (the handler ran
 * without a valid key) and never a server error. `allowNoContent`: a 2xx that did not come from the
 * handler is fine too (an automatic `OPTIONS` answer), as long as its body is not the handler's.
 * `answer` is what `request` returned, or the raw text of a `rawRequest`.
 */
export function expectRefused(what: string, status: number, answer: HttpAnswer | string, options: { allowNoContent?: boolean } = {}): void {
  const body = typeof answer === 'string' ? answer.slice(answer.indexOf('\r\n\r\n') + 4) : answer.body;
  if (options.allowNoContent && status >= 200 && status < 300) {
    expect(body, `${what}: answered ${status} with the handler's body`).not.toMatch(/"keyId"/);
    return;
  }
  if (status >= 300 && status < 400) {
    const location = typeof answer === 'string' ? /\r\nlocation: *([^\r]*)/i.exec(answer)?.[1] : answer.headers.location;
    expect(location, `${what}: answered ${status} without a Location`).toBeTruthy();
    return;
  }
  expect(status, `${what}: answered ${status}, expected a 4xx`).toBeGreaterThanOrEqual(400);
  expect(status, `${what}: answered ${status}, expected a 4xx`).toBeLessThan(500);
}

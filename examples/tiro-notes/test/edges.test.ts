// What Tiro answers to bad input, over real HTTP on loopback: the key is checked before the body
// is parsed, and bad JSON, a body too large, an undecodable path or an unknown route get Tiro's
// JSON error shape (the dashboard: Problem Details) — never Express's HTML page with its stack
// trace (paths, dependency versions).
import type { Server } from 'node:http';
import { callDashboard, signIn } from '@keyward/example-support/testing';
import { memoryStore } from '@keyward/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTiroApp, demoData, seedDemo, tiroKeyward } from '../src/app.js';

let origin: string;
let server: Server;
let demo: Awaited<ReturnType<typeof seedDemo>>;
beforeAll(async () => {
  const data = demoData();
  const keyward = tiroKeyward({ store: memoryStore(), data });
  demo = await seedDemo(keyward);
  server = createTiroApp(keyward, data).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

async function send(path: string, init: { key?: string; method?: string; body?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.key !== undefined) headers.authorization = `Bearer ${init.key}`;
  const res = await fetch(`${origin}${path}`, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, body: init.body });
  const text = await res.text();
  // Never Express's page: no HTML, no stack frame, no file path.
  expect(res.headers.get('content-type'), text).toMatch(/^application\/json/);
  expect(text).not.toMatch(/<html|<pre>|\bat [\w.<>]+ \(|node_modules|\/src\//i);
  return { status: res.status, error: (JSON.parse(text) as { error: { code: string; type: string } }).error };
}

const BAD_JSON = '{"title": "Standup",';
const LARGE = JSON.stringify({ title: 'x'.repeat(200_000) });

describe('Tiro: bad input on the API', () => {
  it('checks the key before reading the body: no key and bad JSON, or a body too large, is the 401 of a missing key', async () => {
    for (const body of [BAD_JSON, LARGE]) {
      expect(await send('/v1/external/notes', { body })).toEqual({ status: 401, error: expect.objectContaining({ code: 'missing_api_key' }) });
    }
  });

  it('answers bad JSON with a 400 and a body too large with a 413, in Tiro’s shape', async () => {
    const key = demo.keys.workspace_a;
    expect(await send('/v1/external/notes', { key, body: BAD_JSON })).toEqual({
      status: 400,
      error: expect.objectContaining({ code: 'invalid_json', type: 'invalid_request_error' }),
    });
    expect(await send('/v1/external/notes', { key, body: LARGE })).toEqual({
      status: 413,
      error: expect.objectContaining({ code: 'body_too_large', type: 'invalid_request_error' }),
    });
  });

  it('answers an unknown route with a 404 in Tiro’s shape', async () => {
    expect(await send('/v1/external/nope', { key: demo.keys.workspace_a })).toEqual({
      status: 404,
      error: expect.objectContaining({ code: 'not_found' }),
    });
    expect(await send('/nope')).toEqual({ status: 404, error: expect.objectContaining({ code: 'not_found' }) });
  });
});

describe('Tiro: bad input on the dashboard', () => {
  /** A dashboard answer: Problem Details, never Express's page. */
  const problem = (answer: Awaited<ReturnType<typeof callDashboard>>) => {
    expect(answer.headers.get('content-type'), answer.text).toBe('application/problem+json');
    expect(answer.text).not.toMatch(/<html|<pre>|\bat [\w.<>]+ \(|node_modules|\/src\//i);
    return { status: answer.status, code: answer.json.code };
  };

  it('checks the session before reading the body, then answers bad JSON with a 400', async () => {
    const init = { headers: { 'content-type': 'application/json' }, body: BAD_JSON };
    expect(problem(await callDashboard(origin, 'POST', '/workspaces/ws_research/keys', init))).toEqual({ status: 401, code: 'unauthenticated' });
    const ada = await signIn(origin, 'admin');
    const res = await fetch(`${origin}/keyward/api/workspaces/ws_research/keys`, {
      method: 'POST',
      headers: { cookie: ada.cookie, 'content-type': 'application/json' },
      body: BAD_JSON,
    });
    const text = await res.text();
    expect(problem({ status: res.status, headers: res.headers, text, json: JSON.parse(text) })).toEqual({ status: 400, code: 'invalid_json' });
  });

  it('answers a path that does not decode like a workspace that does not exist, not with a stack trace', async () => {
    const ada = await signIn(origin, 'admin');
    expect(problem(await ada.call('GET', '/workspaces/%E0%A4%A/keys'))).toEqual({ status: 404, code: 'not_found' });
  });
});

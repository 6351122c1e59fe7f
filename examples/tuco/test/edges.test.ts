// What Tuco's node:http bridge (serveFetch) answers to requests no Web `Request` can represent,
// over real HTTP on loopback: a 4xx in Problem Details, never a 500 (the whole suite of these runs
// in examples/support/test/fetch-server.test.ts).
import type { Server } from 'node:http';
import { rawRequest } from '@keyward/core/testing';
import { serveFetch } from '@keyward/example-support';
import { memoryStore } from '@keyward/store-memory';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTucoApp, seedDemo, tucoKeyward } from '../src/app.js';

let server: Server;
let port: number;
beforeAll(async () => {
  const keyward = tucoKeyward({ store: memoryStore() });
  const demo = await seedDemo(keyward);
  server = serveFetch(createTucoApp(keyward, demo.data)).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

it('answers a bad Host, an absolute-form target and TRACE with a 4xx in Problem Details', async () => {
  const host = `Host: 127.0.0.1:${port}\r\n`;
  const cases: [string, string, number][] = [
    ['GET /api/v1/projects HTTP/1.1', 'Host: a b\r\n', 400],
    ['GET /api/v1/projects HTTP/1.1', 'Host: [\r\n', 400],
    ['TRACE /api/v1/projects HTTP/1.1', host, 405],
    // Absolute-form is a request like any other (RFC 9112 §3.2.2): here without a key, Tuco's 401.
    [`GET http://127.0.0.1:${port}/api/v1/projects HTTP/1.1`, host, 401],
  ];
  for (const [line, headers, status] of cases) {
    const answer = await rawRequest(port, `${line}\r\n${headers}Connection: close\r\n\r\n`);
    expect({ line, status: answer.status }).toEqual({ line, status });
    expect(answer.text).toMatch(/\r\ncontent-type: application\/problem\+json\r\n/i);
    expect(answer.text).not.toContain('internal');
  }
});

// What Tipar answers to requests that its Next.js server could get wrong, over real HTTP against
// the production build: two Authorization headers (under `next start` the first one would count),
// TRACE and the target `*` (a 500 from Next.js itself without the guard of src/server.ts).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { rawRequest } from '@keyward/core/testing';
import { memoryStore } from '@keyward/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTipar, type Tipar } from '../src/server.js';

let tipar: Tipar;
let port: number;
beforeAll(async () => {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });
  tipar = await startTipar({ store: memoryStore(), quota: 5 });
  port = Number(new URL(tipar.origin).port);
}, 240_000);
afterAll(() => tipar?.close());

const post = (headers: string) =>
  rawRequest(port, `POST /generate HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}Content-Length: 0\r\nConnection: close\r\n\r\n`);
const quotaLeft = async (key: string) => {
  const check = await tipar.keyward.verify({ authorization: `Bearer ${key}` }, { dryRun: true });
  return Number(/r=(\d+)/.exec(check.ok ? (check.headers.ratelimit ?? '') : '')?.[1]);
};

describe('Tipar: two Authorization headers', () => {
  it('are refused with the 401 Problem Details of a malformed header, whichever comes first, and spend no quota', async () => {
    const key = tipar.keys.workspace_a;
    const before = await quotaLeft(key);
    for (const pair of [
      [`Bearer ${key}`, 'Bearer tipar_live_x'],
      ['Bearer tipar_live_x', `Bearer ${key}`],
      [`Bearer ${key}`, `Bearer ${key}`],
    ]) {
      const { status, text } = await post(`Authorization: ${pair[0]}\r\nAuthorization: ${pair[1]}\r\n`);
      expect(status).toBe(401);
      expect(text).toMatch(/\r\ncontent-type: application\/problem\+json\r\n/i);
      expect(text).toMatch(/\r\nwww-authenticate: Bearer error="invalid_request"\r\n/i);
      expect(text).toContain('"code":"malformed_header"');
      expect(text).not.toContain(key);
    }
    expect(await quotaLeft(key)).toBe(before);
    // One header still works.
    expect((await post(`Authorization: Bearer ${key}\r\n`)).status).toBe(200);
  });
});

describe('Tipar: requests Next.js cannot take', () => {
  it('TRACE gets a 405 and the target * a 400 (OPTIONS * a 204), never a 500', async () => {
    const head = (line: string) => rawRequest(port, `${line}\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect((await head('TRACE /generate HTTP/1.1')).status).toBe(405);
    expect((await head('GET * HTTP/1.1')).status).toBe(400);
    expect((await head('OPTIONS * HTTP/1.1')).status).toBe(204);
  });
});

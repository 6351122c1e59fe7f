import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../index.js';
import { expectRefused } from './expectations.js';
import { type HttpAnswer, rawRequest, request } from './http-client.js';
import type { Seeded } from './keys.js';
import type { ServerFault } from './types.js';

/** What the hostile requests need from the running suite. */
export interface HostileContext {
  port(): number;
  keys(): Seeded;
  duplicateAuthorization: 'refused' | 'first';
  serverFaults: readonly ServerFault[];
}

// Paths a router may match differently from the middleware that guards them: letter case (Express
// and @koa/router match routes case-insensitively by default), trailing and doubled slashes,
// percent-encoded letters, dot segments, matrix parameters, encoded slashes.
const GROUP_VARIANTS = [
  '/GROUP/PROTECTED',
  '/Group/protected',
  '/GROUP/protected',
  '/group/PROTECTED',
  '/group/protected/',
  '/GROUP/PROTECTED/',
  '//group/protected',
  '/group//protected',
  '/%67roup/protected',
  '/%47ROUP/protected',
  '/group/%70rotected',
  '/group/./protected',
  '/x/../group/protected',
  '/group/protected/.',
  '/group/protected;x',
  '/group%2Fprotected',
  '/group/protected%2F',
];
const ROUTE_VARIANTS = ['/PROTECTED', '/Protected', '/PROTECTED/', '/%70rotected', '//protected', '/./protected', '/protected/.'];
const WORKSPACE_VARIANTS = ['/WORKSPACES/ws_a/PROTECTED', '/Workspaces/ws_a/protected', '/workspaces/ws_a/PROTECTED/', '/workspaces/ws_a//protected'];
const SCOPED_VARIANTS = ['/SCOPED', '/Scoped/', '/%73coped'];

// Methods the routes (all GET) do not serve; OPTIONS may get the framework's automatic answer.
const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND', 'HEAD'];
// Methods a Web `Request` cannot carry (the Fetch standard's forbidden methods that Node parses).
const FORBIDDEN_METHODS = ['TRACE'];

/**
 * Requests a hostile client sends to find a way around the key check or to make the server fail:
 * odd paths, methods, request targets and `Host` headers, and duplicate headers under other
 * spellings. None may reach a protected handler without a valid key, and none may answer a 5xx:
 * each gets the adapter's refusal or the framework's own 4xx.
 */
export function describeHostileRequests(ctx: HostileContext): void {
  const send = (path: string, headers: Record<string, string> = {}, method = 'GET') => request(ctx.port(), path, headers, method);
  const raw = (requestLine: string, headers: string) => rawRequest(ctx.port(), `${requestLine}\r\n${headers}Connection: close\r\n\r\n`);
  const host = () => `Host: 127.0.0.1:${ctx.port()}\r\n`;
  /** A documented 500 of the server (see `serverFaults`): exactly that, or the usual refusal. */
  const expectFault = (fault: ServerFault, what: string, status: number, answer: HttpAnswer | string) => {
    if (ctx.serverFaults.includes(fault)) expect(status, `${what} (a documented ${fault} fault of the server)`).toBe(500);
    else expectRefused(what, status, answer);
  };

  describe('hostile requests', () => {
    it('no case, encoding or dot-segment variant of a guarded group’s path reaches its handler without a key', async () => {
      for (const path of GROUP_VARIANTS) {
        const answer = await send(path);
        expectRefused(`GET ${path} without a key`, answer.status, answer);
        const revoked = await send(path, { authorization: `Bearer ${ctx.keys().revoked}` });
        expectRefused(`GET ${path} with a revoked key`, revoked.status, revoked);
      }
    });

    it('no variant of a protected route’s path reaches its handler without the key it requires', async () => {
      for (const path of ROUTE_VARIANTS) {
        const answer = await send(path);
        expectRefused(`GET ${path} without a key`, answer.status, answer);
      }
      for (const path of WORKSPACE_VARIANTS) {
        const answer = await send(path, { authorization: `Bearer ${ctx.keys().other}` });
        expectRefused(`GET ${path} with another workspace's key`, answer.status, answer);
      }
      for (const path of SCOPED_VARIANTS) {
        const answer = await send(path, { authorization: `Bearer ${ctx.keys().valid}` });
        expectRefused(`GET ${path} with a key lacking the scope`, answer.status, answer);
      }
    });

    it('other methods on protected routes are refused with a 4xx, never served nor a 5xx', async () => {
      for (const path of ['/protected', '/group/protected', '/scoped']) {
        for (const method of METHODS) {
          const answer = await send(path, {}, method);
          expectRefused(`${method} ${path} without a key`, answer.status, answer);
        }
        for (const method of FORBIDDEN_METHODS) {
          const answer = await send(path, {}, method);
          expectFault('forbidden-methods', `${method} ${path} without a key`, answer.status, answer);
        }
        const options = await send(path, {}, 'OPTIONS');
        expectRefused(`OPTIONS ${path} without a key`, options.status, options, { allowNoContent: true });
      }
    });

    it('methods Node’s parser refuses (lowercase, unknown) get its 400', async () => {
      for (const line of ['get /protected HTTP/1.1', 'Get /group/protected HTTP/1.1', 'FROB /protected HTTP/1.1']) {
        const { status } = await raw(line, host());
        expect(status, line).toBe(400);
      }
    });

    it('odd request targets (absolute-form, `*`, no leading slash) get a 4xx, never a pass nor a 5xx', async () => {
      const port = ctx.port();
      const targets = [
        `GET http://127.0.0.1:${port}/protected HTTP/1.1`,
        `GET http://127.0.0.1:${port}/group/protected HTTP/1.1`,
        `GET http://other.example/protected HTTP/1.1`,
        `GET HTTP://127.0.0.1:${port}/GROUP/PROTECTED HTTP/1.1`,
        'GET protected HTTP/1.1',
        'GET group/protected HTTP/1.1',
      ];
      for (const line of targets) {
        const { status, text } = await raw(line, host());
        expectRefused(line, status, text);
      }
      const star = await raw('GET * HTTP/1.1', host());
      expectFault('asterisk-form', 'GET *', star.status, star.text);
      const { status, text } = await raw('OPTIONS * HTTP/1.1', host());
      if (ctx.serverFaults.includes('asterisk-form')) expectFault('asterisk-form', 'OPTIONS *', status, text);
      else expectRefused('OPTIONS *', status, text, { allowNoContent: true });
    });

    it('odd Host headers get a 4xx on a protected route, never a pass nor a 5xx', async () => {
      const port = ctx.port();
      const hosts = [
        'Host: a b\r\n',
        'Host: [\r\n',
        'Host: [::1\r\n',
        'Host: evil@127.0.0.1\r\n',
        'Host: 127.0.0.1:99999\r\n',
        'Host: 127.0.0.1:x\r\n',
        'Host: 127.0.0.1/unprotected?\r\n',
        'Host: 127.0.0.1/unprotected#\r\n',
        'Host: \r\n',
        '',
        `Host: 127.0.0.1:${port}\r\nHost: other.example\r\n`,
      ];
      for (const path of ['/protected', '/group/protected']) {
        for (const header of hosts) {
          const { status, text } = await raw(`GET ${path} HTTP/1.1`, header);
          expectRefused(`GET ${path} with ${JSON.stringify(header)}`, status, text);
        }
      }
    });

    it('two Authorization headers spelled differently count as two', async () => {
      const { valid } = ctx.keys();
      const { status } = await raw('GET /protected HTTP/1.1', `${host()}Authorization: Bearer ${valid}\r\nauthorization: Bearer ${valid}\r\n`);
      expect(status).toBe(ctx.duplicateAuthorization === 'first' ? 200 : ERROR_CODES.malformed_header);
      const other = await raw('GET /group/protected HTTP/1.1', `${host()}AUTHORIZATION: Bearer x\r\nAuthorization: Bearer ${valid}\r\n`);
      expect(other.status).not.toBe(200);
      expectRefused('two Authorization headers on a group, the last one valid', other.status, other.text);
    });
  });
}

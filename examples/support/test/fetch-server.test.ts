// The fetch helper of @keyward/core (`withApiKey`) behind the node:http bridge the examples use
// (serveFetch, what Bun, Deno and Workers do natively), held to the HTTP conformance suite of every
// adapter — its hostile requests (odd Host headers, absolute-form targets, TRACE) included.
import type { ApiKey } from '@keyward/core';
import { withApiKey } from '@keyward/core';
import { describeAdapter } from '@keyward/core/testing';
import { serveFetch } from '../src/fetch-server.js';

describeAdapter({
  name: 'fetch helper (withApiKey) on serveFetch',
  async start({ keyward, downKeyward, routes, body }) {
    const reply = (_request: Request, key: ApiKey | null) => Response.json(body(key));
    const notFound = () => new Response('not found', { status: 404 });
    const workspaceRoute = /^\/workspaces\/([^/]+)\/protected$/;
    const handlers = {
      protected: withApiKey(reply, { keyward }),
      scoped: withApiKey(reply, { keyward, scopes: routes.scoped.scopes }),
      workspace: withApiKey(reply, { keyward, workspaceId: (request) => workspaceRoute.exec(new URL(request.url).pathname)![1]! }),
      down: withApiKey(reply, { keyward: downKeyward }),
      // A group: one check for every path under the prefix, then the group's own routing.
      group: withApiKey((request, key) => (new URL(request.url).pathname === routes.group.path ? reply(request, key) : notFound()), { keyward }),
    };
    const server = serveFetch(async (request) => {
      const { pathname } = new URL(request.url);
      if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
      if (pathname === routes.group.prefix || pathname.startsWith(`${routes.group.prefix}/`)) return handlers.group(request);
      if (pathname === routes.protected.path) return handlers.protected(request);
      if (pathname === routes.scoped.path) return handlers.scoped(request);
      if (pathname === routes.down.path) return handlers.down(request);
      if (pathname === routes.unprotected.path) return reply(request, null);
      if (workspaceRoute.test(pathname)) return handlers.workspace(request);
      return notFound();
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return { port: (server.address() as { port: number }).port, close: () => new Promise<void>((r) => server.close(() => r())) };
  },
});

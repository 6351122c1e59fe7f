// Plain fetch: the handler inside a web-standard app (as on Bun, Deno, Workers), served here by
// node:http through core's two bridge functions.
import { createServer } from 'node:http';
import { toFetchRequest, writeFetchResponse } from '@keyward/core/adapter';
import { describeDashboardMount, listenOnLoopback } from '@keyward/dashboard/testing';
import { memoryStore } from '@keyward/store-memory';

describeDashboardMount({
  name: 'a plain fetch handler (node:http)',
  createStore: () => memoryStore(),
  start: ({ dashboard }) => {
    const app = (request: Request): Promise<Response> => {
      const { pathname } = new URL(request.url);
      if (pathname === dashboard.basePath || pathname.startsWith(`${dashboard.basePath}/`)) return dashboard(request);
      return Promise.resolve(new Response(pathname === '/outside' ? 'outside' : 'not found', { status: pathname === '/outside' ? 200 : 404 }));
    };
    const server = createServer((req, res) => {
      app(toFetchRequest(req, { url: `http://${req.headers.host}${req.url}` }))
        .then((response) => writeFetchResponse(res, response))
        .catch(() => res.writeHead(500).end());
    });
    return listenOnLoopback(server);
  },
});

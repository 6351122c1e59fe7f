import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toFetchRequest, writeFetchResponse } from '@keyward/core/adapter';

/**
 * Mounts a web-standard handler on a real node:http server on loopback with core's Node bridge:
 * the request body is streamed (not buffered), so the handler's size cap is what bounds it.
 */
export async function serveFetch(handler: (request: Request) => Promise<Response>): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const request = toFetchRequest(req, { url: `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}` });
    handler(request).then(
      (response) => writeFetchResponse(res, response),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/github/secret-scanning`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

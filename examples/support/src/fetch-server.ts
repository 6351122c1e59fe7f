import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * Serves a web-standard `(Request) => Response` handler on node:http — what Bun, Deno and Workers
 * do natively. Bodies up to 1 MB; every header kept as sent (duplicates included).
 */
export function serveFetch(handler: (request: Request) => Response | Promise<Response>): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
      let body: Uint8Array<ArrayBuffer> | undefined;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of req) {
          size += (chunk as Buffer).length;
          if (size > 1_000_000) {
            res.writeHead(413).end();
            return;
          }
          chunks.push(chunk as Buffer);
        }
        body = new Uint8Array(Buffer.concat(chunks));
      }
      const response = await handler(
        new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, { method: req.method, headers, body }),
      );
      res.statusCode = response.status;
      response.headers.forEach((value, name) => {
        res.setHeader(name, value);
      });
      res.end(new Uint8Array(await response.arrayBuffer()));
    })().catch((error: unknown) => {
      console.error(`fetch handler failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"internal"}');
    });
  });
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** The largest body the bridge reads. */
const MAX_BODY = 1_000_000;

// RFC 9110 §7.2: Host = uri-host [ ":" port ], here an IP literal, or a name of letters, digits,
// dots and hyphens (IPv4 included). Anything else (a space, `[`, `@`, `/`) is a 400: it would
// change the URL the app sees, or make it unparseable.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))(?::\d{1,5})?$/;
const ABSOLUTE = /^https?:\/\//i;
// Methods a Web `Request` cannot carry (Fetch standard, "forbidden methods"): no handler can serve them.
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** A Problem Details answer (RFC 9457) written by the bridge itself, never by the app. */
function refuse(res: ServerResponse, status: 400 | 405 | 413, title: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ type: 'about:blank', title, status });
  res.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), ...headers }).end(body);
}

/**
 * The URL of a request, or null when the target or the Host header cannot name one (RFC 9112
 * §3.2): an origin-form target (`/path?query`) on the origin of the one valid Host header, or an
 * absolute-form target (`http://host/path`, whose host wins over the Host header, §3.2.2).
 */
function requestUrl(req: IncomingMessage): URL | null {
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'host') hosts++;
  if (hosts > 1) return null;
  const target = req.url ?? '';
  try {
    if (target.startsWith('/')) {
      const host = req.headers.host;
      return host !== undefined && HOST.test(host) ? new URL(`http://${host}${target}`) : null;
    }
    if (ABSOLUTE.test(target)) {
      const url = new URL(target);
      return url.username === '' && url.password === '' ? url : null;
    }
  } catch {
    // An unparseable URL (a port out of range): the request names no resource.
  }
  return null;
}

/**
 * Serves a web-standard `(Request) => Response` handler on node:http — what Bun, Deno and Workers
 * do natively. Bodies up to 1 MB; every header kept as sent (duplicates included).
 *
 * Requests no `Request` can represent are answered by the bridge with a 4xx in Problem Details,
 * before the handler: an invalid or repeated `Host` (400), a target that is neither a path nor an
 * `http(s)` URL (400; `OPTIONS *` gets 204), a method the Fetch standard forbids such as `TRACE`
 * (405), a body over 1 MB (413). A handler that throws gets a 500 with no detail.
 */
export function serveFetch(handler: (request: Request) => Response | Promise<Response>): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const method = req.method ?? 'GET';
      if (req.url === '*' && method === 'OPTIONS') return void res.writeHead(204, { 'content-length': 0 }).end();
      const url = requestUrl(req);
      if (url === null) return refuse(res, 400, 'Bad Request');
      if (FORBIDDEN_METHODS.has(method)) return refuse(res, 405, 'Method Not Allowed');
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
      let body: Uint8Array<ArrayBuffer> | undefined;
      if (method !== 'GET' && method !== 'HEAD') {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of req) {
          size += (chunk as Buffer).length;
          if (size > MAX_BODY) return refuse(res, 413, 'Content Too Large', { connection: 'close' });
          chunks.push(chunk as Buffer);
        }
        body = new Uint8Array(Buffer.concat(chunks));
      }
      const response = await handler(new Request(url, { method, headers, body }));
      res.statusCode = response.status;
      response.headers.forEach((value, name) => {
        res.setHeader(name, value);
      });
      res.end(new Uint8Array(await response.arrayBuffer()));
    })().catch((error: unknown) => {
      // The class only: an app's error message may quote what the request carried.
      console.error(`fetch handler failed: ${error instanceof Error ? error.name : typeof error}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"internal"}');
    });
  });
}

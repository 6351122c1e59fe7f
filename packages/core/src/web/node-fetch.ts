import type { NodeResponseLike } from '../adapter/node-response.js';

/**
 * The two halves that let a Node framework (Express, Koa, Fastify) serve a web-standard
 * `(request: Request) => Promise<Response>` handler such as `@keyward/dashboard`. Written against
 * the shapes of Node's `IncomingMessage` and `ServerResponse`, with web globals only, so that core
 * still imports no Node built-in; each adapter wraps them in its own idiom.
 */

/** A web-standard handler, optionally with the base path it answers under. */
export type FetchHandler = ((request: Request) => Promise<Response>) & { readonly basePath?: string };

/** A Node request as far as {@link toFetchRequest} reads it (an `IncomingMessage`). */
export interface NodeIncomingLike extends AsyncIterable<Uint8Array | string> {
  readonly method?: string | undefined;
  readonly rawHeaders: readonly string[];
  /** True once the body was read by someone else (a body parser). */
  readonly readableEnded?: boolean;
  /** Discards the rest of the body (used when the handler stops reading it). */
  resume?(): unknown;
}

/** Where a request was received, and its body when a body parser read it already. */
export interface FetchRequestInit {
  /** The absolute URL of the request, as the client sent it (`https://app.example.com/keyward/api/me`). */
  url: string;
  /**
   * The body, when the request stream was consumed by a body parser: what it parsed (an object is
   * sent on as JSON, a string or bytes as they are). Ignored while the stream is unread.
   */
  parsedBody?: unknown;
}

const NO_BODY = new Set(['GET', 'HEAD']);

function bytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? new TextEncoder().encode(chunk) : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** The request body as a stream read on demand: a handler that stops early (413) stops the reading. */
function bodyStream(source: NodeIncomingLike): ReadableStream<Uint8Array> {
  const chunks = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(bytes(value));
    },
    cancel() {
      // Not destroyed: that would close the socket before the answer (413) is written. Drained.
      source.resume?.();
    },
  });
}

/**
 * A web `Request` for a Node request: every header as sent (duplicates too, HTTP/2 pseudo-headers
 * left out), the body streamed (or the one a body parser already read).
 */
export function toFetchRequest(req: NodeIncomingLike, init: FetchRequestInit): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) if (!raw[i]!.startsWith(':')) headers.append(raw[i]!, raw[i + 1]!);
  const method = (req.method ?? 'GET').toUpperCase();
  let body: BodyInit | undefined;
  if (!NO_BODY.has(method)) {
    if (!req.readableEnded) body = bodyStream(req);
    else if (init.parsedBody !== undefined) {
      const parsed = init.parsedBody;
      body = typeof parsed === 'string' || parsed instanceof Uint8Array ? (parsed as BodyInit) : JSON.stringify(parsed);
      headers.delete('content-length');
    }
  }
  // `duplex: 'half'` is what a streamed request body needs (Fetch); TypeScript's DOM types lag.
  return new Request(init.url, { method, headers, ...(body !== undefined ? { body, duplex: 'half' } : {}) } as RequestInit);
}

/** Writes a web `Response` to a Node response: status, every header (each `Set-Cookie` apart), body. */
export async function writeFetchResponse(res: NodeResponseLike, response: Response): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.end(new Uint8Array(await response.arrayBuffer()));
}

/** True when `path` is `base` or under it (`/keyward`, `/keyward/api/me`; not `/keywardx`). */
export function isUnderBasePath(path: string, base: string | undefined): boolean {
  return base === undefined || path === base || path.startsWith(`${base}/`);
}

import type * as Http from 'node:http';
import type * as Net from 'node:net';

/** Node built-ins, taken without an `import` so that the core package stays free of them. */
function builtin<T>(id: string): T {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.(id);
  if (!mod) throw new Error(`describeAdapter runs on Node >= 20.16 (it needs ${id} through process.getBuiltinModule)`);
  return mod as T;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One request with `node:http`, which — unlike `fetch` — can send two `Authorization` headers and
 * raw non-ASCII bytes. `headers` values are strings (several for a repeated header); latin1
 * characters go out as single bytes. The path goes out as written (no normalisation).
 */
export function request(port: number, path: string, headers: Record<string, string | string[]>, method = 'GET'): Promise<HttpAnswer> {
  const http = builtin<typeof Http>('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent: false });
    for (const [name, value] of Object.entries(headers)) req.setHeader(name, value);
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Uint8Array[] = [];
      res.on('data', (c: Uint8Array) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
        let at = 0;
        for (const c of chunks) {
          bytes.set(c, at);
          at += c.length;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: new TextDecoder().decode(bytes) });
      });
    });
    req.end();
  });
}

/**
 * Sends bytes no HTTP client would (control characters, odd request lines, odd `Host` headers)
 * to 127.0.0.1:`port`; returns the status the server answered (0 when it closed the connection
 * without an answer) and the whole answer as latin1 text. `head` is the request line and headers,
 * each line ending in CRLF and the head in an empty line; include `Connection: close`, else the
 * answer is read until the server closes the connection (10 s at most).
 *
 * @example
 * ```ts
 * const { status } = await rawRequest(port, 'TRACE /notes HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
 * ```
 */
export function rawRequest(port: number, head: string): Promise<{ status: number; text: string }> {
  const net = builtin<typeof Net>('node:net');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A server that resets a connection it will not serve has still not answered.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve({ status: 0, text });
      else reject(error);
    });
    socket.on('close', () => {
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : 0, text });
    });
    // Written without half-closing the socket: Node's HTTP server drops a request whose client
    // ended its side before an asynchronous handler answered. The request says `Connection: close`,
    // so the server closes once it has answered; a server that never does is cut off after 10 s.
    socket.setTimeout(10_000, () => socket.destroy());
    socket.write(Uint8Array.from(head, (c) => c.charCodeAt(0) & 0xff));
  });
}

/** A latin1 string holding the UTF-8 bytes of `text`: sent as raw UTF-8 by node:http. */
export const utf8Bytes = (text: string): string => String.fromCharCode(...new TextEncoder().encode(text));

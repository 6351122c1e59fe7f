import type { RenderedError } from '../render/types.js';

/** The part of Node's `ServerResponse` the adapter glue writes to (Express's `res` is one). */
export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string | readonly string[]): unknown;
  end(body?: string | Uint8Array): unknown;
}

/** Writes a rendered refusal to a Node response exactly as rendered: status, headers, body. */
export function writeRendered(res: NodeResponseLike, rendered: RenderedError): void {
  res.statusCode = rendered.status;
  for (const name in rendered.headers) res.setHeader(name, rendered.headers[name]!);
  res.end(rendered.body);
}

/** Adds the success headers of a verification (`Deprecation`, `Sunset`, rate-limit headers) to a Node response. */
export function setHeaders(res: Pick<NodeResponseLike, 'setHeader'>, headers: Readonly<Record<string, string>>): void {
  for (const name in headers) res.setHeader(name, headers[name]!);
}

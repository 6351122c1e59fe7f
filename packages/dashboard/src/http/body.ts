import { DashboardProblem } from './problem.js';

/**
 * The JSON body of a request, at most `maxBytes` (counted as it arrives: a `Content-Length` may
 * lie or be absent), strictly UTF-8. `undefined` for an empty body.
 *
 * @throws {DashboardProblem} 413 when larger, 400 `invalid_json` when it does not parse.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (request.body === null) return undefined;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DashboardProblem(400, 'invalid_json', 'the body is not valid UTF-8');
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // The parser's message quotes the input: say where to look without repeating it.
    throw new DashboardProblem(400, 'invalid_json', 'the body is not valid JSON');
  }
}

function tooLarge(maxBytes: number): DashboardProblem {
  return new DashboardProblem(413, 'payload_too_large', `the body is larger than ${maxBytes} bytes`);
}

import { readBodyCapped } from '@keyward/core';
import { DashboardProblem } from './problem.js';

/**
 * The JSON body of a request, at most `maxBytes` (counted as it arrives: a `Content-Length` may
 * lie or be absent), strictly UTF-8. `undefined` for an empty body.
 *
 * @throws {DashboardProblem} 413 when larger, 400 `invalid_json` when it does not parse.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const bytes = await readBodyCapped(request, maxBytes);
  if (bytes === null) throw tooLarge(maxBytes);
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

/**
 * The bytes of a request's body, at most `maxBytes` — counted as they arrive, since a
 * `Content-Length` may lie or be absent — or `null` when it is larger (a declared length over the
 * cap is refused before anything is read; otherwise the reading stops at the cap). An absent body
 * is empty. For web handlers that answer 413 (the management API, the secret scanning endpoint).
 */
export async function readBodyCapped(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) return null;
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // Core's Node bridge drains the rest on cancel (the socket stays up for the 413).
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

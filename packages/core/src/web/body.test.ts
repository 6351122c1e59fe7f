import { describe, expect, it } from 'vitest';
import { readBodyCapped } from './body.js';

function streamed(parts: string[], onCancel: () => void): Request {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < parts.length) controller.enqueue(new TextEncoder().encode(parts[i++]!));
      else controller.close();
    },
    cancel: onCancel,
  });
  return new Request('http://x/', { method: 'POST', body, duplex: 'half' } as RequestInit);
}

describe('readBodyCapped', () => {
  it('reads a body up to the cap, byte for byte, and an absent body as empty', async () => {
    const text = 'ü'.repeat(10);
    expect(new TextDecoder().decode((await readBodyCapped(new Request('http://x/', { method: 'POST', body: text }), 20))!)).toBe(text);
    expect(await readBodyCapped(new Request('http://x/'), 20)).toEqual(new Uint8Array(0));
  });

  it('refuses a declared length over the cap without reading, and stops a stream at the cap', async () => {
    let pulled = false;
    const declared = new Request('http://x/', {
      method: 'POST',
      headers: { 'content-length': '100' },
      // No pull before a read (highWaterMark 0): `pulled` tells whether the body was read.
      body: new ReadableStream(
        {
          pull() {
            pulled = true;
          },
        },
        { highWaterMark: 0 },
      ),
      duplex: 'half',
    } as RequestInit);
    expect(await readBodyCapped(declared, 99)).toBeNull();
    expect(pulled).toBe(false);
    let cancelled = false;
    const request = streamed(['aaaa', 'bbbb', 'cccc', 'dddd'], () => {
      cancelled = true;
    });
    expect(request.headers.get('content-length')).toBeNull();
    expect(await readBodyCapped(request, 10)).toBeNull();
    expect(cancelled).toBe(true);
    expect(
      await readBodyCapped(
        streamed(['aaaa', 'bbbb'], () => undefined),
        8,
      ),
    ).toEqual(new TextEncoder().encode('aaaabbbb'));
  });
});

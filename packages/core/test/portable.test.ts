import { fileURLToPath } from 'node:url';
import { bundleForWeb, runWithoutNode, TINY_STORE_SOURCE } from '@keyward/test-services';
import { describe, expect, it } from 'vitest';

const entry = `
import { createKeyward, prefixedFormat, idSecretFormat, hmacSha256Hasher } from ${JSON.stringify(fileURLToPath(new URL('../src/index.ts', import.meta.url)))};
${TINY_STORE_SOURCE}
globalThis.run = async () => {
  const out = [];
  for (const [format, hash] of [[prefixedFormat({ prefix: 'edge' }), undefined], [idSecretFormat(), hmacSha256Hasher({ pepper: 'p'.repeat(32) })]]) {
    const kw = createKeyward({ store, format, ...(hash ? { hash } : {}) });
    const { key } = await kw.create({ workspaceId: 'ws', name: 'edge' });
    const ok = await kw.verify(new Headers({ authorization: 'Bearer ' + key }));
    const bad = await kw.verify(new Headers({ authorization: 'Bearer ' + key.slice(0, -2) + 'zz' }));
    out.push(ok.ok, bad.ok);
  }
  return out;
};
`;

describe('core is portable', () => {
  it('bundles for a neutral platform with no Node built-in, and runs in a context without Node globals', async () => {
    const { code, inputs, nodeBuiltins } = await bundleForWeb(entry, fileURLToPath(new URL('.', import.meta.url)));
    expect(inputs.some((i) => i.includes('@noble/hashes'))).toBe(true);
    expect(nodeBuiltins).toEqual([]);
    expect(code).not.toMatch(/\brequire\(/);
    // Only Web APIs: no process, require, Buffer or module globals.
    const context = runWithoutNode(code);
    expect(context.process).toBeUndefined();
    await expect((context.run as () => Promise<boolean[]>)()).resolves.toEqual([true, false, true, false]);
  });
});

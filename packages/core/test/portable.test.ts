import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = `
import { createKeyward, prefixedFormat, idSecretFormat, hmacSha256Hasher } from ${JSON.stringify(fileURLToPath(new URL('../src/index.ts', import.meta.url)))};
const rows = new Map(); const byHash = new Map();
const store = {
  async insert(k) { rows.set(k.id, k); byHash.set(k.hash, k); },
  findById: (id) => rows.get(id) ?? null,
  findByHash: (h) => byHash.get(h) ?? null,
  async list() { return { items: [...rows.values()], nextCursor: null }; },
  async update(id, p) { const k = { ...rows.get(id), ...p }; rows.set(id, k); byHash.set(k.hash, k); return k; },
  async delete(id) { const k = rows.get(id); rows.delete(id); return k ?? null; },
  async rotate() { throw new Error('unused'); },
};
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
    const result = await build({
      stdin: { contents: entry, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
      bundle: true,
      write: false,
      platform: 'neutral',
      format: 'iife',
      mainFields: ['module', 'main'],
      conditions: ['@keyward/source', 'import'],
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.includes('@noble/hashes'))).toBe(true);
    expect(inputs.filter((i) => i.startsWith('node:') || /^(crypto|buffer|util|fs)$/.test(i))).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/\brequire\(/);
    // Only Web APIs: no process, require, Buffer or module globals.
    const context: Record<string, unknown> = { crypto: globalThis.crypto, Headers, TextEncoder, TextDecoder, setTimeout, clearTimeout, URL };
    runInNewContext(code, context);
    expect(context.process).toBeUndefined();
    await expect((context.run as () => Promise<boolean[]>)()).resolves.toEqual([true, false, true, false]);
  });
});

import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';

/**
 * The portability check of a package that must run on Workers, Deno, Bun and the Next.js edge:
 * `entry` (TypeScript, importing sources by absolute path) bundled for a neutral platform, as an
 * IIFE, with the source condition. Returns the code and the modules it is made of.
 */
export async function bundleForWeb(entry: string, resolveDir: string): Promise<{ code: string; inputs: string[]; nodeBuiltins: string[] }> {
  const result = await build({
    stdin: { contents: entry, resolveDir, loader: 'ts' },
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
  return {
    code: result.outputFiles[0]!.text,
    inputs,
    nodeBuiltins: inputs.filter((i) => i.startsWith('node:') || /^(crypto|buffer|util|fs|stream|http|net|os|path)$/.test(i)),
  };
}

/**
 * JavaScript source of a minimal key store, for an `entry` of {@link bundleForWeb}: declares
 * `store` (a `KeyStore` on a `Map`, enough to create, look up, list, update and delete keys).
 */
export const TINY_STORE_SOURCE = `
const rows = new Map();
const store = {
  async insert(k) { rows.set(k.id, k); },
  findById: (id) => rows.get(id) ?? null,
  findByHash: (h) => [...rows.values()].find((k) => k.hash === h) ?? null,
  async list() { return { items: [...rows.values()], nextCursor: null }; },
  async update(id, p) { const k = { ...rows.get(id), ...p }; rows.set(id, k); return k; },
  async delete(id) { const k = rows.get(id); rows.delete(id); return k ?? null; },
  async rotate() { throw new Error('unused'); },
};
`;

/** The globals a web runtime has (and Node's are not among them). */
export function webGlobals(): Record<string, unknown> {
  return {
    crypto: globalThis.crypto,
    Headers,
    Request,
    Response,
    TextEncoder,
    TextDecoder,
    AbortController,
    AbortSignal,
    atob,
    btoa,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    URL,
    URLSearchParams,
  };
}

/** Runs bundled code in a context with only `globals` (default: {@link webGlobals}); returns the context. */
export function runWithoutNode(code: string, globals: Record<string, unknown> = webGlobals()): Record<string, unknown> {
  const context = { ...globals };
  runInNewContext(code, context);
  return context;
}

// The handler uses web APIs only: it bundles for a neutral platform and answers in a context that
// has Request, Response, Headers, URL, TextDecoder, crypto and timers, and nothing of Node.
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

const src = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));
const entry = `
import { createKeyward } from ${src('../../../core/src/index.ts')};
import { createDashboard } from ${src('../../src/index.ts')};
const rows = new Map();
const store = {
  async insert(k) { rows.set(k.id, k); },
  findById: (id) => rows.get(id) ?? null,
  findByHash: () => null,
  async list() { return { items: [...rows.values()], nextCursor: null }; },
  async update(id, p) { const k = { ...rows.get(id), ...p }; rows.set(id, k); return k; },
  async delete(id) { const k = rows.get(id); rows.delete(id); return k ?? null; },
  async rotate() { throw new Error('unused'); },
};
const dashboard = createDashboard(createKeyward({ store }), { authorize: () => ({ id: 'u', name: 'U', role: 'owner' }) });
globalThis.run = async () => {
  const created = await dashboard(new Request('https://edge.example/keyward/api/workspaces/ws/keys', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'edge' }),
  }));
  const listed = await dashboard(new Request('https://edge.example/keyward/api/workspaces/ws/keys'));
  return [created.status, created.headers.get('cache-control'), (await listed.json()).items.map((k) => k.name)];
};
`;

it('bundles with no Node built-in and answers in a context without Node globals', async () => {
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
  expect(inputs.some((i) => i.includes('dashboard/src/create-dashboard.ts'))).toBe(true);
  expect(inputs.filter((i) => i.startsWith('node:') || /^(crypto|buffer|util|fs|stream|http)$/.test(i))).toEqual([]);
  const code = result.outputFiles[0]!.text;
  expect(code).not.toMatch(/\brequire\(/);
  const context: Record<string, unknown> = {
    crypto,
    Headers,
    Request,
    Response,
    TextEncoder,
    TextDecoder,
    setTimeout,
    clearTimeout,
    URL,
    URLSearchParams,
  };
  runInNewContext(code, context);
  expect(context.process).toBeUndefined();
  await expect((context.run as () => Promise<unknown[]>)()).resolves.toEqual([201, 'no-store', ['edge']]);
});

// The endpoint uses web APIs only: it bundles for a neutral platform and handles a signed alert in
// a context that has fetch-era globals (Request, Response, Headers, URL, TextEncoder/Decoder, atob,
// AbortSignal, crypto, timers) and nothing of Node. GitHub's key list comes through a `fetch`
// handed to the handler; the signature is made outside, with node:crypto.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

const src = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));
const entry = `
import { createKeyward, prefixedFormat } from ${src('../../core/src/index.ts')};
import { secretScanningHandler } from ${src('../src/index.ts')};
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
const keyward = createKeyward({ store, format: prefixedFormat({ prefix: 'kw' }) });
globalThis.create = async () => (await keyward.create({ workspaceId: 'ws', name: 'edge' })).key;
globalThis.run = async ({ list, body, identifier, signature, key }) => {
  const fetch = async () => new Response(list, { headers: { 'content-type': 'application/json' } });
  const handler = secretScanningHandler(keyward, { fetch });
  const headers = { 'github-public-key-identifier': identifier, 'github-public-key-signature': signature };
  const ok = await handler(new Request('https://edge.example/github/secret-scanning', { method: 'POST', headers, body }));
  const tampered = await handler(new Request('https://edge.example/github/secret-scanning', { method: 'POST', headers, body: body + ' ' }));
  const verified = await keyward.verify({ authorization: 'Bearer ' + key });
  return [ok.status, (await ok.json())[0].label, tampered.status, verified.ok];
};
`;

it('bundles with no Node built-in and handles a signed alert in a context without Node globals', async () => {
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
  expect(inputs.some((i) => i.includes('secret-scanning/src/handler.ts'))).toBe(true);
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
    AbortSignal,
    atob,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    URL,
    URLSearchParams,
  };
  runInNewContext(code, context);
  expect(context.process).toBeUndefined();
  expect(context.Buffer).toBeUndefined();
  const key = await (context.create as () => Promise<string>)();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const identifier = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
  const list = JSON.stringify({
    public_keys: [{ key_identifier: identifier, key: publicKey.export({ type: 'spki', format: 'pem' }), is_current: true }],
  });
  const body = JSON.stringify([{ token: key, type: 'kw_api_key', url: 'https://github.com/o/r/blob/x/f', source: 'content' }]);
  const signature = sign('sha256', Buffer.from(body), privateKey).toString('base64');
  const run = context.run as (input: Record<string, string>) => Promise<unknown[]>;
  await expect(run({ list, body, identifier, signature, key })).resolves.toEqual([200, 'true_positive', 403, false]);
});

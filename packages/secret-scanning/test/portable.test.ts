// The endpoint uses web APIs only: it bundles for a neutral platform and handles a signed alert in
// a context that has fetch-era globals (Request, Response, Headers, URL, TextEncoder/Decoder, atob,
// AbortSignal, crypto, timers) and nothing of Node. GitHub's key list comes through a `fetch`
// handed to the handler; the signature is made outside, with node:crypto.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { bundleForWeb, runWithoutNode, TINY_STORE_SOURCE } from '@keyward/test-services';
import { expect, it } from 'vitest';

const src = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));
const entry = `
import { createKeyward, prefixedFormat } from ${src('../../core/src/index.ts')};
import { secretScanningHandler } from ${src('../src/index.ts')};
${TINY_STORE_SOURCE}
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
  const { code, inputs, nodeBuiltins } = await bundleForWeb(entry, fileURLToPath(new URL('.', import.meta.url)));
  expect(inputs.some((i) => i.includes('secret-scanning/src/handler.ts'))).toBe(true);
  expect(nodeBuiltins).toEqual([]);
  expect(code).not.toMatch(/\brequire\(/);
  const context = runWithoutNode(code);
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

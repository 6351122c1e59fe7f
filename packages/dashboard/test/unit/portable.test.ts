// The handler uses web APIs only: it bundles for a neutral platform and answers in a context that
// has Request, Response, Headers, URL, TextDecoder, crypto and timers, and nothing of Node.
import { fileURLToPath } from 'node:url';
import { bundleForWeb, runWithoutNode, TINY_STORE_SOURCE } from '@keyward/test-services';
import { expect, it } from 'vitest';

const src = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));
const entry = `
import { createKeyward } from ${src('../../../core/src/index.ts')};
import { createDashboard } from ${src('../../src/index.ts')};
${TINY_STORE_SOURCE}
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
  const { code, inputs, nodeBuiltins } = await bundleForWeb(entry, fileURLToPath(new URL('.', import.meta.url)));
  expect(inputs.some((i) => i.includes('dashboard/src/create-dashboard.ts'))).toBe(true);
  expect(nodeBuiltins).toEqual([]);
  expect(code).not.toMatch(/\brequire\(/);
  const context = runWithoutNode(code);
  expect(context.process).toBeUndefined();
  await expect((context.run as () => Promise<unknown[]>)()).resolves.toEqual([201, 'no-store', ['edge']]);
});

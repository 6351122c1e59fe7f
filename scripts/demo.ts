// A small API guarded by Keyward on plain node:http, with demo keys to paste into curl.
import { createServer } from 'node:http';
import { createKeyward, prefixedFormat } from '../packages/core/src/index.js';
import { memoryStore } from '../packages/store-memory/src/index.js';

const port = Number(process.env.PORT ?? 3000);
const keyward = createKeyward({ store: memoryStore(), format: prefixedFormat({ prefix: 'demo', randomLength: 26 }) });

const workspaceA = await keyward.create({ workspaceId: 'ws_a', name: 'workspace A', scopes: ['notes:*'] });
const readOnly = await keyward.create({ workspaceId: 'ws_a', name: 'read only', scopes: ['notes:read'] });
const workspaceB = await keyward.create({ workspaceId: 'ws_b', name: 'workspace B', scopes: ['notes:*'] });
const revoked = await keyward.create({ workspaceId: 'ws_a', name: 'revoked', scopes: ['notes:*'] });
await keyward.revoke(revoked.record.id);

const notes: Record<string, { id: number; text: string }[]> = {
  ws_a: [{ id: 1, text: 'Notes of workspace A' }],
  ws_b: [{ id: 1, text: 'Notes of workspace B' }],
};

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== '/v1/notes') {
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
    return;
  }
  const scopes = req.method === 'POST' ? ['notes:write'] : ['notes:read'];
  const result = await keyward.verify(req.headersDistinct, { scopes });
  if (!result.ok) {
    const rendered = keyward.render(result.error);
    res.writeHead(rendered.status, rendered.headers).end(rendered.body);
    return;
  }
  const list = notes[result.key.workspaceId ?? ''] ?? [];
  if (req.method === 'POST') list.push({ id: list.length + 1, text: `note ${list.length + 1}` });
  res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json', ...result.headers });
  res.end(JSON.stringify({ workspace: result.key.workspaceId, data: list }));
});

server.listen(port, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${port}`;
  console.log(`Keyward demo listening on ${base}\n`);
  console.log('Demo keys (made at start, kept in memory only):');
  const rows: [string, string][] = [
    ['workspace_a', workspaceA.key],
    ['read_only', readOnly.key],
    ['workspace_b', workspaceB.key],
    ['revoked', revoked.key],
  ];
  for (const [label, key] of rows) console.log(`  ${label.padEnd(12)} ${key}`);
  console.log('\nTry:');
  console.log(`  curl -i -H "Authorization: Bearer ${workspaceA.key}" ${base}/v1/notes`);
  console.log(`  curl -i -X POST -H "Authorization: Bearer ${readOnly.key}" ${base}/v1/notes   # 403 insufficient_scope`);
  console.log(`  curl -i -H "Authorization: Bearer ${revoked.key}" ${base}/v1/notes   # 401`);
  console.log(`  curl -i ${base}/v1/notes   # 401 missing credentials`);
});

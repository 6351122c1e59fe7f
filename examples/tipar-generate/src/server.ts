// Starts Tipar: the engine (memory store, or PostgreSQL / Redis from the environment), the demo
// keys, the key-management API with its demo sign-in, and Next.js (the production build in .next,
// see scripts/build.mjs) on node:http.
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Instrumentation, InvalidationBus, KeyStore, Keyward } from '@keyward/core';
import type { DemoSessions } from '@keyward/example-support/demo-session';
import next from 'next';
import { demoPeople, tiparDashboard } from '../lib/dashboard.js';
import { setEngine, setHandlers, tiparKeyward } from '../lib/engine.js';

export const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface Tipar {
  keyward: Keyward;
  keys: { workspace_a: string; workspace_b: string; revoked: string; quota_exhausted: string };
  /** The demo-only sign-in of the dashboard (its links, for the banner). */
  sessions: DemoSessions;
  origin: string;
  close(): Promise<void>;
}

/** Two workspaces, a key each, a revoked key, and a third workspace whose monthly quota is spent. */
async function seedDemo(keyward: Keyward, quota: number) {
  const actor = 'user_priya';
  const a = await keyward.create({ workspaceId: 'ws_acme', name: 'prod-billing-worker', actor });
  const b = await keyward.create({ workspaceId: 'ws_globex', name: 'staging', actor });
  const revoked = await keyward.create({ workspaceId: 'ws_acme', name: 'leaked in a CI log', actor });
  await keyward.revoke(revoked.record.id, { actor });
  // The quota is the workspace's: spending it in Globex would refuse Globex's other keys too.
  const spent = await keyward.create({ workspaceId: 'ws_initech', name: 'batch-exporter', actor });
  await keyward.verify({ authorization: `Bearer ${spent.key}` }, { cost: quota });
  return { workspace_a: a.key, workspace_b: b.key, revoked: revoked.key, quota_exhausted: spent.key };
}

export async function startTipar(options: {
  store: KeyStore;
  invalidation?: InvalidationBus;
  port?: number;
  quota?: number;
  now?: () => number;
  instrument?: Instrumentation;
}): Promise<Tipar> {
  const quota = options.quota ?? 100;
  const keyward = tiparKeyward({ store: options.store, invalidation: options.invalidation, quota, now: options.now, instrument: options.instrument });
  const keys = await seedDemo(keyward, quota);
  setEngine(keyward);
  const sessions = demoPeople();
  setHandlers({ dashboard: tiparDashboard(keyward, sessions), signIn: sessions.handler });
  const app = next({ dev: false, dir: APP_DIR, hostname: '127.0.0.1' });
  await app.prepare();
  const handle = app.getRequestHandler();
  // As packages/next/README.md says: `joinDuplicateHeaders`, so that two Authorization headers reach
  // Keyward (which refuses them) instead of Node keeping the first; and a 4xx for what Next.js
  // answers with a 500 (TRACE, the target `*`).
  const server: Server = createServer({ joinDuplicateHeaders: true }, (req, res) => {
    if (req.url === '*') return void res.writeHead(req.method === 'OPTIONS' ? 204 : 400, { 'content-length': 0 }).end();
    if (req.method === 'TRACE') return void res.writeHead(405, { 'content-length': 0 }).end();
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    keyward,
    keys,
    sessions,
    origin: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await app.close();
      await keyward.close();
    },
  };
}

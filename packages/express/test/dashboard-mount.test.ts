import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describeDashboardMount } from '@keyward/dashboard/testing';
import { memoryStore } from '@keyward/store-memory';
import express from 'express';
import express4 from 'express4';
import { fetchMiddleware } from '../src/index.js';

async function listen(app: express.Express) {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

describeDashboardMount({
  name: 'Express 5 (app.use, before any body parser)',
  createStore: () => memoryStore(),
  start: ({ dashboard }) => {
    const app = express();
    app.use(fetchMiddleware(dashboard));
    app.get('/outside', (_req, res) => {
      res.type('text/plain').send('outside');
    });
    return listen(app);
  },
});

describeDashboardMount({
  name: 'Express 5 (a router at /keyward, after express.json())',
  createStore: () => memoryStore(),
  start: ({ dashboard }) => {
    const app = express();
    // A body parser that reads JSON before the dashboard does: what it parsed is passed on.
    app.use(express.json({ limit: '1mb' }));
    const router = express.Router();
    router.use(fetchMiddleware(dashboard));
    app.use('/keyward', router);
    app.get('/outside', (_req, res) => {
      res.type('text/plain').send('outside');
    });
    return listen(app);
  },
});

describeDashboardMount({
  name: 'Express 4',
  createStore: () => memoryStore(),
  start: ({ dashboard }) => {
    const app = express4();
    app.use(fetchMiddleware(dashboard));
    app.get('/outside', (_req, res) => {
      res.type('text/plain').send('outside');
    });
    return listen(app as unknown as express.Express);
  },
});

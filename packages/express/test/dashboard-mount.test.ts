import { createServer } from 'node:http';
import { describeDashboardMount, listenOnLoopback } from '@keyward/dashboard/testing';
import { memoryStore } from '@keyward/store-memory';
import express from 'express';
import express4 from 'express4';
import { fetchMiddleware } from '../src/index.js';

const outside = (_req: express.Request, res: express.Response) => {
  res.type('text/plain').send('outside');
};

describeDashboardMount({
  name: 'Express 5 (app.use, before any body parser)',
  createStore: () => memoryStore(),
  start: ({ dashboard }) => {
    const app = express();
    app.use(fetchMiddleware(dashboard));
    app.get('/outside', outside);
    return listenOnLoopback(createServer(app));
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
    app.get('/outside', outside);
    return listenOnLoopback(createServer(app));
  },
});

describeDashboardMount({
  name: 'Express 4',
  createStore: () => memoryStore(),
  start: ({ dashboard }) => {
    const app = express4();
    app.use(fetchMiddleware(dashboard));
    app.get('/outside', outside as never);
    return listenOnLoopback(createServer(app));
  },
});

import { describeDashboardMount } from '@keyward/dashboard/testing';
import { memoryStore } from '@keyward/store-memory';
import Fastify, { type FastifyInstance } from 'fastify';
import { fastifyKeyward, fetchPlugin } from '../src/index.js';

async function listen(app: FastifyInstance) {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, close: () => app.close() };
}

describeDashboardMount({
  name: 'Fastify 5 (fetchPlugin next to JSON routes)',
  createStore: () => memoryStore(),
  start: async ({ dashboard }) => {
    const app = Fastify({ forceCloseConnections: true });
    await app.register(fetchPlugin, { handler: dashboard });
    app.get('/outside', async (_request, reply) => reply.type('text/plain').send('outside'));
    // The root scope still parses JSON for the app's own routes.
    app.post('/echo', async (request) => request.body);
    return listen(app);
  },
});

describeDashboardMount({
  name: 'Fastify 5 (inside a scope that fastifyKeyward protects)',
  createStore: () => memoryStore(),
  start: async ({ dashboard, keyward }) => {
    const app = Fastify({ forceCloseConnections: true });
    await app.register(async (scope) => {
      await scope.register(fastifyKeyward, { keyward });
      await scope.register(fetchPlugin, { handler: dashboard });
    });
    app.get('/outside', async (_request, reply) => reply.type('text/plain').send('outside'));
    return listen(app);
  },
});

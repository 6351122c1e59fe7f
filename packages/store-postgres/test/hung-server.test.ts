// A hung PostgreSQL (SIGSTOP, connections open) on a server of this file's own — never the shared
// one of the test run, which other files use at the same time.
import { describeHungStore } from '@keyward/core/testing';
import { postgresStore } from '@keyward/store-postgres';
import { startPostgres } from '@keyward/test-services';

describeHungStore({
  name: 'PostgreSQL',
  lateCounters: 'nothing',
  start: async () => {
    const server = await startPostgres();
    // The client settings packages/store-postgres/README.md shows.
    const store = postgresStore({
      connectionString: server.url,
      poolConfig: {
        max: 10,
        connectionTimeoutMillis: 2000,
        query_timeout: 5000,
        statement_timeout: 5000,
        idle_in_transaction_session_timeout: 10_000,
      },
    });
    await store.migrate();
    return {
      store,
      pause: () => server.pause(),
      resume: () => server.resume(),
      close: async () => {
        await store.close();
        await server.stop();
      },
    };
  },
});

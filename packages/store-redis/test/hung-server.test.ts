// A hung Redis (SIGSTOP, connections open) on a server of this file's own — never the shared one
// of the test run, which other files use at the same time.
import { describeHungStore } from '@keyward/core/testing';
import { redisStore } from '@keyward/store-redis';
import { startRedis } from '@keyward/test-services';
import { Redis } from 'ioredis';

describeHungStore({
  name: 'Redis',
  late: 'runs-whole',
  start: async () => {
    const server = await startRedis();
    // The client settings packages/store-redis/README.md shows.
    const redis = new Redis(server.url, { commandTimeout: 2000, connectTimeout: 2000, maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    const store = redisStore({ redis });
    return {
      store,
      pause: () => server.pause(),
      resume: () => server.resume(),
      close: async () => {
        await store.close();
        redis.disconnect();
        await server.stop();
      },
    };
  },
});

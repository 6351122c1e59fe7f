import type { TestProject } from 'vitest/node';
import { startServices } from '@keyward/test-services';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PostgreSQL connection string of the test server (`inject('databaseUrl')`). */
    databaseUrl: string;
    /** Redis URL of the test server (`inject('redisUrl')`). */
    redisUrl: string;
    /** Redis Cluster masters, `host:port,host:port,…` (`inject('redisClusterNodes')`). */
    redisClusterNodes: string;
  }
}

/**
 * Starts throwaway PostgreSQL, Redis and Redis Cluster servers (or uses DATABASE_URL, REDIS_URL
 * and REDIS_CLUSTER_NODES when set) for the whole test run, and stops them at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL, REDIS_CLUSTER_NODES: process.env.REDIS_CLUSTER_NODES };
  const services = await startServices();
  project.provide('databaseUrl', services.databaseUrl);
  project.provide('redisUrl', services.redisUrl);
  project.provide('redisClusterNodes', services.redisClusterNodes);
  // Child processes spawned by tests (CLI, example apps) inherit these.
  process.env.DATABASE_URL = services.databaseUrl;
  process.env.REDIS_URL = services.redisUrl;
  process.env.REDIS_CLUSTER_NODES = services.redisClusterNodes;
  return async () => {
    await services.stop();
    // A later setup in this process (watch mode restart) must not mistake our servers for given ones.
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

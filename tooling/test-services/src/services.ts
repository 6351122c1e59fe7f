/**
 * Throwaway PostgreSQL and Redis servers for tests and benchmarks, on loopback, in temp dirs.
 *
 * `startServices()` is what vitest's globalSetup and the benchmarks call: it uses `DATABASE_URL`,
 * `REDIS_URL` and `REDIS_CLUSTER_NODES` when they are set, and starts its own servers otherwise.
 * Every server started here is stopped on teardown, and also when the parent process exits or gets
 * SIGINT / SIGTERM, so no process is left behind.
 *
 * Commands run through `execFile` / `spawn` with argument arrays: nothing goes through a shell.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

// ───────────────────────────── process helpers ─────────────────────────────

interface RunOptions {
  /** Run as this user (via `runuser`) when we are root. */
  asUser?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

interface RunResult {
  stdout: string;
  stderr: string;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function command(file: string, args: readonly string[], asUser: string | undefined): [string, string[]] {
  return asUser !== undefined && isRoot ? ['runuser', ['-u', asUser, '--', file, ...args]] : [file, [...args]];
}

function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [cmd, argv] = command(file, args, options.asUser);
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      argv,
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const detail = `${String(stderr).trim()}\n${String(stdout).trim()}`.trim().split('\n').slice(-15).join('\n');
          reject(new Error(`${[cmd, ...argv].join(' ')} failed: ${error.message}${detail ? `\n${detail}` : ''}`));
        } else {
          resolve({ stdout: String(stdout), stderr: String(stderr) });
        }
      },
    );
  });
}

/** Synchronous variant, for the `exit` handler (where nothing asynchronous runs any more). */
function runSync(file: string, args: readonly string[], asUser?: string): void {
  const [cmd, argv] = command(file, args, asUser);
  try {
    execFileSync(cmd, argv, { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // Best effort at exit: the process may be gone already.
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function which(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  for (const dir of ['/usr/bin', '/usr/local/bin', '/usr/sbin']) if (existsSync(join(dir, name))) return join(dir, name);
  return null;
}

/** Directory of the newest PostgreSQL binaries (`/usr/lib/postgresql/<ver>/bin`), or `null`. */
function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], 'bin');
  }
  const initdb = which('initdb');
  return initdb === null ? null : join(initdb, '..');
}

/** A TCP port nobody listens on right now (there is a small race until the server binds it). */
function freePort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function isFree(port: number): Promise<boolean> {
  try {
    await freePort(port);
    return true;
  } catch {
    return false;
  }
}

/** A port whose cluster bus port (port + 10000) is free too. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) {
      taken.add(port);
      taken.add(port + 10_000);
      return port;
    }
  }
  throw new Error('found no free port pair for a Redis Cluster node');
}

// ───────────────────────────── cleanup on exit ─────────────────────────────

/** Synchronous stoppers of every running server, run at exit or on a signal. */
const exitCleanups = new Set<() => void>();
let handlersInstalled = false;

function onSignal(signal: NodeJS.Signals): void {
  runExitCleanups();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // Without another listener Node would no longer exit on this signal: re-raise it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function runExitCleanups(): void {
  for (const cleanup of [...exitCleanups]) {
    exitCleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Keep going: every other server must still be stopped.
    }
  }
}

function registerExitCleanup(cleanup: () => void): () => void {
  if (!handlersInstalled) {
    handlersInstalled = true;
    process.on('exit', runExitCleanups);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

// ───────────────────────────── packages ─────────────────────────────

/** One `apt-get install` per set of packages and process (parallel callers share it). */
const installs = new Map<string, Promise<void>>();

/**
 * Installs Debian packages with apt-get, as root: `apt-get update`, then `install -y
 * --no-install-recommends`. Waits for another process's dpkg lock instead of failing. Callers
 * check `canAptInstall()` first and say what to install by hand otherwise.
 */
export async function aptInstall(packages: readonly string[]): Promise<void> {
  const id = [...packages].sort().join(' ');
  let install = installs.get(id);
  if (install === undefined) {
    install = (async () => {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      // Another process (a parallel test run) may hold the dpkg lock: wait for it instead of failing.
      const lock = ['-o', 'DPkg::Lock::Timeout=300'];
      await run('apt-get', [...lock, 'update', '-qq'], { env, timeoutMs: 300_000 });
      await run('apt-get', [...lock, 'install', '-y', '-qq', '--no-install-recommends', ...packages], { env, timeoutMs: 600_000 });
    })();
    installs.set(id, install);
    install.catch(() => installs.delete(id));
  }
  await install;
}

/** Whether {@link aptInstall} can work here: root, with apt-get. */
export function canAptInstall(): boolean {
  return isRoot && which('apt-get') !== null;
}

/**
 * Makes sure the PostgreSQL and/or Redis server binaries exist: installs the Debian packages when
 * they are missing and we are root with apt-get (once per process), and throws otherwise.
 */
export async function ensureServerPackages(need: { postgres?: boolean; redis?: boolean } = {}): Promise<void> {
  const wantPostgres = need.postgres ?? true;
  const wantRedis = need.redis ?? true;
  const missing = () => [
    ...(wantPostgres && postgresBinDir() === null ? ['postgresql'] : []),
    ...(wantRedis && (which('redis-server') === null || which('redis-cli') === null) ? ['redis-server'] : []),
  ];
  if (missing().length === 0) return;
  if (!canAptInstall()) {
    throw new Error(
      `the test servers need ${missing().join(' and ')}: install them (Debian: apt-get install -y postgresql redis-server), ` +
        'or point the tests at running servers with DATABASE_URL / REDIS_URL / REDIS_CLUSTER_NODES',
    );
  }
  await aptInstall(['postgresql', 'redis-server']);
  if (missing().length > 0) throw new Error(`apt-get ran but ${missing().join(' and ')} is still missing`);
}

// ───────────────────────────── PostgreSQL ─────────────────────────────

/** What every throwaway server here can do. */
export interface ThrowawayServer {
  readonly url: string;
  readonly port: number;
  /** Stops the server, keeping its port (and data, where it keeps any), so that `startServer()` brings it back. */
  stopServer(): Promise<void>;
  /** Starts the server again on the same port. */
  startServer(): Promise<void>;
  /**
   * Freezes the server (SIGSTOP to its processes): connections stay open and nothing answers, like
   * a hung server. `resume()` (SIGCONT) in a `finally`.
   */
  pause(): void;
  /** Lets a paused server run again. */
  resume(): void;
  /** Stops the server for good and deletes its directory. */
  stop(): Promise<void>;
}

/** A throwaway PostgreSQL server (its data survives `stopServer()`). */
export interface PostgresServer extends ThrowawayServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  readonly url: string;
}

function ownedBy(dir: string, user: string): void {
  if (!isRoot) return;
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
}

/**
 * Starts PostgreSQL in a fresh temp dir: `initdb`, trust auth, a random loopback port, the unix
 * socket in the temp dir, `fsync=off`. As root, the server runs as the `postgres` user.
 * About 1.2 s.
 */
export async function startPostgres(): Promise<PostgresServer> {
  await ensureServerPackages({ postgres: true, redis: false });
  const bin = postgresBinDir()!;
  const user = isRoot ? 'postgres' : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'keyward-pg-'));
  ownedBy(dir, 'postgres');
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  const pgCtl = join(bin, 'pg_ctl');
  let running = false;
  let destroyed = false;

  const postmaster = () => {
    try {
      return Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
    } catch {
      return null;
    }
  };
  // A paused server takes no signal to stop: let it run first.
  const resume = () => signalTree(postmaster(), 'SIGCONT');
  const stopSync = () => {
    resume();
    if (running) runSync(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], user);
    running = false;
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = registerExitCleanup(stopSync);

  try {
    await run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'], {
      asUser: user,
    });
  } catch (error) {
    unregister();
    stopSync();
    throw error;
  }

  const startServer = async (_port: number) => {
    if (destroyed) throw new Error('this PostgreSQL server was stopped for good');
    await run(pgCtl, ['-D', data, '-l', log, '-w', '-t', '30', 'start'], { asUser: user });
    running = true;
  };

  let port = 0;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3 && !running; attempt++) {
    port = await freePort();
    // Settings go in the config file (not `pg_ctl -o`), so a restart keeps the same port.
    appendFileSync(
      join(data, 'postgresql.conf'),
      [
        '',
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        // fsync off is safe for a throwaway server; synchronous_commit stays on, since commits
        // must survive `stopServer()` (an immediate stop) for restart tests.
        'fsync = off',
        'full_page_writes = off',
        'max_connections = 200',
        '',
      ].join('\n'),
    );
    try {
      await startServer(port);
    } catch (error) {
      lastError = error; // most likely the port was taken in between: try another one
    }
  }
  if (!running) {
    unregister();
    stopSync();
    throw lastError instanceof Error ? lastError : new Error('PostgreSQL did not start');
  }

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stopServer() {
      if (!running) return;
      resume();
      await run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], { asUser: user });
      running = false;
    },
    startServer: () => (running ? Promise.resolve() : startServer(port)),
    pause: () => signalTree(postmaster(), 'SIGSTOP'),
    resume,
    async stop() {
      if (destroyed) return;
      destroyed = true;
      unregister();
      resume();
      if (running) {
        await run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], { asUser: user }).catch(() => undefined);
        running = false;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ───────────────────────────── Redis ─────────────────────────────

/** A throwaway Redis server (empty after `stopServer()`: no persistence). */
export interface RedisServer extends ThrowawayServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly host: string;
}

export interface StartRedisOptions {
  /** Port to listen on. @default a free port */
  port?: number;
  /** Extra `redis-server` arguments, e.g. `['--cluster-enabled', 'yes']`. */
  args?: readonly string[];
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `pid` and every process it started, found from /proc (Linux), parents first. */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent id is the 2nd field after the command name, which may hold spaces: split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we listed them.
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** Sends `signal` to `pid` and its descendants (ignoring those that ended). */
function signalTree(pid: number | null, signal: 'SIGSTOP' | 'SIGCONT'): void {
  if (pid === null) return;
  for (const p of processTree(pid)) {
    try {
      process.kill(p, signal);
    } catch {
      // Ended in between.
    }
  }
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`);
}

/**
 * Starts Redis on a random loopback port in a temp dir, without persistence
 * (`--save '' --appendonly no`). About 0.1 s.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  await ensureServerPackages({ postgres: false, redis: true });
  const dir = mkdtempSync(join(tmpdir(), 'keyward-redis-'));
  const pidfile = join(dir, 'redis.pid');
  let running = false;
  let destroyed = false;
  let port = options.port ?? 0;

  const kill = () => {
    const pid = readPid(pidfile);
    if (pid !== null && alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(pidfile, { force: true });
    running = false;
  };
  const unregister = registerExitCleanup(() => {
    kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const startServer = async () => {
    if (destroyed) throw new Error('this Redis server was stopped for good');
    await run('redis-server', [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'yes',
      '--dir',
      dir,
      '--pidfile',
      pidfile,
      '--logfile',
      join(dir, 'redis.log'),
      ...(options.args ?? []),
    ]);
    running = true;
    await waitFor(`redis on port ${port}`, 10_000, async () => {
      const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], { timeoutMs: 2000 });
      return stdout.trim() === 'PONG' ? true : undefined;
    });
  };

  const resume = () => signalTree(readPid(pidfile), 'SIGCONT');
  const stopServer = async () => {
    if (!running) return;
    resume();
    const pid = readPid(pidfile);
    await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'shutdown', 'nosave'], { timeoutMs: 5000 }).catch(() => undefined);
    if (pid !== null) await waitFor('redis to exit', 5000, async () => (alive(pid) ? undefined : true)).catch(kill);
    rmSync(pidfile, { force: true });
    running = false;
  };

  let lastError: unknown;
  for (let attempt = 0; attempt < 3 && !running; attempt++) {
    if (options.port === undefined) port = await freePort();
    try {
      await startServer();
    } catch (error) {
      lastError = error;
      kill();
      if (options.port !== undefined) break;
    }
  }
  if (!running) {
    unregister();
    rmSync(dir, { recursive: true, force: true });
    throw lastError instanceof Error ? lastError : new Error('Redis did not start');
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    stopServer,
    startServer: () => (running ? Promise.resolve() : startServer()),
    pause: () => signalTree(readPid(pidfile), 'SIGSTOP'),
    resume,
    async stop() {
      if (destroyed) return;
      destroyed = true;
      unregister();
      await stopServer();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A throwaway Redis Cluster. */
export interface RedisClusterServer {
  /** The masters, to hand to `new Redis.Cluster(nodes)`. */
  readonly nodes: { host: string; port: number }[];
  stop(): Promise<void>;
}

/**
 * Starts a Redis Cluster of `masters` nodes (no replicas) and waits until every node says
 * `cluster_state:ok`. About 1-2 s.
 */
export async function startRedisCluster(options: { masters?: number } = {}): Promise<RedisClusterServer> {
  const masters = options.masters ?? 3;
  if (!Number.isInteger(masters) || masters < 3) throw new RangeError('a Redis Cluster needs at least 3 masters');
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < masters; i++) ports.push(await freeClusterPort(taken));
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    const started = await Promise.allSettled(
      ports.map((port) =>
        startRedis({
          port,
          args: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000'],
        }),
      ),
    );
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
      timeoutMs: 30_000,
    });
    for (const port of ports) {
      await waitFor(`cluster_state:ok on port ${port}`, 20_000, async () => {
        const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'cluster', 'info'], { timeoutMs: 2000 });
        return /cluster_state:ok/.test(stdout) ? true : undefined;
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), stop };
}

// ───────────────────────────── all services ─────────────────────────────

export interface StartServicesOptions {
  /** @default true */
  postgres?: boolean;
  /** @default true */
  redis?: boolean;
  /** @default true */
  redisCluster?: boolean;
}

export interface Services {
  /** PostgreSQL connection string (empty when not asked for). */
  readonly databaseUrl: string;
  /** Redis URL (empty when not asked for). */
  readonly redisUrl: string;
  /** Redis Cluster masters, `host:port,host:port,…` (empty when not asked for). */
  readonly redisClusterNodes: string;
  /** Stops what was started here (servers named by environment variables are left alone). */
  stop(): Promise<void>;
}

/**
 * The servers tests and benchmarks need: `DATABASE_URL`, `REDIS_URL` and `REDIS_CLUSTER_NODES`
 * (comma-separated `host:port`) when set, throwaway servers started in parallel otherwise.
 */
export async function startServices(options: StartServicesOptions = {}): Promise<Services> {
  const wantPostgres = (options.postgres ?? true) && !process.env.DATABASE_URL;
  const wantRedis = (options.redis ?? true) && !process.env.REDIS_URL;
  const wantCluster = (options.redisCluster ?? true) && !process.env.REDIS_CLUSTER_NODES;
  await ensureServerPackages({ postgres: wantPostgres, redis: wantRedis || wantCluster });

  const started = await Promise.allSettled([
    wantPostgres ? startPostgres() : null,
    wantRedis ? startRedis() : null,
    wantCluster ? startRedisCluster() : null,
  ] as const);
  const [pg, redis, cluster] = started.map((s) => (s.status === 'fulfilled' ? s.value : null)) as [
    PostgresServer | null,
    RedisServer | null,
    RedisClusterServer | null,
  ];
  const stop = async () => {
    await Promise.allSettled([pg?.stop(), redis?.stop(), cluster?.stop()]);
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return {
    databaseUrl: (options.postgres ?? true) ? (pg?.url ?? process.env.DATABASE_URL ?? '') : '',
    redisUrl: (options.redis ?? true) ? (redis?.url ?? process.env.REDIS_URL ?? '') : '',
    redisClusterNodes:
      (options.redisCluster ?? true) ? (cluster?.nodes.map((n) => `${n.host}:${n.port}`).join(',') ?? process.env.REDIS_CLUSTER_NODES ?? '') : '',
    stop,
  };
}

/** Parses `REDIS_CLUSTER_NODES` (`host:port,host:port`) into the node list a cluster client takes. */
export function parseClusterNodes(value: string): { host: string; port: number }[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const sep = s.lastIndexOf(':');
      const port = Number(s.slice(sep + 1));
      if (sep < 1 || !Number.isInteger(port)) throw new RangeError(`REDIS_CLUSTER_NODES: ${JSON.stringify(s)} is not host:port`);
      return { host: s.slice(0, sep), port };
    });
}

// Allow `npx tsx tooling/test-services/src/services.ts`: start everything, print the URLs, stop on Ctrl-C.
if (process.argv[1] !== undefined && /test-services\/src\/services\.[cm]?[tj]s$/.test(process.argv[1])) {
  const services = await startServices();
  writeFileSync(
    1,
    `${JSON.stringify({ DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl, REDIS_CLUSTER_NODES: services.redisClusterNodes })}\n`,
  );
  writeFileSync(1, 'press Ctrl-C to stop\n');
  setInterval(() => undefined, 1 << 30);
}

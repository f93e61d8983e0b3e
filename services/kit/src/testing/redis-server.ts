/** A real redis-server on a free loopback port, for one test file. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { startProcess, waitForPort, type ManagedProcess } from './child-process.js';

export interface RedisServerOptions {
  /**
   * An append-only file fsync'd on every write, so a SIGKILL loses no acknowledged write and
   * "nothing half-written" can be checked after a restart. Default: no persistence.
   */
  durable?: boolean;
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly process: ManagedProcess;
  /** SIGKILL: no goodbye, no final save. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same data directory (after `kill`). */
  start(): Promise<void>;
  /** Stops and starts it again on the same port (for "Redis comes back" tests). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'faultline-redis-'));
  const persistence = opts.durable
    ? ['--appendonly', 'yes', '--appendfsync', 'always']
    : ['--appendonly', 'no'];
  const launch = async () => {
    const proc = startProcess('redis-server', [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--dir',
      dir,
      ...persistence,
    ]);
    await waitForPort(port, '127.0.0.1', 10_000, proc);
    return proc;
  };
  let proc = await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get process() {
      return proc;
    },
    async kill() {
      proc.child.kill('SIGKILL');
      await proc.exited;
    },
    async start() {
      proc = await launch();
    },
    async restart() {
      await proc.stop();
      proc = await launch();
    },
    async stop() {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

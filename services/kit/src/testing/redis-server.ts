/** A real redis-server on a free loopback port, with no persistence, for one test file. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { startProcess, waitForPort, type ManagedProcess } from './child-process.js';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly process: ManagedProcess;
  /** Starts it again on the same port after a kill (for "Redis comes back" tests). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'faultline-redis-'));
  const launch = async () => {
    const proc = startProcess('redis-server', [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
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

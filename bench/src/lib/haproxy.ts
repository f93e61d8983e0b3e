/** HAProxy as a peer in benchmarks: one config file, one foreground process, a free port. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  startProcess,
  waitForPort,
  type ManagedProcess,
} from '@faultline/kit/testing/child-process';
import { freePort } from '@faultline/kit/testing/free-port';

export const HAPROXY = '/usr/sbin/haproxy';

/**
 * Writes `haproxy.cfg` into `dir` from `config(port)` (the frontend binds 127.0.0.1:port),
 * starts HAProxy in the foreground and waits until the port accepts connections (stopping it
 * if it never does).
 */
export async function startHaproxy(
  dir: string,
  config: (port: number) => string,
): Promise<{ proc: ManagedProcess; port: number }> {
  const port = await freePort();
  const cfg = join(dir, 'haproxy.cfg');
  await writeFile(cfg, config(port));
  const proc = startProcess(HAPROXY, ['-f', cfg, '-db']);
  await waitForPort(port, '127.0.0.1', 10_000, proc).catch(async (e: unknown) => {
    await proc.stop();
    throw e;
  });
  return { proc, port };
}

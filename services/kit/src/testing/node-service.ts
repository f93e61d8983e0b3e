/**
 * Starts a kit-based service as a real Node process (with the telemetry preload, like
 * production) on a free port, and waits until `/readyz` answers 200.
 */
import { freePort } from './free-port.js';
import { startProcess, waitFor, type ManagedProcess } from './child-process.js';

export interface NodeService extends ManagedProcess {
  readonly port: number;
  readonly url: string;
}

export interface NodeServiceOptions {
  /** Compiled entry file. */
  entry: string;
  /** Env var prefix of the service (its PORT is set to a free port). */
  prefix: string;
  env?: Record<string, string>;
  /** Skip the telemetry preload. */
  noTelemetry?: boolean;
  readyTimeoutMs?: number;
  /** Use this port instead of a free one (e.g. restart on the same port). */
  port?: number;
}

export async function startNodeService(opts: NodeServiceOptions): Promise<NodeService> {
  const port = opts.port ?? (await freePort());
  const args = [
    ...(opts.noTelemetry ? [] : ['--import', '@faultline/kit/telemetry-preload']),
    opts.entry,
  ];
  const proc = startProcess(process.execPath, args, {
    env: { ...process.env, [`${opts.prefix}_PORT`]: String(port), ...opts.env },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`exited with ${proc.child.exitCode}`);
        return (await fetch(`${url}/readyz`)).status === 200;
      },
      `${opts.entry} ready on ${port}`,
      opts.readyTimeoutMs ?? 15_000,
      25,
    );
  } catch (e) {
    await proc.stop();
    throw new Error(`${String(e)}\n--- output ---\n${proc.output()}`);
  }
  return { ...proc, exited: proc.exited, port, url };
}

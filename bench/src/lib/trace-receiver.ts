/**
 * Where a benchmark's spans go: the local Jaeger v2 (the playground's own trace store, same
 * configuration) when its binary is there, else the kit's OTLP receiver in this process, which
 * only counts bytes. Either way a real OTLP/HTTP endpoint: the exporters serialise, batch and
 * post exactly as they would in the playground.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findJaeger } from '@faultline/chaos/local/jaeger-binary';
import { jaegerConfigYaml, jaegerEndpoints } from '@faultline/chaos/local/jaeger-pod';
import { PlaygroundConfigSchema } from '@faultline/chaos/local/playground-config';
import { findFreePortBlock } from '@faultline/chaos/local/port-block';
import { startProcess, waitFor } from '@faultline/kit/testing/child-process';
import { startOtlpReceiver } from '@faultline/kit/testing/otlp-receiver';

export interface TraceReceiver {
  /** OTLP/HTTP base URL (exporters append /v1/traces). */
  readonly endpoint: string;
  /** Jaeger's pid (a process of its own, for CPU accounting); undefined for the in-process receiver. */
  readonly pid?: number;
  /** What it is, for the benchmark's notes. */
  readonly description: string;
  /** What arrived, in words: export requests and bytes, or the services Jaeger has traces of. */
  received(): Promise<string>;
  stop(): Promise<void>;
}

export async function startTraceReceiver(): Promise<TraceReceiver> {
  const jaeger = findJaeger();
  if (!jaeger.found) {
    const receiver = await startOtlpReceiver({ discard: true });
    return {
      endpoint: receiver.endpoint,
      description: `the kit's OTLP/HTTP receiver in the bench process (counts bytes, parses nothing), because ${jaeger.reason}`,
      received: () =>
        Promise.resolve(
          `${receiver.counts.requests} export requests, ${(receiver.counts.bytes / 2 ** 20).toFixed(1)} MiB`,
        ),
      stop: () => receiver.stop(),
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'faultline-bench-jaeger-'));
  const config = PlaygroundConfigSchema.parse({ ports: await findFreePortBlock() });
  const file = join(dir, 'jaeger.yaml');
  await writeFile(file, jaegerConfigYaml(config));
  const proc = startProcess(jaeger.binary, [`--config=${file}`], {
    env: { ...process.env, GOMEMLIMIT: '192MiB' },
  });
  const urls = jaegerEndpoints(config);
  const stop = async () => {
    await proc.stop();
    await rm(dir, { recursive: true, force: true });
  };
  await waitFor(async () => (await fetch(urls.health)).ok, 'jaeger healthy', 30_000, 100).catch(
    async (e: unknown) => {
      await stop();
      throw new Error(`${String(e)}\n${proc.output()}`);
    },
  );
  return {
    endpoint: urls.otlpHttp,
    pid: proc.pid,
    description: `Jaeger v2 (${jaeger.binary}), the local playground's configuration (memory store, batch 200 ms)`,
    async received() {
      const body = (await (await fetch(`${urls.query}/api/services`)).json()) as {
        data?: string[];
      };
      return `Jaeger has traces of: ${(body.data ?? []).sort().join(', ') || 'no service'}`;
    },
    stop,
  };
}

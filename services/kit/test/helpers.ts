/** Paths and setup shared by the kit's integration tests. */
import { fileURLToPath } from 'node:url';
import { startNodeService, type NodeService } from '@faultline/kit/testing/node-service';
import { startOtlpReceiver, type OtlpReceiver } from '@faultline/kit/testing/otlp-receiver';

/** The compiled hello service fixture. */
export const HELLO_ENTRY = fileURLToPath(new URL('./fixtures/hello-service.js', import.meta.url));

/** Two hello services, A calling B, both exporting every span to one OTLP receiver. */
export interface TracedChain {
  receiver: OtlpReceiver;
  a: NodeService;
  b: NodeService;
  stop(): Promise<void>;
}

/** Starts the receiver, then B, then A (with B as its upstream); names are also service names. */
export async function startTracedChain(names: { a: string; b: string }): Promise<TracedChain> {
  const receiver = await startOtlpReceiver();
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_TRACES_SAMPLER_ARG: '1' };
  const start = (name: string, env: Record<string, string> = {}) =>
    startNodeService({
      entry: HELLO_ENTRY,
      prefix: 'HELLO',
      env: { ...otel, HELLO_NAME: name, OTEL_SERVICE_NAME: name, ...env },
    });
  const b = await start(names.b).catch(async (e: unknown) => {
    await receiver.stop();
    throw e;
  });
  const a = await start(names.a, { HELLO_UPSTREAM: b.url }).catch(async (e: unknown) => {
    await b.stop();
    await receiver.stop();
    throw e;
  });
  return {
    receiver,
    a,
    b,
    stop: async () => {
      await a.stop();
      await b.stop();
      await receiver.stop();
    },
  };
}

// End to end: an agent's inbound http link in front of a real kit service process. While an
// http-fault of experiment `exp-42` (0 %: nothing is aborted, every request is affected only by
// being under the experiment) is active, the service's exported server spans carry
// `faultline.experiment = exp-42`; once the fault is removed, new spans do not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startNodeService, type NodeService } from '@faultline/kit/testing/node-service';
import {
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '@faultline/kit/testing/otlp-receiver';
import { waitFor } from '@faultline/kit/testing/child-process';
import type { Agent } from '../src/agent/agent.js';
import { admin, applyFault, httpGet, linkPort, startAgent } from './agent-helpers.js';

/** The kit's compiled example service (chaos/dist/test → services/kit/dist/test/fixtures). */
const HELLO_ENTRY = fileURLToPath(
  new URL('../../../services/kit/dist/test/fixtures/hello-service.js', import.meta.url),
);
const SERVER = 2;

let receiver: OtlpReceiver;
let app: NodeService;
let agent: Agent;

before(async () => {
  receiver = await startOtlpReceiver();
  app = await startNodeService({
    entry: HELLO_ENTRY,
    prefix: 'HELLO',
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_TRACES_SAMPLER_ARG: '1',
      OTEL_SERVICE_NAME: 'booking',
      HELLO_NAME: 'booking',
    },
  });
  agent = await startAgent([
    { name: 'inbound', target: `127.0.0.1:${app.port}`, protocol: 'http', kind: 'inbound' },
  ]);
});

after(async () => {
  await agent?.stop();
  await app?.stop();
  await receiver?.stop();
});

/** Sends `GET /items/<id>` through the inbound link for each id; returns their server spans. */
async function throughLink(ids: string[]): Promise<ReceivedSpan[]> {
  for (const id of ids) {
    const r = await httpGet(linkPort(agent, 'inbound'), `/items/${id}`);
    assert.equal(r.status, 200, `GET /items/${id}`);
  }
  return Promise.all(
    ids.map((id) =>
      waitFor(
        () =>
          receiver.spans.find(
            (s) =>
              s.service === 'booking' &&
              s.kind === SERVER &&
              s.attributes['url.path'] === `/items/${id}`,
          ),
        `server span of /items/${id}`,
      ),
    ),
  );
}

test('server spans carry the experiment id while its fault is active, and only then', async () => {
  const before = await throughLink(['before-1']);
  assert.equal(before[0]!.attributes['faultline.experiment'], undefined, 'no fault yet');

  const id = await applyFault(agent, {
    type: 'http-fault',
    link: 'inbound',
    ttlMs: 30_000,
    experiment: 'exp-42',
    params: { percent: 0, abortStatus: 503 },
  });
  let removed = false;
  try {
    const during = await throughLink(['during-1', 'during-2', 'during-3']);
    for (const s of during) {
      assert.equal(
        s.attributes['faultline.experiment'],
        'exp-42',
        String(s.attributes['url.path']),
      );
      assert.equal(s.attributes['http.route'], '/items/:id');
    }
    assert.equal((await admin(agent, 'DELETE', `/faults/${id}`)).status, 200);
    removed = true;
  } finally {
    if (!removed) await admin(agent, 'DELETE', `/faults/${id}`);
  }

  const afterwards = await throughLink(['after-1', 'after-2']);
  for (const s of afterwards) assert.equal(s.attributes['faultline.experiment'], undefined);
});

// A request carrying the baggage entry `faultline.experiment` (set by the faultline agent on a
// link under an experiment) gets a server span with that attribute, and the baggage flows on
// with the service's outgoing call: A → B, both server spans carry it. Without the entry (or
// with a malformed id) the attribute is absent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { NodeService } from '@faultline/kit/testing/node-service';
import type { OtlpReceiver } from '@faultline/kit/testing/otlp-receiver';
import { waitFor } from '@faultline/kit/testing/child-process';
import { startTracedChain, type TracedChain } from './helpers.js';

const SERVER = 2;

let services: TracedChain;
let receiver: OtlpReceiver;
let a: NodeService;

before(async () => {
  services = await startTracedChain({ a: 'bag-a', b: 'bag-b' });
  ({ receiver, a } = services);
});

after(() => services?.stop());

/** Calls A's /chain in a trace of our own and returns A's and B's server spans' attributes. */
async function chain(headers: Record<string, string>) {
  const traceId = randomBytes(16).toString('hex');
  const res = await fetch(`${a.url}/chain`, {
    headers: { ...headers, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
  });
  assert.equal(res.status, 200);
  const server = (service: string) =>
    waitFor(
      () =>
        receiver.spans.find(
          (s) => s.service === service && s.kind === SERVER && s.traceId === traceId,
        ),
      `${service} server span`,
    );
  return { a: (await server('bag-a')).attributes, b: (await server('bag-b')).attributes };
}

test('baggage faultline.experiment becomes a span attribute, here and downstream', async () => {
  const spans = await chain({ baggage: 'userId=alice,faultline.experiment=exp-1' });
  assert.equal(spans.a['faultline.experiment'], 'exp-1');
  assert.equal(spans.b['faultline.experiment'], 'exp-1', 'propagated with the outgoing call');
});

test('no entry, or a malformed id: no attribute', async () => {
  const none = await chain({ baggage: 'userId=alice' });
  assert.equal(none.a['faultline.experiment'], undefined);
  assert.equal(none.b['faultline.experiment'], undefined);
  const bad = await chain({ baggage: 'faultline.experiment=%3Cscript%3E' });
  assert.equal(bad.a['faultline.experiment'], undefined);
});

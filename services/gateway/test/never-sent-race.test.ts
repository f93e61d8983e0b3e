// The kill race of issue 16, with real processes: 2,000 booking-like POSTs without an
// Idempotency-Key go through the gateway while one of three backends is SIGKILLed. Requests
// that never reached a backend (refused connections after the kill; now and then a pooled
// connection found closed before anything was written to it) are retried elsewhere, so no
// client sees a 5xx for them; the ones the victim may have read (in flight, or written onto a
// connection it had just closed) still fail, as they must, and are bounded by the client's
// connections. Every backend's receipts (a file, which outlives the SIGKILL) prove that no
// POST ran twice. The control turns the retry off: the same race answers refused ones 502.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { waitFor } from '@faultline/kit/testing/child-process';
import { startGateway, stopAll, type TestGateway } from './helpers.js';
import {
  errorOf,
  executions,
  postBooking,
  receiptDir,
  startReceiptBackend,
  type ReceiptBackend,
} from './receipt-backends.js';

const started: (ReceiptBackend | TestGateway)[] = [];
const dir = receiptDir();
after(async () => {
  await stopAll(started);
  dir.remove();
});

const REQUESTS = 2000;
const CONNECTIONS = 8;
/** Kill once this many POSTs were answered: the rest race the kill and its detection. */
const KILL_AFTER = 400;
/** Answers that say the request never reached a backend. */
const NEVER_SENT_ERRORS = new Set(['upstream_connect_error', 'upstream_reset_before_request']);

interface RaceResult {
  /** Request id → the answer's status and error code. */
  answers: Map<string, { status: number; error: string | undefined }>;
  executed: Map<string, number>;
  victimConnectErrors: number;
  retriesByReason: Record<string, number>;
}

async function killRace(run: string, retryNeverSent: boolean): Promise<RaceResult> {
  const backends = await Promise.all(
    ['a', 'b', 'c'].map((n) => startReceiptBackend(`${run}-${n}`, dir.path)),
  );
  started.push(...backends);
  const gw = await startGateway({
    GATEWAY_UPSTREAMS: JSON.stringify([
      {
        name: 'booking',
        prefix: '/',
        discovery: { kind: 'static', backends: backends.map((b) => b.address) },
      },
    ]),
    GATEWAY_RETRY_NEVER_SENT: retryNeverSent ? 'on' : 'off',
    // Passive detection only, and it needs more failures in a row (10, the breaker's default)
    // than the client has connections: after the kill the victim has at most CONNECTIONS
    // connections to fail on, so at least two later attempts open new ones and are refused.
    GATEWAY_HEALTH_INTERVAL_MS: '0',
    GATEWAY_OUTLIER_CONSECUTIVE_FAILURES: '10',
  });
  started.push(gw);

  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const answers: RaceResult['answers'] = new Map();
  let next = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      const id = `${run}-${next++}`;
      const r = await postBooking(gw.url, id, { agent }).catch((e: Error) => ({
        status: -1,
        json: { error: e.message },
        text: '',
        headers: {},
      }));
      answers.set(id, { status: r.status, error: errorOf(r) });
    }
  };
  const load = Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const victim = backends[1]!;
  try {
    await waitFor(() => answers.size >= KILL_AFTER, 'the load to run', 30_000);
    await victim.kill();
  } finally {
    await load;
    agent.destroy();
  }
  const view = await gw.admin('/admin/backends');
  const upstream = (
    view.json as {
      upstreams: {
        retries: { byReason: Record<string, number> };
        backends: { id: string; requests: Record<string, number> }[];
      }[];
    }
  ).upstreams[0]!;
  return {
    answers,
    executed: executions(backends),
    victimConnectErrors:
      upstream.backends.find((b) => b.id === victim.address)!.requests.connect_error ?? 0,
    retriesByReason: upstream.retries.byReason,
  };
}

/** Counts answers by `status error`, for the log and the messages. */
function tally(result: RaceResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { status, error } of result.answers.values()) {
    const k = error === undefined ? String(status) : `${status} ${error}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** One line for the log: answers, and how many failed requests a backend had executed. */
function describe(result: RaceResult): string {
  const failed = [...result.answers].filter(([, a]) => a.status !== 201);
  const executed = failed.filter(([id]) => result.executed.has(id)).length;
  return (
    `answers ${JSON.stringify(tally(result))}; failed ${failed.length}, of which executed ` +
    `${executed}; victim refused ${result.victimConnectErrors}; retries ` +
    JSON.stringify(result.retriesByReason)
  );
}

/** No request ran twice, and each 201 ran exactly once. */
function assertExecutedAtMostOnce(result: RaceResult): void {
  const twice = [...result.executed].filter(([, n]) => n > 1);
  assert.deepEqual(twice, [], 'no POST was executed twice');
  for (const [id, a] of result.answers) {
    if (a.status === 201) assert.equal(result.executed.get(id), 1, `${id} answered 201`);
  }
}

test('a backend SIGKILLed under 2,000 POSTs: no 5xx for what never reached it, nothing executed twice', async () => {
  const result = await killRace('race', true);
  const statuses = tally(result);
  console.log(describe(result));
  assert.equal(result.answers.size, REQUESTS);
  assertExecutedAtMostOnce(result);
  const neverSent = [...result.answers.values()].filter(
    (a) => a.error !== undefined && NEVER_SENT_ERRORS.has(a.error),
  );
  assert.equal(neverSent.length, 0, `5xx for requests never sent: ${JSON.stringify(statuses)}`);
  // The race really produced refused connections, and every one of them was retried.
  assert.ok(result.victimConnectErrors >= 2, `refused attempts: ${result.victimConnectErrors}`);
  assert.equal(result.retriesByReason['connect-failure'], result.victimConnectErrors);
  // What is left may have reached the victim: one per connection it had at most.
  const failed = [...result.answers.values()].filter((a) => a.status !== 201);
  assert.ok(
    failed.every((a) => a.status === 502 && a.error === 'upstream_reset'),
    JSON.stringify(statuses),
  );
  assert.ok(failed.length <= CONNECTIONS, `failed after being sent: ${failed.length}`);
});

test('control: with GATEWAY_RETRY_NEVER_SENT=off the same race answers refused POSTs 502', async () => {
  const result = await killRace('control', false);
  const statuses = tally(result);
  console.log(describe(result));
  assertExecutedAtMostOnce(result);
  assert.ok(result.victimConnectErrors >= 2, `refused attempts: ${result.victimConnectErrors}`);
  assert.equal(result.retriesByReason['connect-failure'], 0);
  assert.equal(
    statuses['502 upstream_connect_error'],
    result.victimConnectErrors,
    'each refused POST is a client-visible 502',
  );
});

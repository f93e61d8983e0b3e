// Every HTTP API of a real local playground fuzzed by schemathesis against its own
// /openapi.json: all checks, stateful phase on, a fixed seed, a bounded number of cases. The
// admin APIs run twice: with their token (zero failures) and without it (only 401s, never
// data). Then booking's ledger must still be sound: garbage in must not corrupt it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { judgeLedger } from '../src/gameday/checkers/booking-ledger.js';
import { readLedger } from '../src/gameday/checkers/booking-ledger-data.js';
import { preparePlayground, type Playground } from './local-harness.js';
import {
  describeFailures,
  runSchemathesis,
  schemathesisBinary,
  type FuzzResult,
} from './schemathesis-run.js';
import { securedOperations, unauthenticatedAnswers } from './openapi-security.js';

let pg: Playground;
let st: string;

before(async () => {
  st = schemathesisBinary();
  pg = await preparePlayground();
  const up = pg.cli('up', '--local', '--detach');
  assert.equal(up.status, 0, `up failed:\n${up.stdout}\n${up.stderr}`);
});

after(() => {
  pg?.cli('down');
});

interface Api {
  api: string;
  /** The API's base URL and its bearer token, read from the running playground's state. */
  locate(s: ReturnType<Playground['state']>): { url: string; token?: string };
  /** Requests go here instead of `url` (the document is still read from `url`). */
  via?(s: ReturnType<Playground['state']>): string;
  /** Routes of the API's own the document must describe (not just the kit's probes). */
  describes: string[];
  /** Whether the API has a token, so it is also run without it. */
  tokenRequired?: true;
  /** Read-only: no call makes what another one uses, so there are no links to chain. */
  stateless?: true;
  maxExamples: number;
}

const pod = (s: ReturnType<Playground['state']>, name: string) => {
  const p = s.pods.find((x) => x.name === name);
  assert.ok(p, `no pod ${name} in the playground`);
  return p;
};
const agentOf = (s: ReturnType<Playground['state']>, name: string) => {
  const agent = pod(s, name).agent;
  assert.ok(agent, `${name} has no agent`);
  return { url: agent.adminUrl, token: readFileSync(agent.tokenFile, 'utf8').trim() };
};

// Bounded so the whole file stays short on a busy machine; booking gets the most cases.
const APIS: Api[] = [
  {
    api: 'booking',
    locate: (s) => ({ url: pod(s, 'booking-0').url! }),
    describes: ['/bookings', '/seats/{seatId}'],
    maxExamples: 10,
  },
  {
    api: 'booking through the gateway',
    locate: (s) => ({ url: pod(s, 'booking-0').url! }),
    via: (s) => s.urls.gateway,
    describes: ['/bookings', '/seats/{seatId}'],
    maxExamples: 5,
  },
  {
    api: 'scheduler',
    locate: (s) => ({ url: pod(s, 'scheduler-0').url! }),
    describes: ['/leader'],
    stateless: true,
    maxExamples: 10,
  },
  {
    api: 'gateway admin',
    locate: (s) => ({ url: s.urls.gatewayAdmin, token: s.gatewayAdminToken }),
    describes: ['/admin/backends', '/admin/upstreams/{name}/picker'],
    tokenRequired: true,
    maxExamples: 5,
  },
  // scheduler-2's agent: the faults the fuzzer applies through it (pauses, partitions) must
  // not reach the replicas the other runs fuzz at the same time (booking-*, scheduler-0).
  {
    api: 'agent admin',
    locate: (s) => agentOf(s, 'scheduler-2'),
    describes: ['/links', '/faults', '/faults/{id}'],
    tokenRequired: true,
    maxExamples: 5,
  },
];

/** The document, or a failure saying plainly that the API does not publish (all of) one. */
async function documentOf(a: Api, url: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/openapi.json`);
  assert.equal(res.status, 200, `${a.api} serves no OpenAPI document at ${url}/openapi.json`);
  const doc = (await res.json()) as { paths?: Record<string, unknown> };
  const missing = a.describes.filter((p) => !doc.paths?.[p]);
  assert.deepEqual(missing, [], `${a.api}'s document does not describe its own routes`);
  return doc;
}

function assertClean(r: FuzzResult) {
  const tail = r.output.slice(-20_000);
  assert.deepEqual(describeFailures(r), [], tail);
  assert.deepEqual(r.errors, [], tail);
  assert.equal(r.exitCode, 0, tail);
  assert.ok(r.testCases > 0, `${r.api}: schemathesis generated no case`);
}

// A run's length follows the machine's load (the agent's ~760 cases took 100 s at load 20):
// the runner's 120 s default is no bound for it; `st run` itself is killed after 600 s.
const RUN = { timeout: 600_000 };

// Two runs at a time: most of a run is waiting for answers, and two halve the file's time.
describe('schemathesis against every API', { concurrency: 2 }, () => {
  for (const a of APIS) {
    test(`${a.api}: schemathesis, all checks, finds nothing`, RUN, async (t) => {
      const s = pg.state();
      const { url, token } = a.locate(s);
      await documentOf(a, url);
      const r = await runSchemathesis(st, {
        api: a.api,
        schemaUrl: `${url}/openapi.json`,
        baseUrl: a.via?.(s),
        headers: token ? { Authorization: `Bearer ${token}` } : undefined,
        maxExamples: a.maxExamples,
      });
      t.diagnostic(
        `${a.api}: ${r.testCases} cases, ${r.entries.length} requests; phases ${Object.entries(
          r.phases,
        )
          .map(([k, v]) => `${k}=${v.status}`)
          .join(' ')}`,
      );
      assertClean(r);
      if (!a.stateless)
        assert.equal(r.phases.stateful?.status, 'success', `${a.api}: the stateful phase ran`);
    });

    if (!a.tokenRequired) continue;
    test(`${a.api} without its token: only 401s, never data`, RUN, async (t) => {
      const { url } = a.locate(pg.state());
      const doc = await documentOf(a, url);
      const secured = securedOperations(doc);
      assert.ok(secured.length > 0, `${a.api}'s document marks no operation as needing the token`);
      const r = await runSchemathesis(st, {
        api: `${a.api}, no token`,
        schemaUrl: `${url}/openapi.json`,
        maxExamples: 3,
      });
      const answers = unauthenticatedAnswers(secured, r.entries);
      t.diagnostic(`${a.api}, no token: ${answers.length} requests to secured operations`);
      assert.ok(answers.length > 0, `${a.api}: no request reached a secured operation`);
      const leaks = answers
        .filter((e) => e.status !== 401)
        .map(
          (e) => `${e.method} ${new URL(e.url).pathname} -> ${e.status} ${e.body.slice(0, 200)}`,
        );
      assert.deepEqual([...new Set(leaks)], [], `${a.api} answered without the token`);
      assertClean(r);
    });
  }
});

test('after the fuzzing, booking’s ledger is sound: no seat twice, every token newer', async () => {
  const ledger = await readLedger(`redis://127.0.0.1:${pg.ports.redis}`);
  const verdict = judgeLedger(ledger);
  assert.equal(verdict.status, 'pass', verdict.summary);
  assert.ok(ledger.writes.length > 0, 'the fuzzing booked seats (the check saw writes)');
});

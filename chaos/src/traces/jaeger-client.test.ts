// The client's input checks and its errors when Jaeger is not there; talking to a real Jaeger
// is tested in chaos/test/traces-playground.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { JaegerClient, durationMs, isJaegerQueryError } from './jaeger-client.js';

test('durations: numbers are milliseconds; strings take us, ms, s, m, h', () => {
  const cases: [number | string, number][] = [
    [250, 250],
    ['250ms', 250],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['500us', 0.5],
  ];
  for (const [input, ms] of cases) assert.equal(durationMs(input, 'since'), ms, String(input));
  assert.throws(() => durationMs('5x', '--since'), /--since: expected a duration .*got "5x"/);
});

test('a trace id must be hex; a bad one fails before any request', async () => {
  const client = new JaegerClient('http://127.0.0.1:1');
  await assert.rejects(client.getTrace('not-a-trace'), /trace id: expected up to 32 hex digits/);
});

test('an unreachable query API is a JaegerQueryError naming the URL', async () => {
  // A port that was free a moment ago: nothing listens there.
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const client = new JaegerClient(`http://127.0.0.1:${port}/`);
  await assert.rejects(client.services(), (e: unknown) => {
    assert.ok(isJaegerQueryError(e));
    assert.match(
      e.message,
      new RegExp(`cannot reach Jaeger's query API at http://127\\.0\\.0\\.1:${port}/api/services`),
    );
    return true;
  });
});

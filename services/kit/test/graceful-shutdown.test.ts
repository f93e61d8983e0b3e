// SIGTERM on a real process: readiness fails first, in-flight requests finish, new
// connections are refused once draining starts, and the process exits within its bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startNodeService } from '@faultline/kit/testing/node-service';
import { waitFor } from '@faultline/kit/testing/child-process';
import { findSample, scrapeMetrics } from '@faultline/kit/testing/metric-samples';
import { HELLO_ENTRY } from './helpers.js';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Until the server is handling one GET (its own gauge says so), not merely until it was sent: a
 * request not yet handled when draining ends never becomes in-flight work, and its connection
 * is closed with the server.
 */
async function untilHandling(url: string): Promise<void> {
  await waitFor(async () => {
    const active = findSample(await scrapeMetrics(url), 'http_server_active_requests', {
      http_request_method: 'GET',
    });
    return active === 1;
  }, 'the slow request to be in flight');
}

test('in-flight requests finish; readiness fails first; new connections refused; exit 0', async () => {
  const svc = await startNodeService({
    entry: HELLO_ENTRY,
    prefix: 'HELLO',
    env: { HELLO_DRAIN_MS: '400', HELLO_SHUTDOWN_TIMEOUT_MS: '8000' },
    noTelemetry: true,
  });
  try {
    const inFlight = get(`${svc.url}/slow?ms=1500`);
    await untilHandling(svc.url);
    svc.child.kill('SIGTERM');
    const ready = await waitFor(async () => {
      const r = await get(`${svc.url}/readyz`);
      return r.status === 503 ? r : undefined;
    }, 'readiness to fail');
    assert.equal((JSON.parse(ready.body) as { status: string }).status, 'shutting-down');
    const refused = await waitFor(
      () =>
        get(`${svc.url}/hello`).then(
          () => undefined,
          (e: NodeJS.ErrnoException) => e.code,
        ),
      'new connections to be refused',
    );
    assert.equal(refused, 'ECONNREFUSED');
    const done = await inFlight;
    assert.equal(done.status, 200, 'the in-flight request completed');
    assert.deepEqual(JSON.parse(done.body), { slept: 1500 });
    const exit = await svc.exited;
    assert.equal(exit.code, 0, 'clean exit within the shutdown bound');
  } finally {
    await svc.stop();
  }
});

test('a request longer than the bound cannot hold the process: exit 1 at the timeout', async () => {
  const svc = await startNodeService({
    entry: HELLO_ENTRY,
    prefix: 'HELLO',
    env: { HELLO_DRAIN_MS: '50', HELLO_SHUTDOWN_TIMEOUT_MS: '500' },
    noTelemetry: true,
  });
  try {
    const stuck = get(`${svc.url}/slow?ms=20000`).catch(() => undefined);
    await untilHandling(svc.url);
    svc.child.kill('SIGTERM');
    const exit = await svc.exited;
    assert.equal(exit.code, 1);
    assert.match(svc.output(), /shutdown timed out/);
    await stuck;
  } finally {
    await svc.stop();
  }
});

test('a second signal exits at once', async () => {
  const svc = await startNodeService({
    entry: HELLO_ENTRY,
    prefix: 'HELLO',
    env: { HELLO_DRAIN_MS: '10000', HELLO_SHUTDOWN_TIMEOUT_MS: '20000' },
    noTelemetry: true,
  });
  try {
    svc.child.kill('SIGTERM');
    await waitFor(() => svc.output().includes('readiness now fails'), 'shutdown to start');
    svc.child.kill('SIGINT');
    const exit = await svc.exited;
    assert.equal(exit.code, 130);
  } finally {
    await svc.stop();
  }
});

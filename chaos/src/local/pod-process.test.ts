// The restart back-off of a local pod, measured: a real process that crashes at once is
// restarted after 0.5 s, then 1 s, 2 s, 4 s ... up to the cap, and a pod that ran for the
// reset time starts again from the base. The clock and the timers are node:test's mock
// timers (the delays are exact, not wall-clock), the processes and their exits are real.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  BACKOFF_RESET_AFTER_MS,
  PodProcess,
  backoffMs,
} from './pod-process.js';
import type { PodSpec } from './pod-plan.js';

function podOf(t: TestContext, script: string): PodProcess {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-pod-'));
  const spec: PodSpec = {
    name: 'crasher',
    service: 'crasher',
    labels: {},
    stage: 0,
    command: process.execPath,
    args: ['-e', script],
    env: {},
    port: 1, // nothing listens: never ready, which is beside the point here
    otherPorts: [],
    restart: true,
  };
  const pod = new PodProcess(spec, join(dir, 'pod.log'), process.env);
  t.after(async () => {
    await pod.stop(1000);
    rmSync(dir, { recursive: true, force: true });
  });
  return pod;
}

test('the back-off doubles from the base to the cap', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map(backoffMs),
    [500, 1000, 2000, 4000, 8000, 16_000, 16_000, 16_000],
  );
  assert.equal(backoffMs(1), BACKOFF_BASE_MS);
  assert.equal(backoffMs(20), BACKOFF_CAP_MS);
});

test('a crashing pod is restarted after 0.5 s, 1 s, 2 s, 4 s: the delays, not only the count', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 });
  const pod = podOf(t, 'process.exit(3)');
  const restarts: number[] = [];
  pod.on('restart', (n: number) => restarts.push(n));
  pod.start();
  for (const [i, expected] of [500, 1000, 2000, 4000].entries()) {
    await once(pod, 'exit');
    const { lastExit, nextRestartAt } = pod.status;
    assert.equal(lastExit?.code, 3);
    assert.equal(nextRestartAt! - lastExit.at, expected, `delay before restart #${i + 1}`);
    // Not a millisecond early ...
    t.mock.timers.tick(expected - 1);
    assert.equal(restarts.length, i, `restart #${i + 1} waited`);
    // ... and on time.
    t.mock.timers.tick(1);
    assert.deepEqual(
      restarts,
      Array.from({ length: i + 1 }, (_, k) => k + 1),
    );
  }
  assert.equal(pod.status.restarts, 4);
});

test('a pod that ran for the reset time starts its back-off from the base again', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 });
  // Runs until killed: the test decides when it "crashes".
  const pod = podOf(t, 'setInterval(() => {}, 60_000)');
  pod.start(); // spawns synchronously
  // Two quick crashes: the streak grows to 2 (1 s).
  for (const expected of [500, 1000]) {
    process.kill(pod.status.pid!, 'SIGKILL');
    await once(pod, 'exit');
    assert.equal(pod.status.nextRestartAt! - pod.status.lastExit!.at, expected);
    t.mock.timers.tick(expected); // the restart spawns inside the tick
    assert.ok(pod.status.pid, 'restarted');
  }
  // Runs for the reset time, then crashes: the base delay again, not 2 s.
  t.mock.timers.tick(BACKOFF_RESET_AFTER_MS);
  process.kill(pod.status.pid!, 'SIGKILL');
  await once(pod, 'exit');
  assert.equal(pod.status.nextRestartAt! - pod.status.lastExit!.at, BACKOFF_BASE_MS);
});

// A process's identity from /proc, against real processes: the start time tells a reused pid
// from the recorded process, a zombie is gone (though a signal still "reaches" it), and a
// command name with spaces and parentheses does not shift the fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, waitFor } from '@faultline/kit/testing/child-process';
import { isReused, isRunning, startTimeOf } from './process-identity.js';
import { isAlive } from './state-file.js';

test('a live process is running under its start time, and only under it', async (t) => {
  const p = startProcess('sleep', ['30']);
  t.after(() => p.stop(1000));
  const start = startTimeOf(p.pid);
  assert.match(start ?? '', /^\d+$/);
  assert.equal(isRunning(p.pid, start), true);
  assert.equal(isRunning(p.pid, undefined), true, 'no recorded start time: the pid decides');
  const other = String(Number(start) + 1);
  assert.equal(isRunning(p.pid, other), false, 'the same pid with another start time is not it');
  assert.equal(isReused(p.pid, other), true);
  assert.equal(isReused(p.pid, start), false);
  await p.stop(1000);
  assert.equal(isRunning(p.pid, start), false);
  assert.equal(startTimeOf(p.pid), undefined);
});

test('a zombie is not running, though kill(pid, 0) still reaches it', async (t) => {
  // `sh` starts a child that exits at once, then becomes `sleep`, which never reaps it.
  const p = startProcess('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30']);
  t.after(() => p.stop(1000));
  const zombie = await waitFor(() => Number(p.output().trim()) || undefined, 'the child pid');
  await waitFor(
    () => readFileSync(`/proc/${zombie}/stat`, 'utf8').includes(') Z '),
    'the child to be a zombie',
  );
  assert.equal(isAlive(zombie), true, 'a signal reaches it');
  assert.equal(isRunning(zombie, undefined), false);
  assert.equal(startTimeOf(zombie), undefined);
});

test('a command name with spaces and parentheses is read right', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-identity-'));
  const odd = join(dir, 'a) (b c');
  copyFileSync('/bin/sleep', odd);
  const p = startProcess(odd, ['30']);
  t.after(async () => {
    await p.stop(1000);
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(() => readFileSync(`/proc/${p.pid}/stat`, 'utf8').includes('(a) (b c)'), 'exec');
  // Started after this test process: a shifted field (a thread count, a tty) would be smaller.
  assert.ok(Number(startTimeOf(p.pid)) >= Number(startTimeOf(process.pid)));
  assert.equal(isRunning(p.pid, startTimeOf(p.pid)), true);
});

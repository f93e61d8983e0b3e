// pause and kill against real child processes: SIGSTOP shows as state T in /proc and SIGCONT
// on removal (or TTL expiry) lets it run again; kill is SIGKILL, one-shot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startProcess, waitFor, type ManagedProcess } from '@faultline/kit/testing/child-process';
import { processState } from '../src/agent/app-process.js';
import type { Agent } from '../src/agent/agent.js';
import type { AppliedFault } from '../src/agent/fault-spec.js';
import { admin, applyFault, startAgent, waitStopped, within } from './agent-helpers.js';

let agent: Agent;
const procs: ManagedProcess[] = [];

/** A small node script that ticks, so "running again" can also be seen in its output. */
function startApp(): ManagedProcess {
  const p = startProcess(process.execPath, [
    '-e',
    'let n = 0; setInterval(() => process.stdout.write(`tick ${n++}\\n`), 20);',
  ]);
  procs.push(p);
  return p;
}

before(async () => {
  agent = await startAgent([]);
});

after(async () => {
  await agent?.stop();
  for (const p of procs) await p.stop();
});

const ticks = (p: ManagedProcess) => (p.output().match(/tick/g) ?? []).length;

test('pause: the app is stopped (state T) until the fault is removed, then runs again', async () => {
  const app = startApp();
  await waitFor(() => ticks(app) > 0, 'the app to tick');
  assert.equal((await admin(agent, 'PUT', '/app', { pid: app.pid })).status, 200);
  const r = await admin<AppliedFault>(agent, 'POST', '/faults', { type: 'pause', ttlMs: 20_000 });
  assert.equal(r.status, 201);
  assert.equal(r.body.pid, app.pid);
  await waitStopped(app.pid);
  const frozen = ticks(app);
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(ticks(app), frozen, 'no output while stopped');
  assert.equal((await admin<{ state: string }>(agent, 'GET', '/app')).body.state, 'T');
  await admin(agent, 'DELETE', `/faults/${r.body.id}`);
  await waitFor(async () => (await processState(app.pid)) !== 'T', 'the app to run again');
  await waitFor(() => ticks(app) > frozen, 'the app to tick again');
});

test('pause expires by itself: SIGCONT at the end of the TTL', async () => {
  const app = startApp();
  await waitFor(() => ticks(app) > 0, 'the app to tick');
  agent.setAppPid(app.pid);
  await applyFault(agent, { type: 'pause', ttlMs: 300 });
  await waitStopped(app.pid);
  await waitFor(async () => (await processState(app.pid)) !== 'T', 'the pause to expire', 5000);
  assert.deepEqual((await admin<{ faults: unknown[] }>(agent, 'GET', '/faults')).body.faults, []);
});

test('kill: the app dies of SIGKILL; one-shot, never listed as active', async () => {
  const app = startApp();
  agent.setAppPid(app.pid);
  const r = await admin<AppliedFault>(agent, 'POST', '/faults', {
    type: 'kill',
    ttlMs: 1000,
    experiment: 'k1',
  });
  assert.equal(r.status, 201);
  assert.equal(r.body.oneShot, true);
  const exit = await within(app.exited, 5000);
  assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
  assert.deepEqual((await admin<{ faults: unknown[] }>(agent, 'GET', '/faults')).body.faults, []);
  const again = await admin<{ details: { path: string }[] }>(agent, 'POST', '/faults', {
    type: 'kill',
    ttlMs: 1000,
  });
  assert.equal(again.status, 409, 'killing a process that is gone');
  assert.equal(again.body.details[0]?.path, 'pid');
});

test('stopping the agent resumes a paused app', async () => {
  const app = startApp();
  const own = await startAgent([], app.pid);
  await applyFault(own, { type: 'pause', ttlMs: 30_000 });
  await waitStopped(app.pid);
  await own.stop();
  await waitFor(async () => (await processState(app.pid)) !== 'T', 'the app to run again');
});
